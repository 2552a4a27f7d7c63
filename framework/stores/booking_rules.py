"""What the booking stores share, so that they cannot disagree: the status rules, the overlap
rule, when a booking is due to expire or be reminded, and the JSON a booking is kept as
(booking_checks.py checks what enters).

A change is a pure function from the stored booking to the new one (one event longer,
`updated_at` the change's time), or the very booking it was given when there is nothing to do
(confirming a confirmed booking): then nothing is written. Whether a change takes time the
booking did not hold (`needs_check`) and what refuses it when someone else holds that time
(`refusal`) is decided here too; only the looking is the store's. Memory and SQLite look with
`first_in_the_way` (SQLite's query only narrows the rows to look at, with its index), Redis
with the same rule in Lua (redis/bookings.py); the contract suite checks that they agree.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any, NamedTuple

from framework.stores import checks
from framework.stores.booking_checks import MAX_NOTE, author, moment, text, time_span
from framework.stores.booking_erasure import forgetting
from framework.stores.bookings import (
    CANCELLED,
    CONFIRMED,
    EXPIRED,
    HELD,
    NO_SHOW,
    RELEASED,
    Booking,
    BookingError,
    BookingEvent,
    BookingNotFound,
    Busy,
    DueReminder,
    NewHold,
    NotHeld,
    SlotTaken,
    StatusRefused,
)
from framework.stores.json_text import dump
from framework.stores.records import iso_time
from framework.stores.tickets import SYSTEM

__all__ = [
    "MAX_EVENTS",
    "Change",
    "ChangedByRule",
    "Span",
    "busy_spans",
    "cancelling",
    "confirming",
    "decide",
    "dumped",
    "existing",
    "expiring",
    "extending",
    "first_in_the_way",
    "hold_due",
    "indexed",
    "load",
    "marking_no_show",
    "moving",
    "needs_check",
    "refusal",
    "releasing",
    "reminder_due",
    "reminding",
    "slot_taken",
    "span_of",
]

MAX_PAYMENT = 64
"""The characters of an order number or id a booking keeps for its deposit."""

MAX_EVENTS = 200
"""Events a booking's history keeps at most."""
_ROOM = 12
"""Events kept free for the ones nobody can refuse (confirm, reminders, cancel, expire): the
repeatable changes (extend, move) are refused once the history is this close to the limit."""
Change = Callable[[Booking], Booking]
"""A change of a booking: the stored one in, the new one out (or a BookingError)."""


class Span(NamedTuple):
    """What the overlap rule needs of a booking."""

    number: int
    status: str
    expires_at: float
    blocked_from: float
    blocked_until: float


def existing(booking: Booking | None, bot: str, number: int) -> Booking:
    if booking is None:
        raise BookingNotFound(f"{bot} has no booking {checks.shown(number)}; check the number")
    return booking


# -- the overlap rule --------------------------------------------------------------------------


def indexed(number: int, blocked_from: float, blocked_until: float, expires_at: float) -> Span:
    """The span of a held or confirmed booking as an index keeps it: expires_at 0 when it is
    confirmed (a hold's is a time)."""
    status = CONFIRMED if expires_at == 0 else HELD
    return Span(number, status, expires_at, blocked_from, blocked_until)


def span_of(booking: Booking) -> Span:
    b = booking
    return Span(b.number, b.status, b.expires_at, b.blocked_from, b.blocked_until)


def _blocks(span: Span, blocked_from: float, blocked_until: float, now: float) -> bool:
    """THE rule: a live booking (confirmed, or held and not expired at `now`) blocks every
    span it overlaps; spans that only touch (one's end is the other's start) do not."""
    live = span.status == CONFIRMED or (span.status == HELD and span.expires_at > now)
    return live and span.blocked_from < blocked_until and blocked_from < span.blocked_until


def first_in_the_way(spans: Iterable[Span], booking: Booking, now: float) -> int:
    """The number of a booking of `spans` (of the booking's resource) that blocks it, or 0."""
    for span in spans:
        if span.number != booking.number and _blocks(
            span, booking.blocked_from, booking.blocked_until, now
        ):
            return span.number
    return 0


def busy_spans(
    found: Iterable[tuple[str, Span]], start: float, end: float, now: float
) -> list[Busy]:
    """The live ones of (resource, span) pairs that overlap `[start, end)`, as `busy` gives them:
    by blocked_from, then resource and number."""
    busy = [
        Busy(resource, span.blocked_from, span.blocked_until, span.number)
        for resource, span in found
        if _blocks(span, start, end, now)
    ]
    return sorted(busy, key=lambda b: (b.blocked_from, b.resource, b.number))


