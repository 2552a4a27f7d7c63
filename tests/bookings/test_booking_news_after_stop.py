"""A booking's reminders and the business's move are about the customer's own booking: utility
messages of something they started, which a STOP does not end — and the STOP's confirmation
says so. Served on SQLite and on Redis."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from framework.reception.setup import look_after_bookings
from tests.bookings.test_served_booking_guarantees import REMINDER
from tests.bookings.test_served_bookings import (
    AUTH,
    BOT,
    berlin,
    book,
    clock,
    heard_once,
    office_of,
    say,
    served,
    store_url,
)
from tests.clocks import Clock

__all__ = ["clock", "served", "store_url"]  # the fixtures of test_served_bookings

STOPPED = (
    "Erledigt: Wir schreiben dir von uns aus nicht mehr – keine Werbung, keine "
    "Benachrichtigungen. Nur zu deinen eigenen Bestellungen, Terminen und Anfragen hörst du "
    "weiter von uns, bis sie erledigt sind."
)


async def test_after_stop_the_reminder_and_the_move_of_the_booking_still_come(
    served: TestClient, clock: Clock
) -> None:
    await book(served, "ada")  # 1001: Friday 13:30, reminded Thursday 13:30
    [stopped] = await say(served, "ada", "stop")
    assert stopped.startswith(STOPPED), stopped
    clock.now = berlin("2026-12-10T13:31").timestamp()
    await look_after_bookings(office_of(served))
    assert await heard_once(served, "ada", "Erinnerung") == [REMINDER]
    move = {"agent": "lina", "start": "2026-12-12T12:00+01:00"}
    moving = await served.post(f"/admin/bookings/{BOT}/1001/move", json=move, headers=AUTH)
    assert moving.status == 200, await moving.text()
    assert await heard_once(served, "ada", "Wir mussten")
