"""A Telegram user who blocks the bot takes back every consent: the served café through the fake
Bot API, whose sends to a blocked chat answer 403 "bot was blocked by the user". The refusal is
written for the business as every failure is, the ledger withdraws everything with the source
`channel` (once), and a user who unblocks the bot and writes again, even /start, gets nothing
back by that."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from framework.channels.common import CONTEXT
from framework.channels.telegram import TelegramChannel
from framework.stores.consents import GRANTED, MARKETING, WITHDRAWN
from tests.channels.shop import eventually, notes_for_business
from tests.consents.cafe import (
    ADMIN,
    CAKE,
    NEWS,
    SUBSCRIBED,
    SUBSCRIPTIONS,
    entries,
    history,
    holders,
    notify,
    serve_cafe,
    settled,
)
from tests.fakes.telegram_api import BOT_TOKEN, FakeTelegramApi
from tests.fakes.webhooks import TELEGRAM_USER

KEY = f"cafe:telegram:{TELEGRAM_USER.id}"
BLOCKED = [
    (MARKETING, WITHDRAWN, "channel"),
    ("notify:news", WITHDRAWN, "channel"),
]


@pytest.fixture
async def telegram(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[FakeTelegramApi, TestClient]]:
    monkeypatch.setenv("THEKE_ADMIN_KEY", ADMIN)
    monkeypatch.setenv("TG_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("TG_SECRET", "cafe_secret-token_0123")
    settings = {"token": "env:TG_TOKEN", "secret_token": "env:TG_SECRET"}
    async with FakeTelegramApi() as fake:
        # a message a chat every 50 ms instead of Telegram's 500 (test_pacing.py: the pace)
        spec = {"api_base": fake.url, "chat_interval": 0.05, "bots": {"cafe": settings}}
        async with serve_cafe(tmp_path, {"telegram": spec}) as client:
            fake.deliver_to = f"http://127.0.0.1:{client.port}"
            channel = client.app[CONTEXT].runtime.delivery.channels["telegram"]
            assert isinstance(channel, TelegramChannel)
            await channel.set_webhook("cafe", "https://bot.example.com")
            yield fake, client


async def subscribe(fake: FakeTelegramApi, words: str, answer: str) -> None:
    """The customer writes `words` and the bot answers `answer` (a consent kept)."""
    await fake.send_text(words)
    await eventually(
        lambda: any(answer in message.get("text", "") for message in fake.sent),
        f"the bot says {answer!r}",
    )


async def test_a_block_withdraws_everything_and_writing_again_gives_nothing_back(
    telegram: tuple[FakeTelegramApi, TestClient],
) -> None:
    fake, client = telegram
    await subscribe(fake, "angebote", SUBSCRIBED)
    await subscribe(fake, "neuigkeiten", NEWS)
    fake.block(TELEGRAM_USER.id)
    assert await notify(client, "cake-1") == 1  # the notice meets the block
    notes = await notes_for_business(client, KEY)
    assert "blocked the bot" in notes[0]
    kept = await settled(client, KEY, 4)
    assert await history(client, KEY) == [*SUBSCRIPTIONS, *BLOCKED]
    assert kept[-1].text.startswith("The customer blocked the bot on Telegram")
    assert kept[-1].channel == "telegram"
    assert await notify(client, "cake-2") == 0
    assert await holders(client, MARKETING) == []

    fake.unblock(TELEGRAM_USER.id)
    for words in ("hallo", "/start"):
        before = len(fake.sent)
        await fake.send_text(words)
        await eventually(lambda before=before: len(fake.sent) > before, f"an answer to {words}")
    await asyncio.sleep(0.1)
    assert await history(client, KEY) == [*SUBSCRIPTIONS, *BLOCKED]
    assert await notify(client, "cake-3") == 0
    assert not any(CAKE in message.get("text", "") for message in fake.sent)


async def test_a_block_met_twice_withdraws_once(
    telegram: tuple[FakeTelegramApi, TestClient],
) -> None:
    fake, client = telegram
    await subscribe(fake, "angebote", SUBSCRIBED)
    fake.fail_next(403, times=2)  # the answers to two messages meet the block
    await fake.send_text("hallo")
    await notes_for_business(client, KEY)
    await fake.send_text("hallo")  # writing makes them reachable again: another try
    for _ in range(250):
        if len(await notes_for_business(client, KEY)) == 2:
            break
        await asyncio.sleep(0.02)
    assert len(await notes_for_business(client, KEY)) == 2
    await settled(client, KEY, 2)
    assert [(e.purpose, e.state, e.source) for e in await entries(client, KEY)] == [
        (MARKETING, GRANTED, "flow:offers"),
        (MARKETING, WITHDRAWN, "channel"),
    ]