def needs_check(old: Booking, new: Booking, now: float) -> bool:
    """Whether keeping `new` takes time `old` did not hold at `now` (a confirm after the hold
    lapsed, a move): then the store looks for bookings in the way, in the same atomic step."""
    if not new.is_live(now):
        return False
    same = (old.resource, old.blocked_from, old.blocked_until) == (
        new.resource,
        new.blocked_from,
        new.blocked_until,
    )
    return not (same and old.is_live(now))


def refusal(old: Booking, new: Booking, taken_by: int) -> BookingError:
    """What refuses a change whose time booking `taken_by` holds."""
    if old.status != CONFIRMED:
        return NotHeld(
            f"the hold of booking {old.number} of {old.bot} lapsed and booking {taken_by} took "
            "its time meanwhile; offer the customer another time",
        )
    return slot_taken(new, taken_by)


def slot_taken(booking: Booking, taken_by: int) -> SlotTaken:
    return SlotTaken(
        f"{booking.resource} of {booking.bot} is taken from {iso_time(booking.blocked_from)} to "
        f"{iso_time(booking.blocked_until)} by booking {taken_by}; offer another time",
        taken_by,
    )


def decide(
    old: Booking, change: Change, now: float, in_the_way: Callable[[Booking], int]
) -> Booking:
    """The change applied, its time looked for with `in_the_way` when it takes new time."""
    new = change(old)
    if new is not old and needs_check(old, new, now):
        taken = in_the_way(new)
        if taken:
            raise refusal(old, new, taken)
    return new


def hold_due(booking: Booking) -> float | None:
    """When `expire` hands a held booking out (None: never)."""
    return booking.expires_at if booking.status == HELD else None


def reminder_due(booking: Booking) -> float | None:
    """When `claim_reminders` hands out the booking's next reminder (None: never)."""
    if booking.status != CONFIRMED or booking.reminded >= len(booking.remind_at):
        return None
    return booking.remind_at[booking.reminded]


# -- changes -----------------------------------------------------------------------------------


def _event(
    booking: Booking, at: float, kind: str, by: str, note: str = "", **changes: Any
) -> Booking:
    history = (*booking.history, BookingEvent(at, kind, by, note))
    return booking.changed(updated_at=at, history=history, **changes)


def _refused(booking: Booking, doing: str, advice: str) -> StatusRefused:
    return StatusRefused(
        f"booking {booking.number} of {booking.bot} is {booking.status}: it cannot be "
        f"{doing}; {advice}"
    )


def _room(booking: Booking) -> None:
    if len(booking.history) >= MAX_EVENTS - _ROOM:
        raise BookingError(
            f"booking {booking.number} of {booking.bot} has {len(booking.history)} events, near "
            f"the {MAX_EVENTS} a booking keeps; cancel it and book anew"
        )


def extending(expires_at: float, now: float) -> Change:
    at, until = moment(now), moment(expires_at, "expires_at")
    if until <= at:
        raise BookingError("a hold is extended to a time after now")

    def extend(booking: Booking) -> Booking:
        if not (booking.status == HELD and booking.expires_at > at):
            raise NotHeld(
                f"booking {booking.number} of {booking.bot} is no longer held (it is "
                f"{booking.status if booking.status != HELD else 'lapsed'}); take a new hold"
            )
        _room(booking)
        return _event(booking, at, "extended", SYSTEM, iso_time(until), expires_at=until)

    return extend


_KEPT = {CONFIRMED: {CONFIRMED}, RELEASED: {RELEASED, EXPIRED}, CANCELLED: {CANCELLED}}
"""The statuses a change to a status leaves as they are (a webhook delivered twice)."""


Refusal = Callable[[Booking, float], BookingError | None]
"""Why a booking cannot change at a time (None: it can)."""


def _to(status: str, by: str, now: float, note: str, refused: Refusal) -> Change:
    """The change to `status` (the booking returned as it is when it is there already, or
    refused by `refused`); a hold's expires_at becomes 0, a cancellation counts the sequence
    up."""
    at, who, said = moment(now), author(by), text("the note", note, MAX_NOTE)

    def change(booking: Booking) -> Booking:
        if booking.status in _KEPT.get(status, {status}):
            return booking
        refusal = refused(booking, at)
        if refusal is not None:
            raise refusal
        sequence = booking.sequence + (status == CANCELLED)
        changes = {"status": status, "expires_at": 0.0, "sequence": sequence}
        return _event(booking, at, status, who, said, **changes)

    return change


def _confirmable(booking: Booking, at: float) -> BookingError | None:
    if booking.status in (HELD, EXPIRED):
        return None
    return NotHeld(
        f"booking {booking.number} of {booking.bot} is {booking.status}, no longer held: it "
        "cannot be confirmed; take a new hold"
    )


