"""A REST client hears what the bot says after the turn — the payment confirmation above all —
through Rasa's callback channel (every bot message POSTed to the business's URL, in order,
retried) or by polling the conversation's messages after the last `seq` it saw."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.flows import load_bot
from framework.stores.memory.orders import MemoryOrders
from framework.stores.memory.sessions import MemoryStore
from framework.stores.order_store import OrderStore
from framework.stores.session_store import Store
from framework.workspace import Workspace

PIZZA = Path(__file__).parents[2] / "bots" / "pizza"
FRIDAY_EVENING = 1795802400.0
TOKEN = "rest-backend-token-0123456789"
ORDER = ["eine kleine Margherita ohne Extras", "nein", "abholen"]


class Receiver:
    """The business's callback endpoint: keeps what arrives; `down` answers 503."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.down = 0

    async def handle(self, request: web.Request) -> web.Response:
        if self.down:
            self.down -= 1
            return web.Response(status=503)
        self.received.append(await request.json())
        return web.Response(status=200)

    async def texts_until(self, containing: str) -> list[str]:
        for _ in range(300):
            texts = [message["text"] for message in self.received]
            if any(containing in text for text in texts):
                return texts
            await asyncio.sleep(0.02)
        raise AssertionError(f"never received {containing!r}: {self.received}")


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    state = Receiver()
    app = web.Application()
    app.router.add_post("/bot-messages", state.handle)
    server = TestServer(app)
    await server.start_server()
    yield state, str(server.make_url("/bot-messages"))
    await server.close()


@pytest.fixture
async def shop(
    tmp_path: Path, receiver: tuple[Receiver, str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[TestClient]:
    monkeypatch.setenv("THEKE_SANDBOX_SECRET", "sandbox-secret-0123456789")
    monkeypatch.setenv("REST_TOKEN", TOKEN)
    store, orders = MemoryStore(), MemoryOrders()

    async def open_store() -> Store:
        return store

    async def open_orders() -> OrderStore:
        return orders

    channels = {
        "rest": {"auth_token": "env:REST_TOKEN"},
        "callback": {"url": receiver[1], "auth_token": "env:REST_TOKEN", "retry_after": 0.2},
    }
    workspace = Workspace(root=tmp_path, bots=(PIZZA,), channels=channels)
    app = create_app(
        workspace,
        {"pizza": load_bot(PIZZA)},
        store=open_store,
        orders=open_orders,
        clock=running_clock(),
        tick=0.05,
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()


def running_clock() -> Callable[[], float]:
    """Friday evening, and time goes on (a retry is due after its pause)."""
    started = time.monotonic()
    return lambda: FRIDAY_EVENING + time.monotonic() - started


AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def pay(client: TestClient, url: str) -> None:
    path = re.sub(r"^https?://[^/]+", "", url)
    paid = await client.post(path, data={"decision": "pay"}, allow_redirects=False)
    assert paid.status == 303


async def test_the_callback_channel_posts_every_bot_message_in_order(
    shop: TestClient, receiver: tuple[Receiver, str]
) -> None:
    state = receiver[0]
    for number, text in enumerate([*ORDER, "ja"], 1):
        body = {"sender": "ada", "message": text, "message_id": f"m{number}"}
        answer = await shop.post("/webhooks/callback/webhook", json=body, headers=AUTH)
        assert (answer.status, await answer.text()) == (200, "success")
    texts = await state.texts_until("Bitte bezahle")
    link = state.received[-1]["custom"]
    assert link["type"] == "payment_link"
    state.down = 2  # the business's endpoint is down for a moment
    await pay(shop, link["url"])
    texts = await state.texts_until("Danke, bezahlt!")
    assert state.down == 0  # refused twice, delivered after all
    assert texts[0].startswith("1× Margherita (Klein)")
    assert texts[-1].startswith("Danke, bezahlt! Deine Bestellung Nr. 1001")
    seqs = [message["seq"] for message in state.received]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)  # in order, each once
    assert {message["recipient_id"] for message in state.received} == {"ada"}


async def test_the_callback_channel_checks_the_rest_credentials(shop: TestClient) -> None:
    body = {"sender": "ada", "message": "hallo"}
    assert (await shop.post("/webhooks/callback/webhook", json=body)).status == 401


async def test_a_rest_client_polls_for_what_came_after_its_turn(shop: TestClient) -> None:
    for text in ORDER:
        await shop.post(
            "/webhooks/rest/webhook", json={"sender": "bo", "message": text}, headers=AUTH
        )
    response = await shop.post(
        "/webhooks/rest/webhook", json={"sender": "bo", "message": "ja"}, headers=AUTH
    )
    [reply] = await response.json()
    assert isinstance(reply["seq"], int)
    await pay(shop, reply["custom"]["url"])
    base = "/webhooks/rest/conversations/bo/messages"
    url = f"{base}?after={reply['seq']}"
    for _ in range(300):
        later = await (await shop.get(url, headers=AUTH)).json()
        if later:
            break
        await asyncio.sleep(0.02)
    assert [message["text"][:16] for message in later] == ["Danke, bezahlt! "]
    assert later[0]["seq"] > reply["seq"]
    assert await (await shop.get(f"{base}?after={later[0]['seq']}", headers=AUTH)).json() == []


async def test_polling_needs_the_senders_credentials_and_clean_numbers(shop: TestClient) -> None:
    url = "/webhooks/rest/conversations/bo/messages"
    assert (await shop.get(url)).status == 401
    for bad in ["-1", "1e3", "\uff11\uff12", "x", "9" * 40]:
        assert (await shop.get(f"{url}?after={bad}", headers=AUTH)).status == 400, bad
