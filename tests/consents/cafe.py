"""A café's bot written for the consent tests, served on SQLite with a messenger's fake as its
API: a customer says "angebote" to get offers (consent `marketing`) and "neuigkeiten" to hear
news (`notify:news`, a utility notice), each kept with the words shown."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from framework.outreach.web import CONSENTS
from framework.stores.consents import GRANTED, MARKETING, Consent
from tests.served import served

NOW = 1796036400.0  # 2026-11-30 12:00 UTC
ADMIN = "cafe-admin-key"
AUTH = {"Authorization": f"Bearer {ADMIN}"}
HEAD = """
name: cafe
business:
  name: Café Kranz
  locale: de-DE
  languages: [de]
  currency: EUR
  timezone: Europe/Berlin
"""
"""The café's name and business: a test's own café adds its slots, texts and flows."""
BOT = (
    HEAD
    + """slots:
  granted: {type: text}
texts:
  offers_question:
    de: "Darf Café Kranz dir hier Angebote und Neuigkeiten schicken?"
  news_question:
    de: "Darf Café Kranz dir hier sagen, wenn es frischen Kuchen gibt?"
  fresh_cake:
    de: "Frisch aus dem Ofen: Pflaumenkuchen."
flows:
  offers:
    triggers: [angebote]
    steps:
      - action: consent.grant
        args: {purpose: marketing, text: "{{ texts.offers_question }}", flow: offers}
        save: {granted: granted}
      - say: "Gern, du bekommst unsere Angebote."
  news:
    triggers: [neuigkeiten]
    steps:
      - action: consent.grant
        args: {purpose: "notify:news", text: "{{ texts.news_question }}", flow: news}
        save: {granted: granted}
      - say: "Gern, du hörst von uns, wenn es frischen Kuchen gibt."
"""
)
SUBSCRIBED = "Gern, du bekommst unsere Angebote."
NEWS = "Gern, du hörst von uns"
CAKE = "Frisch aus dem Ofen: Pflaumenkuchen."
SUBSCRIPTIONS = [
    (MARKETING, GRANTED, "flow:offers"),
    ("notify:news", GRANTED, "flow:news"),
]
"""The ledger of a customer who said "angebote" and "neuigkeiten": (purpose, state, source)."""


@asynccontextmanager
async def serve_cafe(tmp_path: Path, channels: dict[str, Any]) -> AsyncIterator[TestClient]:
    """The café with `channels` beside REST; THEKE_ADMIN_KEY must be ADMIN (monkeypatched)."""
    async with served(tmp_path / "cafe", BOT, NOW, channels={"rest": {}, **channels}) as client:
        yield client


def ledger(client: TestClient) -> Any:
    return client.server.app[CONSENTS].store


async def history(client: TestClient, key: str) -> list[tuple[str, str, str]]:
    """(purpose, state, source) of every entry of a conversation, oldest first."""
    return [(e.purpose, e.state, e.source) for e in await entries(client, key)]


async def entries(client: TestClient, key: str) -> list[Consent]:
    return list(await ledger(client).history("cafe", key))


async def holders(client: TestClient, purpose: str) -> list[str]:
    """The conversations a broadcast or notification of `purpose` would reach."""
    return [holder.conversation for holder in await ledger(client).holders("cafe", purpose)]


async def settled(client: TestClient, key: str, count: int, seconds: float = 10.0) -> list[Consent]:
    """The conversation's entries once there are `count` (webhooks run their items after
    answering), and a moment longer: anything more would have come by now."""
    for _ in range(int(seconds / 0.02)):
        if len(await entries(client, key)) >= count:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)
    return await entries(client, key)


async def notify(client: TestClient, key: str) -> int:
    """The café's system tells everyone holding `notify:news` about fresh cake."""
    body = {"bot": "cafe", "topic": "news", "text": "fresh_cake", "key": key}
    response = await client.post("/api/notify", json=body, headers=AUTH)
    assert response.status == 200, await response.text()
    notified: int = (await response.json())["notified"]
    return notified
