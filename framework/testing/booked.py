"""Bookings a conversation test starts with (`bookings:` in a test): the studio's calendar as
it is before the customer writes — a fully booked day, a customer's own earlier booking.

```yaml
- name: Saturday is fully booked
  bookings:
    - {service: manicure, staff: anna, start: "2026-12-12T10:00", until: "2026-12-12T19:00"}
    - {service: manicure, staff: maria, start: "2026-12-12T10:00", mine: true}
```

Each entry is confirmed on that staff member's calendar: from `start` (local time) for the
service's minutes, or blocking until `until` (a whole day taken by the business); `mine: true`
makes it the tested customer's own booking (theke test's conversation), else the business's.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from framework.bookings.availability import Offer, new_hold
from framework.bookings.plan import Plan, plan_of
from framework.bookings.service import Bookings
from framework.errors import FlowError
from framework.flows.model import Bot
from framework.stores.bookings import BookingError
from framework.stores.memory.bookings import MemoryBookings
from framework.stores.records import SessionKey

__all__ = ["booked_before"]


def booked_before(
    bot: Bot, entries: list[Any], now: datetime, customer: SessionKey
) -> Bookings | None:
    """A memory store holding the entries, None when the test has none; FlowError naming
    what is wrong with an entry."""
    if not entries:
        return None
    plan = plan_of(bot)
    if plan is None:
        raise FlowError("bookings: the bot has no booking.yaml")
    store = MemoryBookings()
    for number, entry in enumerate(entries, 1):
        try:
            asyncio.run(_book(store, plan, entry, now, customer))
        except (BookingError, KeyError, TypeError, ValueError) as error:
            raise FlowError(f"bookings, entry {number}: {error}") from None
    return Bookings(store)


async def _book(
    store: MemoryBookings, plan: Plan, entry: dict[str, Any], now: datetime, customer: SessionKey
) -> None:
    zone = plan.business.timezone
    service = plan.services[str(entry["service"])]
    staff = str(entry.get("staff") or service.staff[0])
    start = datetime.fromisoformat(str(entry["start"])).replace(tzinfo=zone)
    offer = Offer.at(start, service, staff)
    if "until" in entry:
        until = datetime.fromisoformat(str(entry["until"])).replace(tzinfo=zone)
        offer = Offer(start, until, staff)
    earlier = now.timestamp() - 86400
    conversation = str(customer) if entry.get("mine") else ""
    hold = new_hold(
        plan,
        service,
        offer,
        earlier,
        timedelta(hours=1),
        conversation=conversation,
        by="agent:test",
    )
    held = await store.hold(hold, earlier)
    await store.confirm(plan.bot, held.number, "agent:test", earlier)
