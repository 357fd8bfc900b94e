"""Dates typed by people: ISO dates and relative forms such as ``today``, ``+3d``, ``fri``.

Pure functions of the text and an injected *today*, so they behave the same on any day.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
HELP = "YYYY-MM-DD, today, tomorrow, yesterday, +3d, -1w, +2m, fri or next mon"

_OFFSET = re.compile(r"^([+-])\s*(\d{1,4})\s*([dwm])$")
_UNITS = {"d": "days", "w": "weeks", "m": "months"}


class DateError(ValueError):
    """Text that is not a date; the message says which forms are accepted."""


def _add_months(start: date, months: int) -> date:
    """*start* moved by whole months, clamped to the last day of a shorter month."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise OverflowError(year)
    for day in (start.day, 30, 29):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return date(year, month, 28)


def _weekday(word: str) -> int | None:
    word = word.lower()
    if len(word) < 3:
        return None
    for index, full in enumerate(_FULL):
        if full.startswith(word):
            return index
    return None


def parse_date(text: str, today: date) -> date:
    """Parse *text* as an ISO date or a form relative to *today*.

    ``fri`` is the first Friday from today on (today itself on a Friday);
    ``next fri`` is the Friday of next week (weeks start on Monday).
    Raises :class:`DateError` with a message listing the accepted forms.
    """
    raw = " ".join(text.strip().lower().split())
    if not raw:
        raise DateError("is empty")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    simple = {"today": 0, "tod": 0, "tomorrow": 1, "tom": 1, "yesterday": -1}
    if raw in simple:
        return today + timedelta(days=simple[raw])
    match = _OFFSET.match(raw)
    try:
        if match:
            sign, amount, unit = match.groups()
            count = int(amount) * (1 if sign == "+" else -1)
            if unit == "m":
                return _add_months(today, count)
            return today + timedelta(**{_UNITS[unit]: count})
        words = raw.split(" ")
        if len(words) == 1 and (day := _weekday(words[0])) is not None:
            return today + timedelta(days=(day - today.weekday()) % 7)
        if len(words) == 2 and words[0] == "next" and (day := _weekday(words[1])) is not None:
            next_monday = today + timedelta(days=7 - today.weekday())
            return next_monday + timedelta(days=day)
    except OverflowError as exc:
        raise DateError("is out of range") from exc
    raise DateError(f"must be a date: {HELP}")


def relative(day: date, today: date) -> str:
    """A short human description of *day* seen from *today* (``today``, ``in 3d``, ``5d ago``)."""
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    return f"in {delta}d" if delta > 0 else f"{-delta}d ago"
