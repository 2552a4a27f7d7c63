"""The bookings of a deployment: every change kept in the booking store and told to the
business's webhooks — `booking.created` when a booking is confirmed, `booking.moved`,
`booking.cancelled`, `booking.no_show` (holds are the chat's business and not told).

An event's id comes from the booking and the length of its history, so a step repeated after
a crash tells nothing twice (as for tickets).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from framework.errors import ThekeError
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

__all__ = ["Bookings", "Refunds", "booking_data"]

log = logging.getLogger("theke.bookings")

_TOLD = {"confirmed": "booking.created", "moved": "booking.moved", CANCELLED: "booking.cancelled"}
_TOLD[NO_SHOW] = "booking.no_show"
_HIDDEN = ("customer", "conversation", "token", "key", "history")
"""What an event leaves out: how to reach the customer, the calendar link's secret."""


class Refunds(Protocol):
    """Gives a deposit back: the payments of the deployment (framework/reception/setup.py)."""

    async def refund(self, bot: str, order: str, amount: int) -> None:
        """Refund `amount` (minor units) of the bot's order `order` (its number); raises
        ThekeError when it cannot (the business then sees the refund due in the event)."""
        ...


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
        refunds: Refunds | None = None,
    ) -> None:
        self.store, self._events, self._clock = store, events, clock
        self._refunds = refunds

    def now(self) -> float:
        return self._clock()

    async def hold(self, new: NewHold, now: float) -> Booking:
        return await self.store.hold(new, now)

    async def confirm(
        self, bot: str, number: int, by: str, now: float, payment: str = ""
    ) -> Booking:
        booking = await self.store.confirm(bot, number, by, now, payment)
        await self._publish(booking)
        return booking

    async def release(self, bot: str, number: int, by: str, now: float, note: str = "") -> Booking:
        return await self.store.release(bot, number, by, now, note)

    async def cancel(
        self,
        bot: str,
        number: int,
        by: str,
        now: float,
        note: str = "",
        refund: bool | None = None,
    ) -> Booking:
        """Cancel, and give a paid deposit back when `refund` (None: when the business cancels,
        `by` an agent; a customer's cancel follows the policy, which the booking desk knows).
        The `booking.cancelled` event says what became of the deposit."""
        booking = await self.store.cancel(bot, number, by, now, note)
        last = booking.history[-1] if booking.history else None
        if last is None or last.kind != CANCELLED or last.at != now:
            return booking  # cancelled before: told and refunded then
        give_back = by.startswith("agent:") if refund is None else refund
        deposit = "none"
        if booking.deposit_minor:
            deposit = await self.refund_deposit(booking) if give_back else "kept"
        await self._publish(booking, deposit=deposit)
        return booking

    async def move(self, bot: str, number: int, changes: NewHold, by: str, now: float) -> Booking:
        booking = await self.store.move(bot, number, changes, by, now)
        await self._publish(booking)
        return booking

    async def no_show(self, bot: str, number: int, by: str, now: float) -> Booking:
        booking = await self.store.no_show(bot, number, by, now)
        await self._publish(booking)
        return booking

    async def refund_deposit(self, booking: Booking, payment: str = "") -> str:
        """The paid deposit of a cancelled booking back to the customer: "refunded", "due" (no
        way to refund here, as in `theke chat`, or no payment known: the business's event says
        so), "failed" (the provider refused: logged, and the event says it is due). `payment`:
        the order that paid it, when the booking does not know it (a confirm came too late)."""
        order = payment or booking.payment
        if not order or self._refunds is None:
            return "due"
        try:
            await self._refunds.refund(booking.bot, order, booking.deposit_minor)
        except ThekeError as error:
            log.warning(
                "deposit not refunded", extra={"booking": booking.number, "error": str(error)}
            )
            return "failed"
        return "refunded"

    async def _publish(self, booking: Booking, **extra: str) -> None:
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
            booking_data(booking) | {"by": last.by, "note": last.note} | extra,
            id=event_id(kind, booking.bot, str(booking.number), str(len(booking.history))),
            at=last.at,
        )
