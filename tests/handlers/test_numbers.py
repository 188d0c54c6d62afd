"""Numbers and ids as people and payloads give them."""

import pytest

from okrbot.handlers.numbers import InvalidNumberError, number_problem, parse_id, parse_number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("6.5", 6.5),
        (" 6.5 ", 6.5),
        ("6,5", 6.5),
        ("-3", -3.0),
        ("+2", 2.0),
        (".5", 0.5),
        ("40 %", 40.0),
        ("40%", 40.0),
        ("1,200", 1200.0),
        ("1,200,000.5", 1200000.5),
        ("1 200", 1200.0),
        ("1\u00a0200,5", 1200.5),
        ("1e3", 1000.0),
        ("€1,200", 1200.0),
        ("7.4%", 7.4),
    ],
)
def test_numbers_people_type_are_read(text: str, number: float) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "6.5.1",
        "nan",
        "NaN",
        "inf",
        "-Infinity",
        "1e999",
        "0x10",
        "1,2,3",
        "6 5",
        "1_000",
        "٣",
        "9" * 41,
        "1.200,50",
    ],
)
def test_anything_else_is_not_a_number(text: str) -> None:
    """Text, NaN, infinities, overflowing exponents and odd separators are refused with a
    sentence, not stored."""
    with pytest.raises(InvalidNumberError):
        parse_number(text)
    assert number_problem(text)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("", None),
        ("-1", None),
        ("1.0", None),
        ("1 OR 1=1", None),
        ("²", None),
        ("9" * 19, None),
    ],
)
def test_ids_are_plain_positive_integers(text: str, found: int | None) -> None:
    assert parse_id(text) == found
