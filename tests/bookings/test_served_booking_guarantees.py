"""The booking guarantees, served: a hold not confirmed lapses and its time is offered again;
each reminder reaches the customer once however many servers look at once; of customers who
pick the same time one gets it and the others are told and offered other times (in one app on
SQLite and on Redis, and with two `theke run` workers on one Redis); hostile messages never
break a turn nor reach another customer's booking."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import monotonic, sleep
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from framework.bookings.plan import plan_of
from framework.reception.setup import look_after_bookings
from framework.stores.bookings import (
    CONFIRMED,
    EXPIRED,
    HELD,
    LIVE,
    Booking,
    BookingStore,
    NewHold,
)
from framework.stores.opening import open_bookings
from tests.bookings.test_served_bookings import (
    ASKED,
    AUTH,
    BERLIN,
    BOT,
    MONDAY,
    NAIL,
    OFFERED,
    STUDIO,
    TAKEN,
    WISH,
    admin,
    berlin,
    book,
    clock,
    conversation,
    heard,
    heard_once,
    office_of,
    say,
    served,
    store_url,
    stored,
    studio,
)
from tests.clocks import Clock
from tests.payments.test_order_store import REDIS_URL, delete_keys, redis_client
from tests.runtime.processes import free_port, port_answers, stop_process

__all__ = ["clock", "served", "store_url"]  # the fixtures of test_served_bookings

REMINDER = (
    "Erinnerung: Maniküre am Fr., 11. Dezember, 13:30 (Anna). Wir freuen uns auf dich! Falls "
    "du es nicht schaffst, schreib einfach „verschieben“ oder „absagen“."
)


# -- holds lapse


async def test_a_hold_not_confirmed_lapses_and_its_time_is_offered_again(
    served: TestClient, clock: Clock
) -> None:
    await say(served, "ada", WISH)
    assert await say(served, "ada", "den zweiten") == [ASKED]  # held for ten minutes
    assert (await stored(served, 1001)).status == HELD
    [offers] = await say(served, "bo", WISH)
    assert "13:30" not in offers and "12:00 (Anna)" in offers
    office = office_of(served)
    clock.now += 9 * 60
    await look_after_bookings(office)
    assert (await stored(served, 1001)).status == HELD
    clock.now += 2 * 60  # eleven minutes after the pick, no answer
    await asyncio.gather(look_after_bookings(office), look_after_bookings(office))
    lapsed = await stored(served, 1001)
    assert lapsed.status == EXPIRED
    assert [(e.kind, e.by) for e in lapsed.history] == [("held", "bot"), ("expired", "system")]
    assert any(OFFERED in text for text in await say(served, "cy", WISH))
    assert await say(served, "cy", "den zweiten") == [ASKED]  # 1002: the same time, for cy
    [gone] = await say(served, "ada", "ja")
    assert gone.startswith("Der Termin ist leider nicht mehr frei"), gone
    assert (await stored(served, 1001)).status == EXPIRED
    assert (await stored(served, 1002)).status == HELD


# -- reminders


async def test_each_reminder_reaches_the_customer_once_from_two_servers_looking_at_once(
    tmp_path: Path, store_url: str, clock: Clock
) -> None:
    async with (
        studio(tmp_path, store_url, clock) as one,
        studio(tmp_path, store_url, clock) as two,
    ):
        await book(one, "ada")  # Friday 13:30: reminded Thursday 13:30 and Friday 11:30
        offices = [office_of(one), office_of(two)]
        for moment, count in [("2026-12-10T13:31", 1), ("2026-12-11T11:31", 2)]:
            clock.now = berlin(moment).timestamp()
            await asyncio.gather(*(look_after_bookings(office) for office in offices * 4))
            assert await heard_once(two, "ada", "Erinnerung", count) == [REMINDER] * count
        await asyncio.sleep(0.6)  # the servers' own looks and turns have run meanwhile too
        said = await heard(one, "ada")
        assert [text for text in said if text.startswith("Erinnerung")] == [REMINDER] * 2
        booking = await stored(one, 1001)
        assert booking.reminded == 2
        assert [e.kind for e in booking.history].count("reminded") == 2


async def test_reminders_follow_a_move_by_the_business_and_end_with_a_cancel(
    served: TestClient, clock: Clock
) -> None:
    await book(served, "ada")  # 1001: Friday 13:30
    for text in ("Pediküre am Freitag um 12", "ja"):
        await say(served, "bo", text)
    assert (await say(served, "bo", "ja"))[0].startswith(
        "Gebucht! ✨ Deine Buchungsnummer ist 1002"
    )
    await say(served, "bo", "termin absagen")
    assert (await say(served, "bo", "ja"))[0].startswith("Dein Termin Nr. 1002 ist abgesagt.")
    office = office_of(served)
    clock.now = berlin("2026-12-10T13:31").timestamp()
    await look_after_bookings(office)
    assert await heard_once(served, "ada", "Erinnerung") == [REMINDER]
    move = {"agent": "lina", "start": "2026-12-12T12:00+01:00"}  # to Saturday noon
    moving = await served.post(f"/admin/bookings/{BOT}/1001/move", json=move, headers=AUTH)
    assert moving.status == 200
    assert await heard_once(served, "ada", "Wir mussten")
    saturday = REMINDER.replace("Fr., 11. Dezember, 13:30", "Sa., 12. Dezember, 12:00")
    for moment, count in [
        ("2026-12-11T11:31", 0),
        ("2026-12-11T12:01", 1),
        ("2026-12-12T10:01", 2),
    ]:
        clock.now = berlin(moment).timestamp()  # Friday 11:30 was the old time's: nothing
        await look_after_bookings(office)
        assert (
            await heard_once(served, "ada", "Erinnerung", count + 1)
            == [REMINDER] + [saturday] * count
        )
    await asyncio.sleep(0.6)  # bo's cancelled booking had its reminders' times meanwhile
    assert [text for text in await heard(served, "bo") if text.startswith("Erinnerung")] == []
    assert [text for text in await heard(served, "ada") if "Erinnerung" in text] == [
        REMINDER,
        saturday,
        saturday,
    ]


# -- no double booking


async def test_two_customers_pick_the_same_time_at_once_and_one_gets_it(
    served: TestClient,
) -> None:
    for sender in ("ada", "bo"):
        assert any(OFFERED in text for text in await say(served, sender, WISH))
    ada, bo = await asyncio.gather(
        say(served, "ada", "den zweiten"), say(served, "bo", "den zweiten")
    )
    [won] = [(sender, said) for sender, said in (("ada", ada), ("bo", bo)) if said == [ASKED]]
    [(lost, told)] = [(s, said) for s, said in (("ada", ada), ("bo", bo)) if said != [ASKED]]
    assert told[0] == TAKEN, told
    assert told[1].startswith("Für Maniküre hätte ich: ") and "13:30" not in told[1], told
    [booked] = await say(served, won[0], "ja")
    assert booked.startswith("Gebucht! ✨ Deine Buchungsnummer ist 1001")
    assert (await say(served, lost, "den ersten"))[0].startswith("Maniküre am Fr., 11. Dezember")
    [second] = await say(served, lost, "ja")
    assert second.startswith("Gebucht! ✨ Deine Buchungsnummer ist 1002")
    friday = await live_on(served, date(2026, 12, 11))
    assert [(b.number, clock_of(b), b.conversation) for b in friday if clock_of(b) == "13:30"] == [
        (1001, "13:30", conversation(won[0]))
    ]


async def live_on(client: TestClient, day: date) -> list[Booking]:
    start = datetime.combine(day, time(0), BERLIN)
    return list(
        await office_of(client).bookings.store.list(
            BOT, LIVE, None, None, start.timestamp(), (start + timedelta(days=1)).timestamp()
        )
    )


def clock_of(booking: Booking) -> str:
    return f"{datetime.fromtimestamp(booking.start, BERLIN):%H:%M}"


# -- hostile input


async def test_hostile_messages_break_no_turn_and_reach_no_other_booking(
    served: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    await book(served, "ada")
    before = await stored(served, 1001)
    caplog.set_level(logging.WARNING)
    for text in [
        "Maniküre am Freitag bei Anna " + "bitte ganz dringend, " * 500,  # 10 KB of wish
        "\x00\x01\x07\x1b[31mManiküre\u202e am\x7f Freitag\ufeff\u200b\U0001f485 bei Anna",
        "den 9999999.",
        "den 0.",
        "absagen 1001",
        "ja",
        "verschieben 1001 auf Samstag",
        "den ersten",
        "#1001",
        "meine termine 1001",
    ]:
        response = await served.post(
            "/webhooks/rest/webhook", json={"sender": "mallory", "message": text}
        )
        assert response.status in (200, 400, 413), (text[:40], response.status)
        if response.status == 200:
            said = [reply.get("text", "") for reply in await response.json()]
            assert not any("schiefgelaufen" in reply for reply in said), (text[:40], said)
            assert not any("1001" in reply for reply in said), (text[:40], said)
    assert await stored(served, 1001) == before
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_twenty_customers_race_two_workers_for_the_last_free_time_and_one_gets_it(
    tmp_path: Path,
) -> None:
    client, prefix = await redis_client(), f"served-race-{uuid.uuid4().hex[:16]}"
    url = f"{REDIS_URL}?prefix={prefix}"
    store = await open_bookings(url)
    try:
        await leave_one_time(store, "anna", "13:30", "14:25")  # a manicure's 45 + 10 minutes
        with workers(tmp_path, url, 2) as ports:
            await race(ports, store)
    finally:
        await store.close()
        await delete_keys(client, prefix)


FRIDAY = date(2026, 12, 11)
NOW = "2026-12-07T18:30+01:00"
LAST = "Für Maniküre hätte ich: Fr., 11. Dezember, 13:30 (Anna). Was passt dir?"


async def leave_one_time(store: BookingStore, person: str, free: str, until: str) -> None:
    """Everyone's Friday taken by the business (confirmed blocks) but `free`–`until` of
    `person`."""
    plan = plan_of(STUDIO)
    assert plan is not None
    spans = [(name, "06:00", "22:00") for name in plan.staff if name != person]
    spans += [(person, "06:00", free), (person, until, "22:00")]
    for resource, since, till in spans:
        start, end = (berlin(f"{FRIDAY}T{clock}").timestamp() for clock in (since, till))
        new = NewHold(BOT, "manicure", resource, start, end, start, end, MONDAY + 600, by="agent:x")
        taken = await store.hold(new, MONDAY)
        await store.confirm(BOT, taken.number, "agent:x", MONDAY)


@contextmanager
def workers(folder: Path, store: str, count: int) -> Iterator[list[int]]:
    """`count` `theke run` processes serving the nail studio on `store`, their clocks started
    at Monday 18:30."""
    workspace = folder / "flows.yaml"
    workspace.write_text(
        f"version: 1\nbots:\n  - {NAIL}\nstore: {store}\n"
        "server: {host: 127.0.0.1, lease: 1s}\n"
        "limits: {burst: 10000, messages_per_minute: 100000,"
        " new_conversations: {per_address: 100000, per_bot: 1000000}}\n",
        encoding="utf-8",
    )
    ports = [free_port() for _ in range(count)]
    command = [sys.executable, "-m", "framework.cli", "run", str(workspace), "--now", NOW]
    logs = [folder / f"worker-{port}.log" for port in ports]
    started = []
    for port, log in zip(ports, logs, strict=True):
        with log.open("wb") as output:
            started.append(
                subprocess.Popen(
                    [*command, "--port", str(port)], stdout=output, stderr=subprocess.STDOUT
                )
            )
    try:
        deadline = monotonic() + 30
        while not all(map(port_answers, ports)):
            said = "\n".join(log.read_text(errors="replace") for log in logs)
            assert monotonic() < deadline and all(p.poll() is None for p in started), said
            sleep(0.05)
        yield ports
    finally:
        for process in started:
            stop_process(process)


async def race(ports: list[int], store: BookingStore) -> None:
    senders = [f"racer-{number}" for number in range(20)]
    async with aiohttp.ClientSession() as http:

        async def say_on(number: int, text: str, turn: int) -> list[str]:
            port = ports[(number + turn) % len(ports)]  # every turn on the other worker
            sent = await post_to(http, port, senders[number], text, f"{senders[number]}-{turn}")
            return [reply.get("text", "") for reply in sent]

        offered = await asyncio.gather(*(say_on(n, "Maniküre am Freitag", 0) for n in range(20)))
        assert all(said and said[0].startswith(LAST) for said in offered), offered
        picked = await asyncio.gather(*(say_on(n, "ja", 1) for n in range(20)))
        won = [n for n, said in enumerate(picked) if said and "Soll ich" in said[0]]
        assert len(won) == 1, picked
        lost = [said for n, said in enumerate(picked) if n not in won]
        assert all(said[0] == TAKEN and "Fr., 11. Dezember" not in said[1] for said in lost), lost
        [booked] = await say_on(won[0], "ja", 2)
        assert booked.startswith("Gebucht! ✨ Deine Buchungsnummer ist "), booked
    start = berlin(f"{FRIDAY}T13:30").timestamp()
    there = [
        b for b in await store.list(BOT, LIVE, start=start, end=start + 60) if b.start == start
    ]
    assert [(b.status, b.conversation) for b in there] == [
        (CONFIRMED, conversation(senders[won[0]]))
    ]


async def post_to(
    http: aiohttp.ClientSession, port: int, sender: str, text: str, message_id: str
) -> list[dict[str, Any]]:
    body = {"sender": sender, "message": text, "message_id": message_id}
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    async with http.post(url, json=body, timeout=aiohttp.ClientTimeout(total=30)) as response:
        assert response.status == 200, await response.text()
        replies: list[dict[str, Any]] = await response.json()
        return replies


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
async def test_a_pick_of_number_zero_takes_no_offer(served: TestClient) -> None:
    """Found while writing these tests, fails until fixed: "den 0." (or "um 0 Uhr") is read as
    the hour 0 or 12 (picking.py `_by_number`: `number + 12` for every number up to 7, 0
    included) and holds the noon offer."""
    for sender, text in [("ada", "den 0."), ("bo", "um 0 Uhr")]:
        assert any(OFFERED in said for said in await say(served, sender, WISH))
        said = await say(served, sender, text)
        assert not any("Soll ich das verbindlich buchen?" in reply for reply in said), said
    assert await office_of(served).bookings.store.list(BOT) == []  # nothing held


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
async def test_a_move_to_a_start_no_calendar_has_is_a_bad_request_not_a_server_error(
    served: TestClient,
) -> None:
    """Found while writing these tests, fails until fixed: reception/web.py `_moved` turns the
    start into a local datetime unchecked; year 1 in Berlin is year 0: ValueError, a 500."""
    await book(served, "ada")
    for start in ["0001-01-01T00:00+01:00", "0001-01-01T00:30+14:00"]:
        status, _ = await admin(served, "move", 1001, {"agent": "lina", "start": start})
        assert status == 400, (start, status)  # is 500: ValueError "year 0 is out of range"
    assert (await stored(served, 1001)).sequence == 0


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
async def test_a_bad_list_query_is_a_bad_request_not_a_conflict(served: TestClient) -> None:
    """Found while writing these tests, fails until fixed: reception/web.py `list_bookings`
    hands the query to the store unchecked, and the store's BookingError is a 409."""
    await book(served, "ada")
    for query in [
        "limit=300",  # page_limit takes 1 to 500, the booking store at most 200
        "from=2026-12-12T00:00%2B01:00&to=2026-12-11T00:00%2B01:00",  # to before from
        "from=0001-01-02T00:00%2B01:00",  # before 1970
        f"staff={'x' * 300}",
    ]:
        response = await served.get(f"/admin/bookings?{query}", headers=AUTH)
        assert response.status == 400, (query, response.status, await response.text())
