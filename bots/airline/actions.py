"""Spree Air's own code: the reservation system the chat asks (docs/actions.md).

`find_flight` reads what a traveller wrote — a booking code with the last name ("K7Q2XM
Meier") or a flight number with its date ("SA 1234 am 10.12.") — and finds the flight in the
airline's system. Here the system is a small table; a real airline calls its own API from this
function (or uses an `http:` step instead).
"""

import re
from datetime import date, datetime

from framework.actions import ActionContext, ActionOutcome, action
from framework.flows.understanding.dates import parse_date

FLIGHTS = {
    ("SA1234", "2026-12-10"): {"route": "Berlin → Palma", "departs": "09:40", "gate": "A12"},
    ("SA1234", "2026-12-17"): {"route": "Berlin → Palma", "departs": "09:40", "gate": "A12"},
    ("SA881", "2026-12-11"): {"route": "Berlin → London", "departs": "17:05", "gate": "B4"},
    ("SA2207", "2026-12-12"): {"route": "Berlin → Lissabon", "departs": "06:55", "gate": "A3"},
    ("SA2207", "2026-12-19"): {"route": "Berlin → Lissabon", "departs": "06:55", "gate": "A3"},
    ("SA450", "2026-12-23"): {"route": "Berlin → Wien", "departs": "14:20", "gate": "C1"},
}
"""(flight, day) → what the traveller is told when they subscribe."""
BOOKINGS = {
    "K7Q2XM": ("meier", "SA1234", "2026-12-10"),
    "P3LX9A": ("smith", "SA881", "2026-12-11"),
    "ZT8M2Q": ("öztürk", "SA2207", "2026-12-12"),
    "H4RN7B": ("nowak", "SA450", "2026-12-23"),
}
"""Booking code → (last name, flight, day)."""

_CODE = re.compile(r"\b([A-Z0-9]{6})\b")
_FLIGHT = re.compile(r"\b(SA)\s*-?\s*(\d{2,4})\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")


def _by_code(text: str) -> tuple[str, str] | None:
    words = {word.casefold() for word in _WORD.findall(text)}
    for code in _CODE.findall(text.upper()):
        if code in BOOKINGS and any(c.isdigit() for c in code):
            name, flight, day = BOOKINGS[code]
            if name in words:
                return flight, day
    return None


def _by_number(text: str, now: datetime) -> tuple[str, str] | None:
    found = _FLIGHT.search(text)
    if found is None:
        return None
    flight = f"{found[1].upper()}{found[2]}"
    rest = text[: found.start()] + " " + text[found.end() :]
    day = parse_date(rest, now) or _day_in(rest, now)
    if day is None:
        days = sorted(d for f, d in FLIGHTS if f == flight and d >= now.date().isoformat())
        return (flight, days[0]) if len(days) == 1 else None
    return flight, day.isoformat()


_DAY = re.compile(
    r"\b\d{1,2}\.\s?\d{1,2}\.?(?:\d{2,4})?|\b(?:heute|morgen|übermorgen|today|tomorrow)\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[a-z]{3,9}\b|\b\d{1,2}\.\s+[a-zä]{3,9}\b",
    re.IGNORECASE,
)
"""A date inside a longer message ("keine Updates mehr zu SA 1234 am 10.12.")."""


def _day_in(text: str, now: datetime) -> date | None:
    for found in _DAY.finditer(text):
        day = parse_date(found[0], now)
        if day is not None:
            return day
    return None


@action("find_flight")
async def find_flight(context: ActionContext) -> ActionOutcome:
    text = str(context.args.get("reference") or context.message)[:500]
    now = context.now
    match = _by_code(text) or _by_number(text, now)
    if match is None or match not in FLIGHTS:
        named = bool(_CODE.search(text.upper()) or _FLIGHT.search(text))
        return ActionOutcome(slots={"found": "no", "named": "yes" if named else "no"})
    flight, day = match
    info = FLIGHTS[match]
    shown = date.fromisoformat(day).strftime("%d.%m.%Y")
    return ActionOutcome(
        slots={
            "found": "yes",
            "named": "yes",
            "flight": f"{flight[:2]} {flight[2:]}",
            "day": shown,
            "route": info["route"],
            "departs": info["departs"],
            "topic": f"flight:{flight}:{day}",
        }
    )
