"""Erasing a person from a booking: the studio keeps the booking (its calendar, its revenue,
the deposit's order), the customer in it is replaced by a pseudonym.

What goes: the conversation it came from, the customer's contact (channel, id, name, phone,
email) and every note of its history (free text an agent or the customer may have written).
What stays: number, service, resource, times, status, prices, the deposit's order, the
idempotency key (a hash naming nobody), the token and the history's events without their notes,
with an `erased` event at the end. Its reminders stop: there is nobody to remind any more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from framework.stores.bookings import Booking, BookingEvent

__all__ = ["ERASED", "forgetting"]

ERASED = "erased"
"""The history event that says the customer was erased."""


def forgetting(ref: str, now: float) -> Callable[[Booking], Booking]:
    """The change that erases the customer, keeping `ref` (a pseudonym, "" for none) so the
    business can tell one erased customer's bookings and orders belong together."""
    customer = {"ref": ref} if ref else {}

    def forget(booking: Booking) -> Booking:
        if not booking.conversation and booking.customer == customer:
            return booking  # erased already: nothing changes, nothing is written
        history = tuple(replace(event, note="") for event in booking.history)
        return booking.changed(
            conversation="",
            customer=customer,
            reminded=len(booking.remind_at),
            updated_at=now,
            history=(*history, BookingEvent(now, ERASED, "system")),
        )

    return forget
