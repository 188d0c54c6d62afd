"""Numbers and ids as people and payloads give them: strict, with a sentence for each way a
value can be wrong.

Accepted: `7.4`, `-3`, `+2.5`, `1,200` and `1,200.50` (commas between groups of three digits
are thousands separators), `1 200` (spaces between groups of three), `7,4` (a single comma not
followed by exactly three digits is a decimal comma), `1e3`, and a leading currency sign or a
trailing `%` (`€1,200`, `7.4 %`). Refused, each with its own sentence: text, NaN, infinity,
numbers too large to be a KPI value (`1e999`), ambiguous separators (`1.200,50`) and digits
split by spaces other than thousands (`6 5`).
"""

import math
import re

LARGEST = 1e15
_CURRENCY_SIGNS = "€$£¥"
_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", re.ASCII)
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+", re.ASCII)
_SPACED_THOUSANDS = re.compile(r"[+-]?\d{1,3}([ \u00a0\u202f']\d{3})+([.,]\d+)?", re.ASCII)
_SPACES = re.compile(r"[ \u00a0\u202f']")
MAX_ID_DIGITS = 18
_SHOWN = 24  # how much of the typed text a sentence repeats


class InvalidNumberError(ValueError):
    """The text is not a usable number; `str(error)` is the sentence to show."""


def parse_number(text: str) -> float:
    """The number in `text`, or InvalidNumberError with a sentence that says what is wrong."""
    raw = text.strip()
    if not raw:
        raise InvalidNumberError("Enter a number, e.g. 7.4.")
    compact = raw.removesuffix("%").strip().lstrip(_CURRENCY_SIGNS).strip()
    if _SPACED_THOUSANDS.fullmatch(compact):
        compact = _SPACES.sub("", compact)
    word = compact.lower().lstrip("+-")
    if word == "nan":
        raise InvalidNumberError("NaN is not a number you can record. Enter digits, e.g. 7.4.")
    if word in {"inf", "infinity", "∞"}:
        raise InvalidNumberError("A value can't be infinite. Enter a finite number, e.g. 7.4.")
    value = float(_normalised(compact, raw))
    if not math.isfinite(value) or abs(value) > LARGEST:
        raise InvalidNumberError(
            f"“{_shown(raw)}” is too large to record. "
            "Enter a number between -1,000,000,000,000,000 and 1,000,000,000,000,000."
        )
    return value


def number_problem(text: str) -> str | None:
    """The sentence that says why `text` is not a usable number; None when it is one."""
    try:
        parse_number(text)
    except InvalidNumberError as invalid:
        return str(invalid)
    return None


def _normalised(compact: str, raw: str) -> str:
    """`compact` in Python's float syntax, or InvalidNumberError."""
    if "," in compact and "." in compact and not _THOUSANDS.fullmatch(compact):
        raise InvalidNumberError(
            f"“{_shown(raw)}” mixes separators in a way I can't read. "
            "Use a dot for decimals, e.g. 1200.50."
        )
    if _THOUSANDS.fullmatch(compact):
        return compact.replace(",", "")
    if _DECIMAL_COMMA.fullmatch(compact):
        return compact.replace(",", ".")
    if _PLAIN.fullmatch(compact):
        return compact
    raise InvalidNumberError(f"“{_shown(raw)}” is not a number. Enter digits, e.g. 7.4 or 1,200.")


def _shown(raw: str) -> str:
    return raw if len(raw) <= _SHOWN else raw[: _SHOWN - 1] + "…"


def parse_id(text: str) -> int | None:
    """A row id from an option value, a button value or private metadata; None otherwise."""
    text = text.strip()
    looks_like_id = text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS
    return int(text) if looks_like_id else None
