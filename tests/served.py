"""A bot written in a test, served by the real app on a real SQLite file (or what the test
gives), with a fixed clock: the client a customer's REST client would be."""

from __future__ import annotations

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
