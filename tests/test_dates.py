"""Typed dates: ISO and relative forms against a fixed today (a Wednesday)."""

from datetime import date

import pytest

from ecpm_tui.dates import DateError, parse_date, relative

WED = date(2026, 11, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        (" today ", WED),
        ("Tomorrow", date(2026, 11, 5)),
        ("yesterday", date(2026, 11, 3)),
        ("+3d", date(2026, 11, 7)),
        ("-1d", date(2026, 11, 3)),
        ("+2w", date(2026, 11, 18)),
        ("+1m", date(2026, 12, 4)),
        ("wed", WED),
        ("fri", date(2026, 11, 6)),
        ("friday", date(2026, 11, 6)),
        ("mon", date(2026, 11, 9)),
        ("next mon", date(2026, 11, 9)),
        ("next fri", date(2026, 11, 13)),
        ("next wed", date(2026, 11, 11)),
    ],
)
def test_parse(text: str, expected: date) -> None:
    assert parse_date(text, WED) == expected


def test_month_offset_clamps_to_month_end() -> None:
    assert parse_date("+1m", date(2027, 1, 31)) == date(2027, 2, 28)
    assert parse_date("-2m", date(2026, 1, 15)) == date(2025, 11, 15)


@pytest.mark.parametrize("text", ["", "soon", "fr", "32/1", "+3x", "next", "next soon", "+99999d"])
def test_rejects_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(text, WED)
    assert str(caught.value).startswith(("is empty", "must be a date", "is out of range"))


def test_out_of_range_is_an_error_not_a_crash() -> None:
    with pytest.raises(DateError, match="out of range"):
        parse_date("+1m", date(9999, 12, 15))
    with pytest.raises(DateError, match="out of range"):
        parse_date("+9d", date(9999, 12, 30))


def test_relative() -> None:
    assert relative(WED, WED) == "today"
    assert relative(date(2026, 11, 7), WED) == "in 3d"
    assert relative(date(2026, 11, 1), WED) == "3d ago"
    assert relative(date(2026, 11, 5), WED) == "tomorrow"


def test_forms_accept_relative_dates_and_imports_do_not() -> None:
    from ecpm_tui import fields
    from ecpm_tui.errors import ValidationError

    parsed = fields.coerce(fields.CARD, {"due_date": "+2w"}, partial=True, today=WED)
    assert parsed == {"due_date": date(2026, 11, 18)}
    with pytest.raises(ValidationError) as caught:
        fields.coerce(fields.CARD, {"due_date": "soon"}, partial=True, today=WED)
    assert "next mon" in caught.value.errors["due_date"]
    with pytest.raises(ValidationError):
        fields.coerce(fields.CARD, {"due_date": "+2w"}, partial=True)
