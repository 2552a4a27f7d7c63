"""The week before a date: "zu meinem Geburtstag am 13.2. … in der Woche davor, am liebsten
Donnerstag oder Freitag", "in der Woche vor dem 13.2.", "the week before 13.2.". The wish
reader knows dates and ranges, not a week counted back from a date said elsewhere, so this is
read first: the phrase becomes the range it means (the seven days before the date), the date
it counts from is no wish of its own, and weekdays preferred elsewhere in the message fall in
that week.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta

from framework.bookings.wishes import TimeWish

__all__ = ["in_the_week", "week_before"]

_DATE = r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?:(?P<y>\d{4}|\d{2})\b)?"
_SHORT_DATE = r"\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})?"
_WEEK_BEFORE = re.compile(
    rf"\b(?:in )?(?:der )?woche (?:davor|vorher|vor dem (?P<date>{_SHORT_DATE}))"
    rf"|\b(?:in )?the week before(?: (?:the )?(?P<en>{_SHORT_DATE}))?",
    re.IGNORECASE,
)
_DATES = re.compile(r"\b(?:(?:am|bis|zum|on|by) )?" + _DATE)


def week_before(text: str, now: datetime) -> tuple[str, tuple[date, ...]]:
    """`text` with "the week before <date>" said as the range it means, and that week's days
    (none when the message says no such thing, or names no date to count from)."""
    found = _WEEK_BEFORE.search(text)
    if found is None:
        return text, ()
    named = found["date"] or found["en"]
    earlier = list(_DATES.finditer(text, 0, found.start()))
    anchor_match = _DATES.search(named) if named else (earlier[-1] if earlier else None)
    if anchor_match is None:
        return text, ()
    anchor = _date_of(anchor_match, now)
    if anchor is None:
        return text, ()
    days = tuple(anchor - timedelta(days=back) for back in range(7, 0, -1))
    said = f" vom {days[0].day}.{days[0].month}. bis {days[-1].day}.{days[-1].month}. "
    text = text[: found.start()] + said + text[found.end() :]
    if not named:  # "am 13.2. … Woche davor": the 13th is what the week is before, no wish
        text = text[: anchor_match.start()] + " " + text[anchor_match.end() :]
    return text, days


def in_the_week(wish: TimeWish, week: tuple[date, ...]) -> TimeWish:
    """A wish read from a part of the message ("am liebsten Donnerstag oder Freitag"), moved
    into the week the whole message names: its weekdays there, or the whole week."""
    if not week or set(wish.days) <= set(week):
        return wish
    weekdays = {day.weekday() for day in wish.days}
    chosen = tuple(day for day in week if day.weekday() in weekdays) or week
    return replace(wish, days=chosen, per_day=())


def _date_of(found: re.Match[str], now: datetime) -> date | None:
    year = int(found["y"]) if found["y"] else now.year
    if year < 100:
        year += 2000
    try:
        day = date(year, int(found["m"]), int(found["d"]))
    except ValueError:
        return None
    if not found["y"] and day < now.date():
        try:
            day = day.replace(year=day.year + 1)
        except ValueError:  # 29.2. said in a leap year's spring, for the next year
            return None
    return day
