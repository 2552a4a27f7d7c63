"""What reaches the engine (events) and what it asks the runtime to do (effects).

The engine never reads a clock: every event carries `now`. Later subsystems add events
(a payment arrived, a timer fired, an agent wrote) and effects (start a payment, schedule a
timer, hand off) to these unions without changing how a turn works.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "Button",
    "Effect",
    "Event",
    "Message",
    "Record",
    "Remember",
    "Reply",
    "SetTimer",
    "Timer",
]


@dataclass(frozen=True, slots=True)
class Message:
    """A customer's message: typed text, or a button press (payload plus its title as text)."""

    text: str
    now: datetime
    payload: str | None = None


@dataclass(frozen=True, slots=True)
class Timer:
    """A timer the engine asked for (`SetTimer`) is due; `now` is when it fired."""

    name: str
    now: datetime


Event = Message | Timer
"""Later issues add outside events (a payment arrived, an agent wrote) to this union."""


@dataclass(frozen=True, slots=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True, slots=True)
class Reply:
    """A message for the customer; channels map buttons and lists to their own widgets."""

    text: str
    buttons: tuple[Button, ...] = ()
    list_button: str | None = None
    image: str | None = None

    @property
    def is_list(self) -> bool:
        return self.list_button is not None


@dataclass(frozen=True, slots=True)
class Remember:
    """Keep a slot value for this customer across conversations (e.g. the delivery address)."""

    slot: str
    value: Any


@dataclass(frozen=True, slots=True)
class Record:
    """A fact for the business: marketing stopped, a human requested, an order confirmed."""

    name: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SetTimer:
    """Fire `Timer(name)` at `at` for this session, replacing a timer of that name; None cancels."""

    name: str
    at: datetime | None


Effect = Reply | Remember | Record | SetTimer
