"""Handlers for calendar days: weekdays, numeric and named dates, holidays, relative days.

A date without a year is its next occurrence, today included; "12.10" that is no valid date
may be a time ("15.30").
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from framework.flows.understanding.date_findings import Found
from framework.flows.understanding.date_words import (
    DAY_OFFSETS,
    HOLIDAYS,
    MONTHS,
    SHORT_WEEKDAYS,
    WEEKDAY_PARTS,
    WEEKDAYS,
)
from framework.flows.understanding.time_handlers import read_clock

__all__ = [
    "ignore",
    "on_day_dot_month",
    "on_day_of_month",
    "on_holiday",
    "on_month_name",
    "on_numeric_date",
    "on_relative_day",
    "on_slash_date",
    "on_weekday",
]

# How many years to look ahead for a yearless date ("29.02." may be years away).
_YEARS_AHEAD: Final = 9
# What may follow a short weekday name: "fr.", "fr 18 uhr", or nothing at all.
_SHORT_CONTEXT: Final = re.compile(r"\.|\s*,?\s*[0-9]|\s*$")
# Short names that are everyday words too ("ja passt so", "yes please do."): a weekday only
# before a number ("so 18 uhr", "do. 10:00") or alone ("Do?").
_ALSO_WORDS: Final = frozenset({"so", "do"})
_NUMBER_AFTER: Final = re.compile(r"\.?\s*,?\s*[0-9]")
_TIME_WORDS: Final = tuple([word] for word in ("bis", "ab", "vor", "nach", "until", "before", "by"))


def _dated(match: re.Match[str]) -> bool:
    before = match.string[: match.start()].split()
    if _NUMBER_AFTER.match(match.string, match.end()) or before[-1:] in _TIME_WORDS:
        return True
    return not (before or match.string[match.end() :].strip(". ?!"))


def on_weekday(match: re.Match[str], found: Found) -> bool | None:
    name = match["day"]
    if name in SHORT_WEEKDAYS and not match["article"] and not match["mod"]:
        context = _SHORT_CONTEXT.match(match.string, match.end())
        if context is None or (name in _ALSO_WORDS and not _dated(match)):
            return None
    found.weekdays.add((WEEKDAYS[name], _weeks_ahead(match["mod"])))
    if match["part"]:
        found.dayparts.add(WEEKDAY_PARTS[match["part"]])
    return True


def _weeks_ahead(modifier: str | None) -> int:
    if modifier is None:
        return 0
    if modifier.startswith("ueber"):
        return 2
    if modifier.startswith(("diese", "this")) and "coming" not in modifier:
        return 0
    return 1


def ignore(match: re.Match[str], found: Found) -> bool:
    """Greetings such as "guten morgen" name no day; swallow them before "morgen" does."""
    return True


def on_numeric_date(match: re.Match[str], found: Found) -> bool:
    return _add_date(found, int(match["day"]), int(match["month"]), match["year"])


def on_day_dot_month(match: re.Match[str], found: Found) -> bool:
    """Read "12.10" as a date if it can be one, else as a time such as "15.30"."""
    day, month = int(match["day"]), int(match["month"])
    if _add_date(found, day, month, None):
        return True
    clock = read_clock(day, month, None, match["day"]) if len(match["month"]) == 2 else None
    if clock is None:
        return False
    found.clocks.add(clock)
    return True


def on_slash_date(match: re.Match[str], found: Found) -> bool:
    first, second = int(match["day"]), int(match["month"])
    year = match["year"]
    return _add_date(found, first, second, year) or _add_date(found, second, first, year)


def on_month_name(match: re.Match[str], found: Found) -> bool:
    return _add_date(found, int(match["day"]), MONTHS[match["month"]], match["year"])


def _add_date(found: Found, day: int, month: int, year: str | None) -> bool:
    resolved = _calendar_date(day, month, year, found.today)
    if resolved is None:
        return False
    found.dates.add(resolved)
    return True


def _calendar_date(day: int, month: int, year: str | None, today: date) -> date | None:
    if year is None:
        return _next_occurrence(day, month, today)
    year = year.strip()
    full_year = int(year) + (2000 if len(year) == 2 else 0)
    try:
        return date(full_year, month, day)
    except ValueError:
        return None


def _next_occurrence(day: int, month: int, today: date) -> date | None:
    for year in range(today.year, today.year + _YEARS_AHEAD):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def on_holiday(match: re.Match[str], found: Found) -> bool:
    month, day = HOLIDAYS[str(match.lastgroup)]
    return _add_date(found, day, month, None)


def on_relative_day(match: re.Match[str], found: Found) -> bool:
    found.day_offsets.add(DAY_OFFSETS[str(match.lastgroup)])
    return True


def on_day_of_month(match: re.Match[str], found: Found) -> bool:
    """A day of the month alone ("am 24.", "the 24th"): its next occurrence."""
    day = int(match["de"] or match["en"])
    today = found.today
    for step in range(13):
        years, month = divmod(today.month - 1 + step, 12)
        try:
            candidate = date(today.year + years, month + 1, day)
        except ValueError:
            continue
        if candidate >= today:
            found.dates.add(candidate)
            return True
    return False
