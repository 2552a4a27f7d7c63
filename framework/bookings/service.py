"""The bookings of a deployment: every change kept in the booking store and told to the
business's webhooks — `booking.created` when a booking is confirmed, `booking.moved`,
`booking.cancelled`, `booking.no_show` (holds are the chat's business and not told).

An event's id comes from the booking and the length of its history, so a step repeated after
a crash tells nothing twice (as for tickets).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from framework.event_ids import event_id
from framework.stores.bookings import (
    CANCELLED,
    CONFIRMED,
    NO_SHOW,
    Booking,
    BookingStore,
    NewHold,
)
from framework.stores.records import iso_time
from framework.tickets.service import Publisher

__all__ = ["Bookings", "booking_data"]

_TOLD = {"confirmed": "booking.created", "moved": "booking.moved", CANCELLED: "booking.cancelled"}
_TOLD[NO_SHOW] = "booking.no_show"
_HIDDEN = ("customer", "conversation", "token", "key", "history")
"""What an event leaves out: how to reach the customer, the calendar link's secret."""


def booking_data(booking: Booking) -> dict[str, Any]:
    data = {k: v for k, v in _head(booking).items() if k not in _HIDDEN}
    for moment in ("start", "end", "created_at", "updated_at"):
        data[moment] = iso_time(data[moment])
    del data["blocked_from"], data["blocked_until"], data["expires_at"]
    return {"booking": data}


def _head(booking: Booking) -> dict[str, Any]:
    return {name: getattr(booking, name) for name in booking.__slots__}


class Bookings:
    def __init__(
        self,
        store: BookingStore,
        events: Publisher | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self._events, self._clock = store, events, clock

    def now(self) -> float:
        return self._clock()

    async def hold(self, new: NewHold, now: float) -> Booking:
        return await self.store.hold(new, now)

    async def confirm(self, bot: str, number: int, by: str, now: float) -> Booking:
        booking = await self.store.confirm(bot, number, by, now)
        await self._publish(booking)
        return booking

    async def release(self, bot: str, number: int, by: str, now: float, note: str = "") -> Booking:
        return await self.store.release(bot, number, by, now, note)

    async def cancel(self, bot: str, number: int, by: str, now: float, note: str = "") -> Booking:
        booking = await self.store.cancel(bot, number, by, now, note)
        await self._publish(booking)
        return booking

    async def move(self, bot: str, number: int, changes: NewHold, by: str, now: float) -> Booking:
        booking = await self.store.move(bot, number, changes, by, now)
        await self._publish(booking)
        return booking

    async def no_show(self, bot: str, number: int, by: str, now: float) -> Booking:
        booking = await self.store.no_show(bot, number, by, now)
        await self._publish(booking)
        return booking

    async def _publish(self, booking: Booking) -> None:
        if self._events is None or not booking.history:
            return
        last = booking.history[-1]
        kind = _TOLD.get(last.kind)
        if kind is None or (last.kind == "confirmed" and booking.status != CONFIRMED):
            return
        await self._events.emit(
            booking.bot,
            booking.conversation,
            kind,
            booking_data(booking) | {"by": last.by, "note": last.note},
            id=event_id(kind, booking.bot, str(booking.number), str(len(booking.history))),
            at=last.at,
        )
