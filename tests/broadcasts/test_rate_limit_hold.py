"""A messenger that says "too many" stops the whole sender, not one conversation: a broadcast
through the served app (SQLite) and the fakes of the Bot API and the Graph API, answering in
their documented formats. Telegram's 429 with `retry_after` blocks all of the bot's calls, so
after the first refusal no other conversation calls Telegram until it passed, and the
broadcast hands out nothing more meanwhile (it waits, `rate_limited`); WhatsApp's 130429
holds the number alike. Everyone still gets the offer, once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.flows import load_bot
from framework.outreach.broadcasts_web import BROADCASTS
from framework.outreach.web import CONSENTS
from framework.stores.consents import GRANTED, MARKETING, Consent
from framework.workspace import Workspace
from tests.channels.shop import eventually
from tests.consents.cafe import ADMIN, AUTH, BOT, NOW
from tests.fakes.graph_api import FakeGraphApi, workspace_channel
from tests.fakes.telegram_api import BOT_TOKEN, FakeTelegramApi
from tests.fakes.webhooks import TelegramUser

CAKE = "Frisch aus dem Ofen: Pflaumenkuchen."
TEMPLATE = {"name": "fresh_cake", "category": "marketing", "languages": {"de": "de"}}
QUIET = 0.8
"""Seconds after a refusal in which nobody may call the messenger (its hold lasts longer)."""


class Served:
    """The café on SQLite with a clock the test moves, and its broadcasts' sending loop."""

    def __init__(self, tmp_path: Path, channels: dict[str, Any]) -> None:
        self.now = NOW
        folder = tmp_path / "cafe"
        folder.mkdir()
        (folder / "bot.yaml").write_text(BOT, encoding="utf-8")
        workspace = Workspace(
            root=tmp_path, bots=(folder,), store=f"sqlite:///{tmp_path / 's.db'}", channels=channels
        )
        app = create_app(workspace, {"cafe": load_bot(folder)}, clock=lambda: self.now, tick=0.05)
        self.client = TestClient(TestServer(app))

    async def holders(self, channel: str, customers: list[str]) -> None:
        ledger = self.client.server.app[CONSENTS].store
        for customer in customers:
            key = f"cafe:{channel}:{customer}"
            said = "Angebote vom Café Kranz?"
            await ledger.record(
                Consent("cafe", key, MARKETING, GRANTED, said, channel, "import", self.now)
            )

    async def broadcast(self, **extra: Any) -> str:
        body = {"bot": "cafe", "text": "fresh_cake", **extra}
        made = await self.client.post("/admin/broadcasts", json=body, headers=AUTH)
        assert made.status == 201, await made.text()
        broadcast_id = str((await made.json())["id"])
        await self.client.post(f"/admin/broadcasts/{broadcast_id}/send", headers=AUTH)
        return broadcast_id

    async def step(self) -> dict[str, Any]:
        """One step of the sending loop, a second after the last."""
        self.now += 1.0
        stepped = await self.client.server.app[BROADCASTS].sender.step()
        assert stepped is not None
        return stepped.to_json()

    async def until(self, check: Callable[[], bool], what: str) -> None:
        """Steps of the sending loop, the clock moving on (the deliveries' retries are due by
        it), until `check()` holds."""
        for _ in range(100):
            await self.client.server.app[BROADCASTS].sender.step()
            if check():
                return
            self.now += 0.5
            await asyncio.sleep(0.1)
        raise AssertionError(f"never happened: {what}")


@asynccontextmanager
async def served(tmp_path: Path, channels: dict[str, Any]) -> AsyncIterator[Served]:
    cafe = Served(tmp_path, channels)
    await cafe.client.start_server()
    try:
        yield cafe
    finally:
        await cafe.client.close()


async def calls_stay(count: Callable[[], int], seconds: float) -> None:
    """Nobody calls the messenger for `seconds`."""
    before = count()
    await asyncio.sleep(seconds)
    assert count() == before, "a conversation called the messenger while the sender was held"


async def test_telegrams_429_holds_every_conversation_and_the_broadcast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in (("THEKE_ADMIN_KEY", ADMIN), ("TG_TOKEN", BOT_TOKEN), ("TG_SECRET", "s_1")):
        monkeypatch.setenv(name, value)
    async with FakeTelegramApi() as telegram:
        users = [telegram.user(TelegramUser(id=5000 + n, first_name=f"U{n}")) for n in range(40)]
        account = {"token": "env:TG_TOKEN", "secret_token": "env:TG_SECRET"}
        spec = {"api_base": telegram.url, "chat_interval": 0, "bots": {"cafe": account}}
        async with served(tmp_path, {"telegram": spec}) as cafe:
            await cafe.holders("telegram", [str(user.id) for user in users])
            broadcast_id = await cafe.broadcast()
            telegram.flood(2)  # Telegram's flood control, from the first call on
            first = await cafe.step()
            assert 0 < first["queued"] < 40  # a second's worth: 24 at 90 % of 30

            def refused() -> int:
                return sum(call.status == 429 for call in telegram.requests)

            await eventually(refused, "the first send meets the 429")
            waiting = await cafe.step()
            assert waiting["waiting"] == "rate_limited"
            assert (waiting["queued"], waiting["cursor"]) == (first["queued"], first["cursor"])
            await calls_stay(lambda: len(telegram.requests), QUIET)
            assert refused() == 1  # one refusal, not one per conversation

            def offered() -> list[int]:
                return sorted(sent["chat"]["id"] for sent in telegram.sent if sent["text"] == CAKE)

            everyone = sorted(user.id for user in users)
            await cafe.until(lambda: offered() == everyone, "everyone got the offer")
            await asyncio.sleep(0.2)
            assert offered() == everyone  # each once
            assert refused() == 1
            status = await cafe.client.get(f"/admin/broadcasts/{broadcast_id}", headers=AUTH)
            assert (await status.json())["waiting"] == ""


async def test_whatsapps_130429_holds_the_number_for_every_conversation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THEKE_ADMIN_KEY", ADMIN)
    async with FakeGraphApi() as graph:
        spec = workspace_channel(graph, "cafe", monkeypatch.setenv)
        async with served(tmp_path, {"whatsapp": spec}) as cafe:
            customers = [f"4915100000{n:02d}" for n in range(12)]
            await cafe.holders("whatsapp", customers)
            await cafe.broadcast(whatsapp_template=TEMPLATE)
            graph.fail_next(130429)  # Meta's throughput refusal, as the Cloud API answers it

            def refused() -> int:
                return sum(call.status == 400 for call in graph.requests)

            await cafe.step()
            await eventually(refused, "the first send meets 130429")
            await calls_stay(lambda: len(graph.requests), QUIET)  # its hold: 1 to 2 s
            await cafe.until(
                lambda: sorted(sent.wa_id for sent in graph.sent) == customers,
                "every customer got the offer",
            )
            assert refused() == 1
