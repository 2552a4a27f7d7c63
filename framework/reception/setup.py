"""The bookings of a served workspace: the store beside the others, the plans of the bots that
book, and the background look that lets holds expire and sends the reminders that are due
(each exactly once, whichever worker looks: the store hands every one out to one caller)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping

from framework.bookings.plan import Plan, plan_of
from framework.bookings.service import Bookings, Refunds
from framework.bookings.telling import send_reminders
from framework.errors import ThekeError
from framework.flows.model import Bot
from framework.payments.service import Payments
from framework.reception.web import BookingOffice
from framework.stores.opening import open_bookings
from framework.stores.order_store import OrderStore
from framework.stores.records import Inbox
from framework.tickets.service import Publisher
from framework.workspace import Workspace

__all__ = ["LOOK_EVERY", "DepositRefunds", "look_after_bookings", "open_booking_office"]

log = logging.getLogger("theke.bookings")

LOOK_EVERY = 15.0
"""Seconds between two looks for holds past their time and reminders due."""


async def open_booking_office(
    workspace: Workspace,
    bots: Mapping[str, Bot],
    events: Publisher | None,
    inbox: Inbox,
    clock: Callable[[], float] = time.time,
    refunds: Refunds | None = None,
) -> BookingOffice:
    store = await open_bookings(workspace.store, workspace.root)
    plans: dict[str, Plan] = {}
    for name, bot in bots.items():
        plan = plan_of(bot)
        if plan is not None:
            plans[name] = plan
    bookings = Bookings(store, events, clock, refunds)
    return BookingOffice(bookings, plans, inbox, workspace.base_url)


async def look_after_bookings(office: BookingOffice) -> None:
    """Holds past their time become expired (their time is free again); reminders due are
    sent."""
    store, now = office.bookings.store, office.bookings.now()
    while expired := await store.expire(now):
        log.info("holds expired", extra={"count": len(expired)})
    if office.inbox is not None:
        await send_reminders(store, dict(office.plans), office.inbox, office.links, now)


class DepositRefunds:
    """Deposits back through the deployment's payments: the order that paid one, found by its
    number, refunded by that amount at its provider."""

    def __init__(self, orders: OrderStore, payments: Callable[[], Payments]) -> None:
        self._orders, self._payments = orders, payments

    async def refund(self, bot: str, order: str, amount: int) -> None:
        number = int(order) if order.isascii() and order.isdigit() and len(order) <= 12 else 0
        found = await self._orders.find(bot, number) if number else None
        if found is None:
            raise ThekeError(f"no order {order!r} of {bot} paid this deposit")
        await self._payments().refund(found, amount)
