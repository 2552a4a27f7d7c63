"""Handlers for times: clock times, clock phrases, parts of the day and "in N units".

Hours 1-12 without am/pm stay flexible (`Clock.flexible`) until resolution places them by the
part of the day; "in 3 tagen" counts calendar days, "in 2 stunden" a duration.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Final

from framework.flows.understanding.date_findings import Clock, Found, Handler
from framework.flows.understanding.date_words import (
    BACKWARDS,
    MINUTE_WORDS,
    RELATION_MINUTES,
    UNITS,
)
from framework.flows.understanding.numbers import parse_number, word_to_number

__all__ = [
    "duration",
    "fixed_clock",
    "on_clock",
    "on_clock_phrase",
    "on_day_and_part",
    "on_daypart",
    "on_relative",
    "read_clock",
]

# Largest "in N units" amount, so durations stay far from datetime's limits.
_MAX_AMOUNT: Final = 1000


def duration(minutes: int) -> Handler:
    def handler(match: re.Match[str], found: Found) -> bool:
        found.durations.add(timedelta(minutes=minutes))
        return True

    return handler


def on_relative(match: re.Match[str], found: Found) -> bool:
    amount = _amount(match["amount"])
    if amount is None or not 0 <= amount <= _MAX_AMOUNT:
        return False
    seconds, days = UNITS[match["unit"]]
    if seconds:
        found.durations.add(timedelta(seconds=int(amount * seconds)))
        return True
    steps = amount * days
    if steps != steps.to_integral_value():
        return False
    found.day_offsets.add(int(steps))
    return True


def _amount(text: str) -> Decimal | None:
    value = word_to_number(text)
    return parse_number(text) if value is None else Decimal(value)


def on_clock(match: re.Match[str], found: Found) -> bool:
    groups = match.groupdict()
    hour = word_to_number(groups["hour"])
    minute = _minute(groups.get("minute"), groups.get("minword"))
    if hour is None:
        return False
    clock = read_clock(hour, minute, groups.get("mer"), groups["hour"])
    if clock is None:
        return False
    found.clocks.add(clock)
    return True


def _minute(digits: str | None, word: str | None) -> int:
    if word:
        return MINUTE_WORDS[_squash(word)]
    return int(digits) if digits else 0


def _squash(words: str) -> str:
    return words.replace(" ", "").replace("-", "")


def read_clock(hour: int, minute: int, meridiem: str | None, written: str) -> Clock | None:
    """The clock time of an hour and minute as written ("03" is not flexible); None if invalid."""
    if minute > 59:
        return None
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        return Clock(hour % 12 + (12 if meridiem[0] == "p" else 0), minute, False)
    if hour > 23:
        return None
    return Clock(hour, minute, 1 <= hour <= 12 and not written.startswith("0"))


def on_clock_phrase(match: re.Match[str], found: Found) -> bool:
    """Clock phrases: "halb drei", "viertel nach 3", "10 vor halb 8", "quarter to five pm"."""
    groups = match.groupdict()
    hour = word_to_number(groups["hour"])
    minutes = _relation_minutes(groups.get("minutes"))
    if hour is None or hour > 24 or minutes is None:
        return False
    total = hour * 60 - (30 if groups.get("half") else 0)
    total += -minutes if groups.get("relation") in BACKWARDS else minutes
    clock = _clock_from_minutes(total, 1 <= hour <= 12)
    meridiem = groups.get("mer")
    if meridiem:
        placed = read_clock(clock.hour, clock.minute, meridiem, "") if clock.flexible else None
        if placed is None:
            return False
        clock = placed
    found.clocks.add(clock)
    return True


def _relation_minutes(text: str | None) -> int | None:
    if text is None:
        return 0
    key = _squash(text)
    value = RELATION_MINUTES.get(key, word_to_number(key))
    return value if value is not None and 1 <= value <= 59 else None


def _clock_from_minutes(total: int, on_clock_face: bool) -> Clock:
    if on_clock_face:
        hour, minute = divmod(total % 720, 60)
        return Clock(hour or 12, minute, True)
    hour, minute = divmod(total % 1440, 60)
    return Clock(hour, minute, False)


def fixed_clock(hour: int) -> Handler:
    def handler(match: re.Match[str], found: Found) -> bool:
        found.clocks.add(Clock(hour, 0, False))
        return True

    return handler


def on_day_and_part(match: re.Match[str], found: Found) -> bool:
    found.day_offsets.add(0)
    found.dayparts.add(str(match.lastgroup))
    return True


def on_daypart(match: re.Match[str], found: Found) -> bool:
    found.dayparts.add(str(match.lastgroup))
    return True
