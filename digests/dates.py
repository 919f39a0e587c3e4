"""Dates as people type them: `2026-12-24`, `today`, `mon`, `next friday`, `dec 24`, `24 Dec`,
`in 2 weeks`. Pure, and never raises: what cannot be read is None.

Our own small grammar for relative words and weekdays; python-dateutil for written-out dates.
`today` is the local date in the team's zone (the caller knows it). A date without a year is the
next one from `today` (`prefer="future"`, for time away), the last one (`prefer="past"`, for
searching history since a date) or the nearest one (`prefer="nearest"`, searching until one).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Literal

from dateutil import parser as dateutil_parser
from dateutil.relativedelta import relativedelta

Prefer = Literal["future", "past", "nearest"]

WEEKDAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "weds": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}
_RELATIVE = {"today": 0, "tomorrow": 1, "yesterday": -1}
_WEEKDAY = re.compile(r"(?:(next|this|last)\s+)?([a-z]+)\.?")
_IN = re.compile(r"in\s+(\d{1,3})\s+(day|days|week|weeks|month|months)")
_AGO = re.compile(r"(\d{1,3})\s+(day|days|week|weeks|month|months)\s+ago")
# What dateutil would read as a time or as nothing: refused before it gets there.
_NOT_A_DAY = re.compile(r"[:@<>]")
MAX_DATE_TEXT = 40
_DATE_ORDER = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.?(\d{4}|\d{2})?")


def parse_day(text: str, today: date, *, prefer: Prefer = "future") -> date | None:
    """The date `text` names, or None when it names none."""
    words = " ".join(text.casefold().split()).strip(" ,.")
    if not words or len(words) > MAX_DATE_TEXT:
        return None
    if words in _RELATIVE:
        return today + timedelta(days=_RELATIVE[words])
    weekday = _weekday(words, today, prefer)
    if weekday is not None:
        return weekday
    shifted = _shift(words, today)
    if shifted is not None:
        return shifted
    if _DATE_ORDER.match(words):
        try:
            return date.fromisoformat("-".join(part.zfill(2) for part in words.split("-")))
        except ValueError:
            return None
    return _written(words, today, prefer)


def _weekday(words: str, today: date, prefer: Prefer) -> date | None:
    match = _WEEKDAY.fullmatch(words)
    if match is None or match.group(2) not in WEEKDAYS:
        return None
    which, target = match.group(1), WEEKDAYS[match.group(2)]
    ahead = (target - today.weekday()) % 7
    if which is None and prefer == "nearest":
        behind = (today.weekday() - target) % 7
        return today - timedelta(days=behind) if behind <= ahead else today + timedelta(days=ahead)
    if which == "last" or (which is None and prefer == "past"):
        behind = (today.weekday() - target) % 7
        return today - timedelta(days=behind or (7 if which == "last" else 0))
    if which == "next":
        return today + timedelta(days=ahead or 7)
    return today + timedelta(days=ahead)


def _shift(words: str, today: date) -> date | None:
    for pattern, sign in ((_IN, 1), (_AGO, -1)):
        match = pattern.fullmatch(words)
        if match is None:
            continue
        count, unit = int(match.group(1)) * sign, match.group(2).rstrip("s")
        if unit == "day":
            return today + timedelta(days=count)
        if unit == "week":
            return today + timedelta(weeks=count)
        return today + relativedelta(months=count)
    return None


def _written(words: str, today: date, prefer: Prefer) -> date | None:
    """`dec 24`, `24 December 2026`, `12/24` (month first), `24.12.2026` (day first): a day
    number is required."""
    if _NOT_A_DAY.search(words) or not re.search(r"\d", words):
        return None
    dotted = _DOTTED.fullmatch(words)
    if dotted is not None:
        return _dotted(dotted, today, prefer)
    default = datetime(today.year, today.month, today.day)
    try:
        parsed = dateutil_parser.parse(words, default=default, dayfirst=False)
    except (ValueError, OverflowError):
        return None
    day = parsed.date()
    has_year = bool(re.search(r"\d{4}|'\d{2}\b", words)) or bool(
        re.search(r"\d{1,2}[./-]\d{1,2}[./-]\d{2}\b", words)
    )
    return day if has_year else _year_for(day, today, prefer)


def _year_for(day: date, today: date, prefer: Prefer) -> date:
    """A date typed without its year: the next, the last or the nearest such date."""
    if prefer == "future":
        return _with_year(day, day.year + 1) if day < today else day
    if prefer == "past":
        return _with_year(day, day.year - 1) if day > today else day
    candidates = [_with_year(day, today.year + shift) for shift in (-1, 0, 1)]
    return min(candidates, key=lambda candidate: abs(candidate - today))


def _dotted(match: re.Match[str], today: date, prefer: Prefer) -> date | None:
    """`24.12.`, `24.12.2026`, `24.12.26`: day first, as written where dots are used."""
    day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
    try:
        if year:
            return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        return _year_for(date(today.year, month, day), today, prefer)
    except ValueError:
        return None


def _with_year(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


def short_day(day: date) -> str:
    """How a parsed date is shown back: "Thu 24 Dec 2026"."""
    return f"{day:%a} {day.day} {day:%b %Y}"
