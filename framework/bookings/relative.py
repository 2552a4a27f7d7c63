"""A move's wish said relative to the booking it moves: "eine Woche später, gleiche Uhrzeit",
"later the same day, after 3", "a day earlier", "in der Woche danach". The wish reader reads
days from today; these name days from the booking, so the desk reads them here, with the
booking's start, and lets them fill what the customer's own wish leaves open.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from framework.bookings.wishes import TimeWish
from framework.flows.understanding.normalize import normalize

__all__ = ["relative_to"]

_SHIFTS = (
    (
        r"\b(?:eine woche spaeter|a week later|one week later|the following week|"
        r"in der woche danach)\b",
        7,
    ),
    (r"\b(?:eine woche frueher|a week earlier|one week earlier)\b", -7),
    (r"\b(?:einen tag spaeter|a day later|one day later|the following day|am tag danach)\b", 1),
    (r"\b(?:einen tag frueher|a day earlier|one day earlier|am tag davor)\b", -1),
    (r"\b(?:zwei wochen spaeter|two weeks later|in zwei wochen)\b", 14),
)
_SHIFT_PATTERNS = tuple((re.compile(pattern), days) for pattern, days in _SHIFTS)
_SAME_DAY = re.compile(
    r"\b(?:am selben tag|am gleichen tag|same day|that day|later in the day|later that day|"
    r"earlier in the day|earlier that day|spaeter am tag|frueher am tag)\b"
)
_LATER = re.compile(r"\b(?:spaeter|later)\b")
_EARLIER = re.compile(r"\b(?:frueher|earlier|eher)\b")
_SAME_TIME = re.compile(
    r"\b(?:gleiche uhrzeit|gleichen uhrzeit|selbe uhrzeit|selben uhrzeit|same time|"
    r"zur gleichen zeit)\b"
)
_DAY_END = time(23, 59, 59)


def relative_to(text: str, start: datetime, wish: TimeWish) -> TimeWish:
    """`wish` with what `text` says relative to a booking at `start` (local time) where the
    wish leaves it open or names only the booking's own day ("ich hab Mittwoch Maniküre …
    eine Woche später"): the day (a week or a day later or earlier; the same day, then later
    or earlier than the booking unless a time is said) and the time ("gleiche Uhrzeit")."""
    said = normalize(text)
    same_day = _SAME_DAY.search(said) is not None
    day = start.date() if same_day else _shifted_day(said, start.date())
    if day is not None and set(wish.days) <= {start.date()}:  # "my manicure on Friday": its day
        wish = replace(wish, days=(day,), per_day=(), soonest=False)
    timed = bool(wish.windows or wish.exact)
    if same_day and not timed:
        moment = start.time()
        if _LATER.search(said):
            wish = replace(wish, windows=((moment, _DAY_END),))
        elif _EARLIER.search(said):
            wish = replace(wish, windows=((time(0, 0), moment),))
    if _SAME_TIME.search(said) and not timed:
        wish = replace(wish, exact=start.time().replace(second=0, microsecond=0))
    return wish


def _shifted_day(said: str, booked: date) -> date | None:
    for pattern, days in _SHIFT_PATTERNS:
        if pattern.search(said):
            return booked + timedelta(days=days)
    return None
