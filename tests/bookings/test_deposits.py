"""Deposits back, as the policy says and the chat promises: a cancel in time refunds the order
that paid the deposit, a late one keeps it (the nail studio's policy), the business's own
cancel always refunds, a cancel repeated refunds once, a refund the provider refuses is told to
the business; and a deposit paid for a time that went to someone else meanwhile goes back."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from framework.action_calls import ActionContext, ActionError
from framework.bookings.availability import Offer, new_hold
from framework.bookings.desk import BookingDesk
from framework.bookings.plan import Plan, plan_of
from framework.bookings.service import Bookings
from framework.errors import ThekeError
from framework.flows import load_bot
from framework.stores.bookings import CANCELLED, Booking
from framework.stores.memory.bookings import MemoryBookings
from framework.stores.records import SessionKey

BERLIN = ZoneInfo("Europe/Berlin")
STUDIO = Path(__file__).resolve().parents[2] / "bots" / "nail_studio"
NOW = datetime(2026, 12, 7, 18, 30, tzinfo=BERLIN)
SATURDAY_TEN = datetime(2026, 12, 12, 10, 0, tzinfo=BERLIN)
CONVERSATION = str(SessionKey("nail_studio", "rest", "ada"))


class Refunds:
    """Records what the deployment's payments were asked to give back."""

    def __init__(self, refuse: bool = False) -> None:
        self.given: list[tuple[str, str, int]] = []
        self._refuse = refuse

    async def refund(self, bot: str, order: str, amount: int) -> None:
        if self._refuse:
            raise ThekeError("the provider is down")
        self.given.append((bot, order, amount))


class Events:
    def __init__(self) -> None:
        self.emitted: list[tuple[str, Mapping[str, Any]]] = []

    async def emit(
        self,
        bot: str,
        session: str,
        type: str,
        data: Mapping[str, Any],
        *,
        id: str,
        at: float | None = None,
    ) -> int:
        self.emitted.append((type, data))
        return 1


@pytest.fixture(scope="module")
def plan() -> Plan:
    found = plan_of(load_bot(STUDIO))
    assert found is not None
    return found


async def gel_nails_paid(bookings: Bookings, plan: Plan, start: datetime = SATURDAY_TEN) -> Booking:
    service = plan.services["gel_nails"]
    hold = new_hold(
        plan,
        service,
        Offer.at(start, service, "anna"),
        NOW.timestamp(),
        timedelta(minutes=40),
        conversation=CONVERSATION,
    )
    held = await bookings.hold(hold, NOW.timestamp())
    return await bookings.confirm("nail_studio", held.number, "bot", NOW.timestamp(), "1001")


def context(action: str, now: datetime, **args: Any) -> ActionContext:
    return ActionContext(
        action=action,
        args=args,
        request_id=f"req-{uuid.uuid4().hex}",
        bot="nail_studio",
        sender="ada",
        channel="rest",
        lang="de",
        slots={},
        cart=(),
        profile={},
        message="",
        now=now,
    )


async def test_a_cancel_in_time_refunds_the_order_that_paid(plan: Plan) -> None:
    refunds, events = Refunds(), Events()
    bookings = Bookings(MemoryBookings(), events, refunds=refunds)
    booking = await gel_nails_paid(bookings, plan)
    assert booking.payment == "1001" and booking.deposit_minor == 2000
    desk = BookingDesk(plan, bookings)
    told = await desk.run(
        context("booking.cancel", NOW + timedelta(hours=1), number=booking.number)
    )
    assert told.slots["refund"] == "yes" and told.slots["late"] == "no"
    assert refunds.given == [("nail_studio", "1001", 2000)]
    assert [
        (kind, data["deposit"]) for kind, data in events.emitted if kind == "booking.cancelled"
    ] == [("booking.cancelled", "refunded")]


