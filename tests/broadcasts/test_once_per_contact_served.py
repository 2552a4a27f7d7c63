"""Once per contact through the served app (SQLite) and the fakes of the Graph API and the Bot
API: a customer who subscribed on WhatsApp and on Telegram and linked the two chats with a code
gets an offer once, on the channel they wrote on last, and a notification once; the same
notification key posted again two days later (after the inboxes forgot it) notifies nobody."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from framework.channels.common import CONTEXT
from framework.channels.telegram import TelegramChannel
from tests.broadcasts.test_rate_limit_hold import TEMPLATE, Served, served
from tests.channels.shop import eventually
from tests.channels.test_whatsapp_channel import said, shown, webhook
from tests.consents.cafe import ADMIN, AUTH, CAKE, NEWS, SUBSCRIBED
from tests.fakes import webhooks as wa
from tests.fakes.graph_api import FakeGraphApi, workspace_channel
from tests.fakes.telegram_api import BOT_TOKEN, FakeTelegramApi

DAY = 86400.0
LINKED = "Verbunden: Ich kenne dich jetzt in beiden Chats."


class Both:
    def __init__(self, cafe: Served, graph: FakeGraphApi, telegram: FakeTelegramApi) -> None:
        self.cafe, self.graph, self.telegram = cafe, graph, telegram

    async def on_whatsapp(self, words: str, answer: str) -> None:
        await self.graph.post_messages(webhook(self.cafe.client), wa.text(words))
        await said(self.graph, answer)

    async def on_telegram(self, words: str, answer: str) -> str:
        await self.telegram.send_text(words)
        found = await eventually(
            lambda: next((m["text"] for m in self.telegram.sent if answer in m["text"]), None),
            f"the bot says {answer!r} on Telegram",
        )
        return str(found)

    def cakes(self) -> tuple[int, int]:
        """The café's cake (offer or news) as WhatsApp and Telegram showed it."""
        on_whatsapp = [s for s in self.graph.sent if _template(s) or CAKE in shown(s)]
        return len(on_whatsapp), sum(CAKE in m.get("text", "") for m in self.telegram.sent)

    async def notify(self, key: str) -> dict[str, object]:
        body = {"bot": "cafe", "topic": "news", "text": "fresh_cake", "key": key}
        response = await self.cafe.client.post("/api/notify", json=body, headers=AUTH)
        assert response.status == 200, await response.text()
        return dict(await response.json())


def _template(sent: object) -> bool:
    payload = getattr(sent, "payload", {})
    return payload.get("type") == "template" and payload["template"]["name"] == TEMPLATE["name"]


@pytest.fixture
async def both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Both]:
    for name, value in (("THEKE_ADMIN_KEY", ADMIN), ("TG_TOKEN", BOT_TOKEN), ("TG_SECRET", "s_1")):
        monkeypatch.setenv(name, value)
    async with FakeGraphApi() as graph, FakeTelegramApi() as telegram:
        account = {"token": "env:TG_TOKEN", "secret_token": "env:TG_SECRET"}
        channels = {
            "telegram": {"api_base": telegram.url, "chat_interval": 0, "bots": {"cafe": account}},
            "whatsapp": workspace_channel(graph, "cafe", monkeypatch.setenv),
        }
        async with served(tmp_path, channels) as cafe:
            telegram.deliver_to = f"http://127.0.0.1:{cafe.client.port}"
            channel = cafe.client.app[CONTEXT].runtime.delivery.channels["telegram"]
            assert isinstance(channel, TelegramChannel)
            await channel.set_webhook("cafe", "https://bot.example.com")
            yield Both(cafe, graph, telegram)


async def linked_customer(both: Both) -> None:
    """Offers and news asked for on both channels, then the chats linked: a code asked for on
    Telegram and written on WhatsApp (the channel written on last)."""
    for words, answer in (("angebote", SUBSCRIBED), ("neuigkeiten", NEWS)):
        await both.on_telegram(words, answer)
        await both.on_whatsapp(words, answer)
    told = await both.on_telegram("link code", "Dein Code:")
    code = re.search(r"Dein Code: ([A-Z0-9]{6})", told)
    assert code is not None, told
    both.cafe.now += 300  # contacts keep when they wrote to the minute
    await both.on_whatsapp(f"Code {code.group(1)}", LINKED)


async def test_a_linked_customer_gets_an_offer_once_on_the_channel_written_on_last(
    both: Both,
) -> None:
    await linked_customer(both)
    broadcast_id = await both.cafe.broadcast(whatsapp_template=TEMPLATE)
    await both.cafe.until(lambda: both.cakes() != (0, 0), "the offer went out")
    await asyncio.sleep(0.3)  # anything more would have come by now
    assert both.cakes() == (1, 0)
    status = await both.cafe.client.get(f"/admin/broadcasts/{broadcast_id}", headers=AUTH)
    found = await status.json()
    assert (found["status"], found["queued"], found["elsewhere"]) == ("done", 1, 1)


async def test_a_notification_reaches_a_linked_customer_once_and_its_key_again_nobody(
    both: Both,
) -> None:
    await linked_customer(both)
    first = await both.notify("cake-1")
    assert (first["notified"], first["already"], first["waiting"]) == (1, 0, 0)
    await eventually(lambda: both.cakes() == (1, 0), "the news on WhatsApp")
    assert (await both.notify("cake-1"))["notified"] == 1  # the inbox takes it once
    both.cafe.now += 2 * DAY  # the inboxes forgot the key (a day), the notifier did not
    again = await both.notify("cake-1")
    assert (again["notified"], again["already"]) == (0, 1)
    await asyncio.sleep(0.3)
    assert both.cakes() == (1, 0)
    assert (await both.notify("cake-2"))["notified"] == 1  # another event is news again
