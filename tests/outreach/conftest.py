"""The business's outreach pages served by the real app on SQLite: the shop of
tests/broadcasts/test_broadcasts_served.py (ada and ben asked for offers in the chat, dora too
and then said STOP), with the inbox's admin lina, the agent otto and the admin pia limited to
another bot (pizza); browsers signed in through the inbox's sign-in form (tests/inbox)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from framework.inbox.auth import AGENTS
from framework.stores.agents import ADMIN, Agent
from tests.broadcasts.test_broadcasts_served import BOT, CUSTOMERS
from tests.inbox.conftest import PASSWORD, Browser, browsers
from tests.served import say, served

NOW = 1796036400.0  # 2026-11-30 11:00 UTC (noon in Berlin)
HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[TestClient]:
    async with served(tmp_path / "shop", BOT, NOW) as client:
        agents = client.server.app[AGENTS]
        await agents.add(Agent(name="lina", role=ADMIN), PASSWORD, NOW)
        await agents.add(Agent(name="otto"), PASSWORD, NOW)
        await agents.add(Agent(name="pia", role=ADMIN, bots=("pizza",)), PASSWORD, NOW)
        for customer in CUSTOMERS:
            assert (await say(client, customer, "angebote"))[0].startswith("Gern")
        assert (await say(client, "dora", "STOP"))[0].startswith("Erledigt")
        yield client


@pytest.fixture
async def lina(shop: TestClient) -> AsyncIterator[Browser]:
    async with browsers(shop) as make:
        browser = make()
        assert (await browser.sign_in("lina")).status == 303
        yield browser


async def page(browser: Browser, path: str, status: int = 200) -> str:
    answer = await browser.session.get(browser.url(path), allow_redirects=False)
    text = await answer.text()
    assert answer.status == status, text
    return text
