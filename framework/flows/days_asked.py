"""The day a customer asks about ("und morgen?", "what about Saturday?", "habt ihr an
Silvester offen?"), for texts that answer with that day's opening hours (`business.day_asked`).

Read from the message the bot is answering: a relative day (heute, morgen, übermorgen, today,
tomorrow), a weekday (the next one, today included), a holiday everybody names (Heiligabend,
Weihnachten, Silvester, Neujahr) or a date ("am 24.12."). "heute morgen" and "tomorrow
morning" are a time of day, not another day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta

from framework.flows.model import Business
from framework.flows.understanding.normalize import tokens

__all__ = ["DayView", "day_asked"]

_RELATIVE = {
    **dict.fromkeys(("heute", "today", "tonight", "heut"), 0),
    **dict.fromkeys(("morgen", "tomorrow", "tmrw", "tmr"), 1),
    **dict.fromkeys(("uebermorgen",), 2),
}
_WEEKDAYS = {
    **dict.fromkeys(("montag", "monday", "mon"), 0),
    **dict.fromkeys(("dienstag", "tuesday", "tue"), 1),
    **dict.fromkeys(("mittwoch", "wednesday", "wed"), 2),
    **dict.fromkeys(("donnerstag", "thursday", "thu"), 3),
    **dict.fromkeys(("freitag", "friday", "fri"), 4),
    **dict.fromkeys(("samstag", "sonnabend", "saturday", "sat"), 5),
    **dict.fromkeys(("sonntag", "sunday", "sun"), 6),
}
_HOLIDAYS = {
    **dict.fromkeys(("heiligabend", "weihnachtsabend"), (12, 24)),
    **dict.fromkeys(("weihnachten", "christmas", "xmas"), (12, 25)),
    **dict.fromkeys(("silvester", "sylvester"), (12, 31)),
    **dict.fromkeys(("neujahr",), (1, 1)),
}
_PHRASES: dict[str, int | tuple[int, int]] = {
    "day after tomorrow": 2,
    "christmas eve": (12, 24),
    "new year s eve": (12, 31),
    "new years eve": (12, 31),
    "new year s day": (1, 1),
    "new years day": (1, 1),
    "boxing day": (12, 26),
    "zweiten feiertag": (12, 26),
    "zweiter weihnachtsfeiertag": (12, 26),
}
"""Days named by several words, looked for before the single words."""
_DATE = re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.")


def day_asked(text: str, today: date) -> date | None:
    """The day the message asks about, or None when it names none."""
    words = tokens(text)
    said = " ".join(words)
    for phrase, day in _PHRASES.items():
        if phrase in said:
            return today + timedelta(days=day) if isinstance(day, int) else _next(today, *day)
    for index, word in enumerate(words):
        if word in _RELATIVE and not _time_of_today(words, index):
            return today + timedelta(days=_RELATIVE[word])
        if word in _WEEKDAYS:
            return today + timedelta(days=(_WEEKDAYS[word] - today.weekday()) % 7)
        if word in _HOLIDAYS:
            return _next(today, *_HOLIDAYS[word])
    found = _DATE.search(text)
    if found and 1 <= int(found[2]) <= 12 and 1 <= int(found[1]) <= 31:
        try:
            return _next(today, int(found[2]), int(found[1]))
        except ValueError:
            return None
    return None


def _time_of_today(words: list[str], index: int) -> bool:
    """ "heute morgen" (this morning), "morgen früh" is tomorrow; "heute" before "morgen"."""
    return words[index] == "morgen" and index > 0 and words[index - 1] == "heute"


def _next(today: date, month: int, day: int) -> date:
    """That day this year, or next year once it has passed."""
    this_year = date(today.year, month, day)
    return this_year if this_year >= today else date(today.year + 1, month, day)


@dataclass(frozen=True, slots=True)
class DayView:
    """`business.day_asked`: `.date`, `.name` (its weekday), `.open`, `.holiday`, `.hours`
    ("12:00–23:30", empty when closed)."""

    date: dt.date
    name: str
    holiday: bool
    spans: tuple[tuple[time, time], ...]
    clock: Callable[[time], str]

    @classmethod
    def of(
        cls, business: Business, day: dt.date, name: str, clock: Callable[[time], str]
    ) -> DayView:
        holiday = day in business.holidays
        spans = () if holiday else tuple(business.hours.get(day.weekday(), ()))
        return cls(day, name, holiday, spans, clock)

    @property
    def open(self) -> bool:
        return bool(self.spans)

    @property
    def hours(self) -> str:
        return ", ".join(f"{self.clock(start)}–{self.clock(end)}" for start, end in self.spans)
