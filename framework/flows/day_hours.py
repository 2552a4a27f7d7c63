"""A day's opening hours for texts: `business.day_asked` (the day the message being answered
asks about: "und morgen?", "what about Saturday?", "habt ihr an Silvester offen?", read by the
date understanding of framework/flows/understanding/dates.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time

from framework.flows.model import Business

__all__ = ["DayView"]


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
