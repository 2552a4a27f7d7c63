"""Notifications through the real app on SQLite: travellers follow a flight in the chat (the
consent kept word for word), the airline's system posts news to /api/notify, and exactly those
holding the consent hear it — once, however often the news is posted; STOP ends it in the same
turn, START brings it back. Refusals: no key, a text the bot does not have, a bad topic, too
many values."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient

from framework.outreach.web import CONSENTS
from framework.stores.consents import GRANTED, WITHDRAWN
from tests.served import everything_said, say, served_bot

AIRLINE = Path(__file__).resolve().parents[2] / "bots" / "airline"
NOW = datetime(2026, 12, 7, 18, 30, tzinfo=ZoneInfo("Europe/Berlin")).timestamp()
KEY = "secret-admin-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
TOPIC = "flight:SA1234:2026-12-10"
DELAYED = (
    "✈️ Flug SA 1234 am 10.12.2026 ist verspätet: neuer Abflug 11:15 Uhr."
    " Fragen? Schreib einfach „was nun?“."
)


@pytest.fixture
async def airline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient]:
    monkeypatch.setenv("THEKE_ADMIN_KEY", KEY)
    async with served_bot(AIRLINE, tmp_path, lambda: NOW) as client:
        yield client


def delay(key: str = "evt-1", **changes: Any) -> dict[str, Any]:
    values = {"flight": "SA 1234", "day": "10.12.2026", "time": "11:15"}
    return {
        "bot": "airline",
        "topic": TOPIC,
        "text": "flight_delayed",
        "values": values,
        "key": key,
    } | changes


async def follow(client: TestClient, sender: str, reference: str) -> None:
    await say(client, sender, reference)
    assert (await say(client, sender, "ja"))[0].startswith("Erledigt ✅")


async def news(client: TestClient, sender: str, wanted: int) -> list[str]:
    """The delay texts `sender` got, once `wanted` arrived (or after a short wait)."""
    found: list[str] = []
    for _ in range(100):
        found = [text for text in await everything_said(client, sender) if text.startswith(DELAYED)]
        if len(found) >= wanted:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.05)  # anything more would have come by now
    return [text for text in await everything_said(client, sender) if text.startswith(DELAYED)]


async def test_only_those_holding_the_consent_hear_the_news_and_each_once(
    airline: TestClient,
) -> None:
    await follow(airline, "ada", "K7Q2XM Meier")
    await follow(airline, "ben", "SA 1234 am 10.12.")
    await say(airline, "carl", "K7Q2XM Meier")  # asked, but never said yes
    await follow(airline, "dora", "K7Q2XM Meier")
    assert (await say(airline, "dora", "STOP"))[0].startswith("Erledigt: Wir schreiben dir")
    await follow(airline, "emil", "SA 2207 am 12.12.")  # another flight
    for _ in range(2):  # the airline's system posts the same event twice
        response = await airline.post("/api/notify", json=delay(), headers=AUTH)
        assert response.status == 200, await response.text()
        assert (await response.json())["notified"] == 2
    assert await news(airline, "ada", 1) == [DELAYED]
    assert await news(airline, "ben", 1) == [DELAYED]
    for nobody in ("carl", "dora", "emil"):
        assert await news(airline, nobody, 0) == []


async def test_start_after_stop_brings_the_news_back(airline: TestClient) -> None:
    await follow(airline, "ada", "K7Q2XM Meier")
    await say(airline, "ada", "stop")
    assert (await (await airline.post("/api/notify", json=delay("e1"), headers=AUTH)).json())[
        "notified"
    ] == 0
    assert (await say(airline, "ada", "START"))[0].startswith("Willkommen zurück")
    assert (await (await airline.post("/api/notify", json=delay("e2"), headers=AUTH)).json())[
        "notified"
    ] == 1
    assert await news(airline, "ada", 1) == [DELAYED]


async def test_the_ledger_keeps_the_words_shown_and_the_stop(airline: TestClient) -> None:
    await follow(airline, "ada", "K7Q2XM Meier")
    await say(airline, "ada", "Stopp bitte")
    ledger = airline.server.app[CONSENTS].store
    history = await ledger.history("airline", "airline:rest:ada")
    assert [(entry.purpose, entry.state, entry.source) for entry in history] == [
        (f"notify:{TOPIC}", GRANTED, "flow:follow"),
        (f"notify:{TOPIC}", WITHDRAWN, "stop"),
    ]
    assert history[0].text.startswith(
        "Flug SA 1234 Berlin → Palma am 10.12.2026, Abflug 09:40 Uhr."
    )
    assert "Darf Spree Air dich hier zu diesem Flug benachrichtigen" in history[0].text
    assert history[1].text == "Stopp bitte" and history[0].channel == "rest"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (delay(text="no_such_text"), 400),
        (delay(topic="flight SA 1234; DROP"), 400),
        (delay(key=""), 400),
        (delay(values={f"v{n}": "x" for n in range(50)}), 400),
        (delay(values={"time": "x" * 10_000}), 400),
        (delay(bot="pizza"), 400),
        ({"bot": "airline"}, 400),
    ],
)
async def test_bad_notifications_are_refused_and_notify_nobody(
    airline: TestClient, body: dict[str, Any], status: int
) -> None:
    await follow(airline, "ada", "K7Q2XM Meier")
    response = await airline.post("/api/notify", json=body, headers=AUTH)
    assert response.status == status, await response.text()
    assert await news(airline, "ada", 0) == []


async def test_without_the_admin_key_nothing_is_sent(airline: TestClient) -> None:
    await follow(airline, "ada", "K7Q2XM Meier")
    assert (await airline.post("/api/notify", json=delay())).status == 403
    bad = {"Authorization": "Bearer wrong"}
    assert (await airline.post("/api/notify", json=delay(), headers=bad)).status == 403
    assert await news(airline, "ada", 0) == []
