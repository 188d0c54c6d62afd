"""Numbers typed by people ("6.5", "6,5", "1,200", "40 %"; never NaN or "1e999"), and ids."""

import math
import re

MAX_LENGTH = 40
MAX_ID_DIGITS = 18
_SHAPE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_COMMA_GROUPS = re.compile(r"[+-]?\d{1,3}(,\d{3})+", re.ASCII)
_SPACE_GROUPS = re.compile(r"[+-]?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?", re.ASCII)


def parse_number(text: str) -> float | None:
    """The number in `text`, or None when it is not a finite number."""
    cleaned = text.strip().removesuffix("%").strip()
    if not cleaned or len(cleaned) > MAX_LENGTH:
        return None
    if _SPACE_GROUPS.fullmatch(cleaned):
        cleaned = re.sub(r"[ \u00a0\u202f]", "", cleaned)
    if "," in cleaned:
        cleaned = _without_commas(cleaned)
    if not _SHAPE.fullmatch(cleaned):
        return None
    number = float(cleaned)
    return number if math.isfinite(number) else None


def _without_commas(text: str) -> str:
    """1,200 and 1,200.5 group thousands; otherwise a lone comma is a decimal point."""
    if "." in text or _COMMA_GROUPS.fullmatch(text):
        return text.replace(",", "")
    return text.replace(",", ".", 1) if text.count(",") == 1 else text


def parse_id(text: str) -> int | None:
    """A row id from an option value, a button value or private metadata; None otherwise."""
    text = text.strip()
    looks_like_id = text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS
    return int(text) if looks_like_id else None
