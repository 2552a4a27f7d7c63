"""Bookings served by the real app: the nail studio's customer books over REST and gets a
calendar link that serves an RFC 5545 file; the business lists, shows, moves and cancels
through the admin API and the customer hears of it in the chat; the business's webhooks hear
booking.created, .moved and .cancelled once each; a hold not confirmed lapses and its time is
offered again; hostile input never breaks a turn nor reaches another customer's booking. On a
SQLite file and on Redis (a key prefix of the test's own, deleted after), at a fixed clock:
Monday 7 December 2026, 18:30 in Berlin (the studio opens again on Tuesday)."""

from __future__ import annotations

import asyncio
import io
import re
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer
from icalendar import Calendar

from framework.app import create_app
from framework.events import EVENTS
from framework.flows import load_bot
from framework.reception.web import BOOKING_OFFICE
from framework.stores.bookings import CONFIRMED, Booking
from framework.workspace import PaymentSettings, Workspace
from tests.clocks import Clock
from tests.fakes.signed_hooks import signed_hooks
from tests.payments.test_order_store import REDIS_URL, delete_keys, redis_client

NAIL = Path(__file__).parents[2] / "bots" / "nail_studio"
STUDIO = load_bot(NAIL)
BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 12, 7, 18, 30, tzinfo=BERLIN).timestamp()
PUBLIC = "https://studio.example"
KEY = "admin-key-for-bookings-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}
SECRET = "whsec_booking_events_0123456789abcdef012345"
WISH = "Maniküre am Freitag nachmittag bei Anna"
OFFERED = "Fr., 11. Dezember, 12:00 (Anna), 13:30 (Anna) oder 14:30 (Anna)"
ASKED = "Maniküre am Fr., 11. Dezember, 13:30 (Anna), 35,00\xa0€. Soll ich das verbindlich buchen?"
TAKEN = "Oh, den Termin hat gerade jemand anderes bekommen. Ich schaue, was noch frei ist."
FAILED = "Entschuldigung, da ist bei uns etwas schiefgelaufen"
LINK = re.compile(re.escape(PUBLIC) + r"(/calendar/nail_studio-[A-Za-z0-9_-]{22}\.ics)")
BOT = "nail_studio"


def conversation(sender: str) -> str:
    return f"{BOT}:rest:{sender}"


@pytest.fixture(params=["sqlite", "redis"])
async def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A SQLite file in the test's folder, or the test Redis under a prefix of the test's own
    (its keys deleted after)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
        return
    client, prefix = await redis_client(), f"served-bookings-{uuid.uuid4().hex[:16]}"
    try:
        yield f"{REDIS_URL}?prefix={prefix}"
    finally:
        await delete_keys(client, prefix)


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY)


@asynccontextmanager
async def studio(
    root: Path, store: str, clock: Callable[[], float], **workspace: Any
) -> AsyncIterator[TestClient]:
    """The nail studio served on `store`; two of them on one store are two instances of one
    deployment (two servers, one set of bookings)."""
    settings = Workspace(
        root=root,
        bots=(NAIL,),
        store=store,
        public_url=PUBLIC,
        payments=PaymentSettings(provider="sandbox"),
        new_per_address=10_000,
        **workspace,
    )
    client = TestClient(TestServer(create_app(settings, {BOT: STUDIO}, clock=clock)))
    try:
        await client.start_server()
        yield client
    finally:
        await client.close()


@pytest.fixture
async def served(
    tmp_path: Path, store_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[TestClient]:
    monkeypatch.setenv("THEKE_ADMIN_KEY", KEY)
    async with studio(tmp_path, store_url, clock) as client:
        yield client


async def say(client: TestClient, sender: str, text: str) -> list[str]:
    """The customer's message over REST and the texts of the turn's replies."""
    response = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert response.status == 200, await response.text()
    return [reply.get("text", "") for reply in await response.json()]


async def heard(client: TestClient, sender: str) -> list[str]:
    """Everything the bot said in the conversation so far, as a REST client polls for it."""
    response = await client.get(f"/webhooks/rest/conversations/{sender}/messages?limit=100")
    assert response.status == 200, await response.text()
    return [message.get("text", "") for message in await response.json()]


async def heard_once(client: TestClient, sender: str, start: str, count: int = 1) -> list[str]:
    """The bot's messages that start with `start`, once there are `count` of them (polled; the
    notices are said by the server's background work, after the call that queued them)."""
    found: list[str] = []
    for _ in range(250):
        found = [text for text in await heard(client, sender) if text.startswith(start)]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.02)
    return found