def _releasable(booking: Booking, at: float) -> BookingError | None:
    if booking.status == HELD:
        return None
    return _refused(booking, "released", "cancel a confirmed booking instead")


def _cancellable(booking: Booking, at: float) -> BookingError | None:
    if booking.status == CONFIRMED:
        return None
    return _refused(booking, "cancelled", "release a hold instead")


def _missable(booking: Booking, at: float) -> BookingError | None:
    if booking.status != CONFIRMED:
        return _refused(booking, "a no-show", "only a confirmed booking can be")
    if at < booking.start:
        return _refused(booking, "a no-show before its start", "wait until it starts")
    return None


def confirming(by: str, now: float, payment: str = "") -> Change:
    """Held → confirmed, keeping the order that paid the deposit (`payment`)."""
    paid = text("the payment", payment, MAX_PAYMENT)
    confirm = _to(CONFIRMED, by, now, f"paid: order {paid}" if paid else "", _confirmable)

    def change(booking: Booking) -> Booking:
        new = confirm(booking)
        return new.changed(payment=paid) if new is not booking and paid else new

    return change


def releasing(by: str, now: float, note: str) -> Change:
    return _to(RELEASED, by, now, note, _releasable)


def cancelling(by: str, now: float, note: str) -> Change:
    return _to(CANCELLED, by, now, note, _cancellable)


def marking_no_show(by: str, now: float) -> Change:
    return _to(NO_SHOW, by, now, "", _missable)


def moving(changes: NewHold, by: str, now: float) -> Change:
    at, who, span = moment(now), author(by), time_span(changes)

    def move(booking: Booking) -> Booking:
        if booking.status != CONFIRMED:
            raise _refused(booking, "moved", "only a confirmed booking moves")
        _room(booking)
        was = f"{iso_time(booking.start)} {booking.resource}"
        reminded = sum(1 for remind in span["remind_at"] if remind <= at)
        sequence = booking.sequence + 1
        return _event(booking, at, "moved", who, was, sequence=sequence, reminded=reminded, **span)

    return move


def expiring(booking: Booking, now: float) -> Booking | None:
    """The held booking expired at `now`, or None when it is not due (any more)."""
    due = hold_due(booking)
    if due is None or due > now:
        return None
    return _event(booking, now, EXPIRED, SYSTEM, status=EXPIRED, expires_at=0.0)


def reminding(booking: Booking, now: float) -> DueReminder | None:
    """The booking's latest due reminder handed out at `now` (the earlier ones counted as
    handed out too), or None when none is due (any more)."""
    due = reminder_due(booking)
    if due is None or due > now:
        return None
    index = max(i for i, at in enumerate(booking.remind_at) if at <= now)
    new = _event(booking, now, "reminded", SYSTEM, str(index), reminded=index + 1)
    return DueReminder(new, index)


class ChangedByRule:
    """The BookingStore methods that are one change of one booking, for every store: a store
    gives `_changed`, which loads the booking, applies the change (with `decide`, or as Redis
    does) and keeps it in one atomic step."""

    async def _changed(self, bot: str, number: int, change: Change, now: float) -> Booking:
        raise NotImplementedError

    async def extend(self, bot: str, number: int, expires_at: float, now: float) -> Booking:
        return await self._changed(bot, number, extending(expires_at, now), now)

    async def confirm(
        self, bot: str, number: int, by: str, now: float, payment: str = ""
    ) -> Booking:
        return await self._changed(bot, number, confirming(by, now, payment), now)

    async def release(self, bot: str, number: int, by: str, now: float, note: str = "") -> Booking:
        return await self._changed(bot, number, releasing(by, now, note), now)

    async def cancel(self, bot: str, number: int, by: str, now: float, note: str = "") -> Booking:
        return await self._changed(bot, number, cancelling(by, now, note), now)

    async def move(self, bot: str, number: int, changes: NewHold, by: str, now: float) -> Booking:
        return await self._changed(bot, number, moving(changes, by, now), now)

    async def no_show(self, bot: str, number: int, by: str, now: float) -> Booking:
        return await self._changed(bot, number, marking_no_show(by, now), now)

    async def forget_customer(self, bot: str, number: int, ref: str, now: float) -> Booking:
        return await self._changed(bot, number, forgetting(ref, now), now)


# -- JSON --------------------------------------------------------------------------------------


def dumped(booking: Booking) -> str:
    """The JSON a booking is kept as."""
    return dump(asdict(booking))


def load(kept: str) -> Booking:
    data = json.loads(kept)
    history = tuple(BookingEvent.from_json(event) for event in data.pop("history"))
    return Booking(**{**data, "remind_at": tuple(data["remind_at"]), "history": history})
