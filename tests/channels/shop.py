"""The pizza bot served by a real app for channel tests: memory stores, the sandbox, a clock
stopped on a Friday evening (the pizzeria is open) and messengers' fakes as their APIs."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.channels.common import CONTEXT
from framework.flows import load_bot
from framework.serve import shifted_clock
from framework.stores.memory.orders import MemoryOrders
from framework.stores.memory.sessions import MemoryStore
from framework.stores.order_store import OrderStore
from framework.stores.session_store import Store
from framework.workspace import Workspace

PIZZA = Path(__file__).parent.parent.parent / "bots" / "pizza"
OPEN_NOW = "2026-11-27T19:00+01:00"
"""The clock starts on a Friday evening (the pizzeria is open) and runs: retries fall due."""


ADMIN = "k3y"
"""The admin key of the served app (THEKE_TEST_ADMIN)."""


async def serve_pizza(
    tmp_path: Path,
    messengers: dict[str, Any],
    clock: Callable[[], float] | None = None,
    extra_bots: tuple[Path, ...] = (),
) -> TestClient:
    os.environ["THEKE_TEST_ADMIN"] = ADMIN  # read once, when the app is made
    store, orders = MemoryStore(), MemoryOrders()

    async def open_store() -> Store:
        return store

    async def open_orders() -> OrderStore:
        return orders

    paths = (PIZZA, *extra_bots)
    bots = {bot.name: bot for bot in map(load_bot, paths)}
    workspace = Workspace(
        root=tmp_path,
        bots=paths,
        channels={"rest": {}, "web": {}, **messengers},
        admin_key="env:THEKE_TEST_ADMIN",
    )
    app = create_app(
        workspace,
        bots,
        store=open_store,
        orders=open_orders,
        clock=clock or shifted_clock(OPEN_NOW),
        tick=0.05,
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def eventually(check: Callable[[], Any], what: str, seconds: float = 10.0) -> Any:
    """Wait until `check()` gives something true (webhooks run their turns after answering)."""
    for _ in range(int(seconds / 0.02)):
        found = check()
        if found:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"never happened: {what}")


async def pay_on_the_sandbox(client: TestClient, url: str) -> None:
    path = re.sub(r"^https?://[^/]+", "", url)
    response = await client.post(path, data={"decision": "pay"}, allow_redirects=False)
    assert response.status == 303


async def conversation_log(client: TestClient, key: str) -> list[dict[str, Any]]:
    return await client.app[CONTEXT].runtime.store.log(key, 0, 500)


async def notes_for_business(client: TestClient, key: str) -> list[str]:
    """The conversation's `system` entries ("Not delivered: …"), once there are some."""

    async def written() -> list[str]:
        log = await conversation_log(client, key)
        return [entry["text"] for entry in log if entry["from"] == "system"]

    for _ in range(300):
        notes = await written()
        if notes:
            return notes
        await asyncio.sleep(0.02)
    raise AssertionError(f"nothing was written for the business in {key}")


def counted(client: TestClient, metric: str, **labels: str) -> float:
    """A counter of the served app, e.g. theke_channel_problems_total{channel, kind}."""
    found = client.app[CONTEXT].runtime.metrics.registry.get_sample_value(metric, labels)
    return found or 0.0
