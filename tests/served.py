"""A bot written in a test, served by the real app on a real SQLite file (or what the test
gives), with a fixed clock: the client a customer's REST client would be."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.flows import Bot, load_bot
from framework.workspace import Workspace


def _written(folder: Path, bot_yaml: str) -> Bot:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bot.yaml").write_text(bot_yaml, encoding="utf-8")
    return load_bot(folder)


@asynccontextmanager
async def served(
    folder: Path, bot_yaml: str, clock: float, **workspace: Any
) -> AsyncIterator[TestClient]:
    """Writes `bot_yaml` into `folder` (made if missing) and serves it; `workspace` holds the
    Workspace's other fields (events, …). The store is a SQLite file beside the bot."""
    bot = _written(folder, bot_yaml)
    store = f"sqlite:///{folder.parent / 'state.db'}"
    settings = Workspace(root=folder.parent, bots=(folder,), store=store, **workspace)
    client = TestClient(TestServer(create_app(settings, {bot.name: bot}, clock=lambda: clock)))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


@asynccontextmanager
async def served_bot(
    bot_folder: Path, root: Path, clock: Any, **workspace: Any
) -> AsyncIterator[TestClient]:
    """A shipped bot (bots/airline, …) served on a SQLite file in `root`; `clock` is a callable
    giving the time (the test moves it)."""
    bot = load_bot(bot_folder)
    settings = Workspace(
        root=root, bots=(bot_folder,), store=f"sqlite:///{root / 'state.db'}", **workspace
    )
    client = TestClient(TestServer(create_app(settings, {bot.name: bot}, clock=clock)))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def say(client: TestClient, sender: str, text: str) -> list[str]:
    """A customer's message over REST and the bot's replies to it."""
    response = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert response.status == 200, await response.text()
    return [reply["text"] for reply in await response.json()]


async def everything_said(client: TestClient, sender: str) -> list[str]:
    """All the bot said to `sender`, turns and news alike, as a REST client polls for it."""
    response = await client.get(f"/webhooks/rest/conversations/{sender}/messages")
    return [message["text"] for message in await response.json()]


async def times_told(client: TestClient, sender: str, text: str, wanted: int = 0) -> int:
    """How often `sender` was told `text` (news reach them after the turn that sent them): once
    they were told it `wanted` times, or after 10 s (a busy machine's worker takes its time), and
    a moment later, since anything more would have come by then."""
    for _ in range(200):
        if (await everything_said(client, sender)).count(text) >= wanted:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    return (await everything_said(client, sender)).count(text)