async def test_a_late_cancel_keeps_the_deposit(plan: Plan) -> None:
    refunds, events = Refunds(), Events()
    bookings = Bookings(MemoryBookings(), events, refunds=refunds)
    booking = await gel_nails_paid(bookings, plan)
    evening_before = SATURDAY_TEN - timedelta(hours=14)
    told = await BookingDesk(plan, bookings).run(
        context("booking.cancel", evening_before, number=booking.number)
    )
    assert told.slots["refund"] == "no" and told.slots["late"] == "yes"
    assert refunds.given == []
    cancelled = [data for kind, data in events.emitted if kind == "booking.cancelled"]
    assert [data["deposit"] for data in cancelled] == ["kept"]


async def test_the_business_cancelling_always_refunds_and_only_once(plan: Plan) -> None:
    refunds = Refunds()
    bookings = Bookings(MemoryBookings(), Events(), refunds=refunds)
    booking = await gel_nails_paid(bookings, plan)
    late = (SATURDAY_TEN - timedelta(hours=2)).timestamp()
    first = await bookings.cancel("nail_studio", booking.number, "agent:lina", late, "krank")
    again = await bookings.cancel("nail_studio", booking.number, "agent:lina", late + 5, "krank")
    assert first.status == again.status == CANCELLED
    assert refunds.given == [("nail_studio", "1001", 2000)]


async def test_a_refused_refund_is_told_to_the_business_and_the_cancel_stands(plan: Plan) -> None:
    events = Events()
    bookings = Bookings(MemoryBookings(), events, refunds=Refunds(refuse=True))
    booking = await gel_nails_paid(bookings, plan)
    done = await bookings.cancel("nail_studio", booking.number, "agent:lina", NOW.timestamp() + 60)
    assert done.status == CANCELLED
    assert [data["deposit"] for kind, data in events.emitted if kind == "booking.cancelled"] == [
        "failed"
    ]


async def test_a_deposit_paid_for_a_time_taken_meanwhile_goes_back(plan: Plan) -> None:
    refunds = Refunds()
    store = MemoryBookings()
    bookings = Bookings(store, Events(), refunds=refunds)
    service = plan.services["gel_nails"]
    offer = Offer.at(SATURDAY_TEN, service, "anna")
    mine = await bookings.hold(
        new_hold(
            plan, service, offer, NOW.timestamp(), timedelta(minutes=10), conversation=CONVERSATION
        ),
        NOW.timestamp(),
    )
    later = NOW + timedelta(minutes=20)  # the hold lapsed; another customer took the time
    await bookings.hold(
        new_hold(plan, service, offer, later.timestamp(), timedelta(minutes=10)), later.timestamp()
    )
    with pytest.raises(ActionError, match="booking desk refused"):
        await BookingDesk(plan, bookings).run(
            context("booking.confirm", later, number=mine.number, payment="1002")
        )
    assert refunds.given == [("nail_studio", "1002", 2000)]


async def test_a_time_with_a_deposit_is_held_while_its_payment_is_open(plan: Plan) -> None:
    bookings = Bookings(MemoryBookings())
    desk = BookingDesk(plan, bookings)
    offered = await desk.run(context("booking.offer", NOW, service="gel_nails", wish="Samstag"))
    held = await desk.run(
        context("booking.hold", NOW, service="gel_nails", offers=offered.slots["offers"], pick="1")
    )
    assert held.slots["held"] == "yes", held.slots
    gel = await bookings.store.get("nail_studio", held.slots["number"])
    assert gel is not None and gel.expires_at - NOW.timestamp() == 40 * 60
    offered = await desk.run(context("booking.offer", NOW, service="manicure", wish="Samstag"))
    held = await desk.run(
        context("booking.hold", NOW, service="manicure", offers=offered.slots["offers"], pick="2")
    )
    manicure = await bookings.store.get("nail_studio", held.slots["number"])
    assert manicure is not None and manicure.expires_at - NOW.timestamp() == 10 * 60
