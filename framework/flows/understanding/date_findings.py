"""What the extractors record for one message, and the shape of an extractor's handler."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

__all__ = ["Clock", "Found", "Handler"]


class Clock(NamedTuple):
    hour: int
    minute: int
    # An hour 1-12 that the part of the day or the afternoon rule still has to place.
    flexible: bool


@dataclass
class Found:
    """Everything the extractors recorded for one message."""

    today: date
    dates: set[date] = field(default_factory=set)
    day_offsets: set[int] = field(default_factory=set)
    weekdays: set[tuple[int, int]] = field(default_factory=set)
    clocks: set[Clock] = field(default_factory=set)
    dayparts: set[str] = field(default_factory=set)
    durations: set[timedelta] = field(default_factory=set)
    invalid: bool = False


# True: understood; False: recognised but invalid; None: not ours, leave the text.
Handler = Callable[[re.Match[str], Found], bool | None]