async def book(
    client: TestClient, sender: str, pick: str = "den zweiten", offered: str = OFFERED
) -> str:
    """A manicure on Friday afternoon with Anna, the `pick` of the offers, yes: the path part
    of the calendar link the confirmation gives."""
    assert any(offered in text for text in await say(client, sender, WISH))
    await say(client, sender, pick)
    [confirmed] = await say(client, sender, "ja")
    assert confirmed.startswith("Gebucht! ✨ Deine Buchungsnummer ist "), confirmed
    found = LINK.search(confirmed)
    assert found is not None, confirmed
    return found.group(1)


async def calendar(client: TestClient, path: str) -> Calendar:
    response = await client.get(path)
    assert response.status == 200, await response.text()
    assert response.content_type == "text/calendar"
    return Calendar.from_ical(await response.read())


def event_of(entry: Calendar) -> Any:
    [event] = entry.walk("VEVENT")
    return event


def office_of(client: TestClient) -> Any:
    return client.server.app[BOOKING_OFFICE]


async def stored(client: TestClient, number: int) -> Booking:
    found = await office_of(client).bookings.store.get(BOT, number)
    assert found is not None
    return found


def berlin(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


# -- the customer's booking and its calendar entry


async def test_a_customer_books_over_rest_and_the_link_serves_the_calendar_entry(
    served: TestClient,
) -> None:
    assert await say(served, "ada", WISH) == [
        f"Für Maniküre hätte ich: {OFFERED}. Was passt dir? Du kannst auch einen anderen Tag "
        "nennen."
    ]
    assert await say(served, "ada", "den zweiten") == [ASKED]
    [confirmed] = await say(served, "ada", "ja")
    assert confirmed.startswith(
        "Gebucht! ✨ Deine Buchungsnummer ist 1001: Maniküre am Fr., 11. Dezember, 13:30 (Anna)."
    )
    link = LINK.search(confirmed)
    assert link is not None, confirmed
    entry = await calendar(served, link.group(1))
    assert entry["METHOD"] == "REQUEST"
    event = event_of(entry)
    start = event.decoded("DTSTART")
    assert start == berlin("2026-12-11T13:30")
    assert str(start.tzinfo) == "Europe/Berlin"
    assert event.decoded("DTEND") == berlin("2026-12-11T14:15")
    assert str(event["SUMMARY"]) == "Maniküre – Nagelstudio Lina"
    assert str(event["UID"]) == "nail_studio-1001@bookings.theke"
    assert event.decoded("SEQUENCE") == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    booking = await stored(served, 1001)
    assert (booking.status, booking.conversation) == (CONFIRMED, conversation("ada"))


async def test_a_wrong_or_hostile_calendar_token_is_not_found(served: TestClient) -> None:
    path = await book(served, "ada")
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    other = token[:-1] + ("A" if token[-1] != "A" else "B")
    for wrong in [
        f"/calendar/{other}.ics",
        f"/calendar/{token.upper()}.ics" if token.upper() != token else "/calendar/x.ics",
        "/calendar/nail_studio-.ics",
        f"/calendar/{token}.ics.ics",
        "/calendar/%2E%2E%2F%2E%2E%2Fetc.ics",
        "/calendar/..%2F..%2Fetc%2Fpasswd.ics",
        "/calendar/nail_studio-%00%00%00%00%00%00%00%00%00%00%00%00.ics",
        "/calendar/%F0%9F%92%85%F0%9F%92%85%F0%9F%92%85%F0%9F%92%85%F0%9F%92%85.ics",
        f"/calendar/{'A' * 7000}.ics",
    ]:
        response = await served.get(wrong)
        assert response.status == 404, (wrong[:80], response.status)
    long = await served.get(f"/calendar/{'A' * 10_240}.ics")
    # 10 KB: longer than the request line aiohttp reads (8190 bytes), refused before the app
    assert long.status in (400, 404), long.status
    assert (await served.get(path)).status == 200  # the real one still answers


# -- the business's side: the admin API, the customer told, the webhooks


Business = tuple[TestClient, list[dict[str, Any]]]


@pytest.fixture
async def business(
    tmp_path: Path, store_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Business]:
    """The studio with the admin key and a webhook endpoint subscribed to every booking event,
    and what the endpoint received."""
    monkeypatch.setenv("THEKE_ADMIN_KEY", KEY)
    monkeypatch.setenv("STUDIO_HOOK_SECRET", SECRET)
    async with signed_hooks(SECRET, MONDAY) as (received, url):
        hook = {"url": url, "secret": "env:STUDIO_HOOK_SECRET", "types": ["booking.*"]}
        async with studio(tmp_path, store_url, clock, events=(hook,)) as client:
            yield client, received


async def admin(client: TestClient, change: str, number: int, body: Any) -> tuple[int, Any]:
    url = f"/admin/bookings/{BOT}/{number}/{change}"
    response = await client.post(url, json=body, headers=AUTH)
    if response.content_type != "application/json":
        return response.status, await response.text()
    return response.status, await response.json()


async def shown(client: TestClient, number: int) -> dict[str, Any]:
    response = await client.get(f"/admin/bookings/{BOT}/{number}", headers=AUTH)
    assert response.status == 200, await response.text()
    found: dict[str, Any] = await response.json()
    return found


async def listed(client: TestClient, day: str, **query: str) -> list[tuple[int, str]]:
    """The (number, local start) of the bookings of a day in Berlin, by start."""
    params = {"bot": BOT, "from": f"{day}T00:00+01:00", "to": f"{day}T23:59+01:00", **query}
    response = await client.get("/admin/bookings", params=params, headers=AUTH)
    assert response.status == 200, await response.text()
    return [
        (b["number"], f"{datetime.fromtimestamp(b['start'], BERLIN):%H:%M}")
        for b in (await response.json())["bookings"]
    ]


async def test_the_business_moves_and_cancels_and_the_customer_and_the_webhooks_hear_it(
    business: Business,
) -> None:
    served, received = business
    ada = await book(served, "ada")  # 1001: Friday 13:30 with Anna
    await book(served, "bo", "den ersten", "Fr., 11. Dezember, 12:00 (Anna)")  # 1002: 12:00
    assert await listed(served, "2026-12-11") == [(1002, "12:00"), (1001, "13:30")]
    assert await listed(served, "2026-12-11", status="held") == []
    assert await listed(served, "2026-12-10") == []
    booking = await shown(served, 1001)
    assert (booking["status"], booking["resource"], booking["sequence"]) == (CONFIRMED, "anna", 0)
    assert [(e["kind"], e["by"]) for e in booking["history"]] == [
        ("held", "bot"),
        ("confirmed", "bot"),
    ]

    taken = {"agent": "lina", "start": "2026-12-11T12:30+01:00"}  # 1002 is there until 12:55
    assert (await admin(served, "move", 1001, taken))[0] == 409
    assert await shown(served, 1001) == booking  # nothing changed
    assert event_of(await calendar(served, ada)).decoded("SEQUENCE") == 0

    status, moved = await admin(
        served, "move", 1001, {"agent": "lina", "start": "2026-12-11T16:00+01:00"}
    )
    assert (status, moved["sequence"]) == (200, 1)
    event = event_of(await calendar(served, ada))  # the same link, the entry updated
    assert (event.decoded("SEQUENCE"), event.decoded("DTSTART")) == (1, berlin("2026-12-11T16:00"))
    assert await heard_once(served, "ada", "Wir mussten") == [
        "Wir mussten deinen Termin Nr. 1001 verschieben: Maniküre ist jetzt am Fr., 11. "
        f"Dezember, 16:00 (Anna). Der neue Kalendereintrag: {PUBLIC}{ada} – passt es nicht, "
        "schreib einfach „verschieben“."
    ]
    assert "13:30 (Anna)" in (await say(served, "cy", WISH))[0]  # the old time is free again

    note = {"agent": "lina", "note": "Anna ist krank."}
    status, cancelled = await admin(served, "cancel", 1001, note)
    assert (status, cancelled["status"]) == (200, "cancelled")
    entry = await calendar(served, ada)
    assert (entry["METHOD"], event_of(entry)["STATUS"]) == ("CANCEL", "CANCELLED")
    assert await heard_once(served, "ada", "Leider") == [
        "Leider müssen wir deinen Termin Nr. 1001 (Maniküre am Fr., 11. Dezember, 16:00 (Anna)) "
        "absagen. Anna ist krank. Schreib „Termin buchen“ für einen neuen."
    ]
    assert [(e["kind"], e["by"]) for e in (await shown(served, 1001))["history"]] == [
        ("held", "bot"),
        ("confirmed", "bot"),
        ("moved", "agent:lina"),
        ("cancelled", "agent:lina"),
    ]

    events = served.server.app[EVENTS]
    for _ in range(3):  # the background delivery runs too: each event still arrives once
        while await events.deliver():
            pass
        await asyncio.sleep(0.05)
    told = [(e["data"]["booking"]["number"], e["type"]) for e in received]
    assert [kind for number, kind in told if number == 1001] == [  # in order per conversation
        "booking.created",
        "booking.moved",
        "booking.cancelled",
    ]
    assert [kind for number, kind in told if number == 1002] == ["booking.created"]
    assert len({e["id"] for e in received}) == 4
    assert all("token" not in e["data"]["booking"] for e in received)
    assert all("customer" not in e["data"]["booking"] for e in received)


async def test_admin_refusals(served: TestClient) -> None:
    await book(served, "ada")
    url = f"/admin/bookings/{BOT}"
    move = {"agent": "lina", "start": "2026-12-11T16:00+01:00"}
    assert (await served.get("/admin/bookings")).status == 403
    assert (await served.get(f"{url}/1001")).status == 403
    assert (await served.post(f"{url}/1001/move", json=move)).status == 403
    wrong = {"Authorization": f"Bearer {KEY[:-1]}x"}
    assert (await served.post(f"{url}/1001/cancel", json=move, headers=wrong)).status == 403
    for path, status in [
        (f"{url}/4711", 404),
        (f"{url}/{'9' * 40}", 404),
        ("/admin/bookings/nobot/1001", 400),  # as for tickets: "name a bot"
        ("/admin/bookings?bot=nobot", 400),
        (f"{url}/%EF%BC%91", 400),
        ("/admin/bookings?status=done", 400),
        ("/admin/bookings?from=friday", 400),
        ("/admin/bookings?from=2026-12-11T00:00", 400),  # no offset
    ]:
        assert (await served.get(path, headers=AUTH)).status == status, path
    for change in ("move", "cancel", "no_show"):
        status, _ = await admin(served, change, 4711, move)
        assert status == 404, change
    for body in [
        {"start": "2026-12-11T16:00+01:00"},
        {"agent": "lina", "start": "morgen"},
        {"agent": "lina", "start": "2026-12-11T16:00"},
        {"agent": "lina", "start": "2026-12-11T16:00+01:00", "staff": "nobody"},
        ["not", "an", "object"],
    ]:
        status, _ = await admin(served, "move", 1001, body)
        assert status == 400, body
    huge = await served.post(
        f"{url}/1001/cancel",
        data=io.BytesIO(b'{"agent": "lina", "note": "' + b"x" * 1_048_576 + b'"}'),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert huge.status == 413
    booking = await stored(served, 1001)
    assert (booking.status, booking.sequence, len(booking.history)) == (CONFIRMED, 0, 2)
