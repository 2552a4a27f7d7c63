"""The agent inbox served by the real app (tests/served.py: a SQLite file, a standing clock),
with two agents, and browsers of its agents: each its own cookie jar, signed in through the
sign-in form as a person would, with the CSRF token read off the page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from framework.inbox.auth import AGENTS
from framework.stores.agents import Agent
from tests.handoffs.test_handoff_served import BOT, NOON, say
from tests.served import served

__all__ = ["BOT", "NOON", "PASSWORD", "Browser", "browsers", "say"]

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[TestClient]:
    """The app with the agents anna and ben (ben works the shop too)."""
    async with served(tmp_path / "shop", BOT, NOON) as client:
        store = client.server.app[AGENTS]
        for name in ("anna", "ben"):
            await store.add(Agent(name=name, display=name.title()), PASSWORD, NOON)
        yield client


@dataclass
class Browser:
    """One agent's browser: its own cookies, the page's CSRF token once signed in."""

    session: aiohttp.ClientSession
    base: str
    csrf: str = ""

    def url(self, path: str) -> str:
        return self.base + path

    async def sign_in(self, name: str, password: str = PASSWORD) -> aiohttp.ClientResponse:
        form = {"name": name, "password": password}
        answer = await self.session.post(self.url("/inbox/login"), data=form, allow_redirects=False)
        if answer.status == 303:
            page = await (await self.session.get(self.url("/inbox"))).text()
            found = _CSRF.search(page)
            assert found, page
            self.csrf = found[1]
        return answer

    async def post(
        self, path: str, form: dict[str, str] | None = None, *, csrf: bool = True, json: bool = True
    ) -> aiohttp.ClientResponse:
        headers = {"Accept": "application/json"} if json else {}
        if csrf:
            headers["X-CSRF-Token"] = self.csrf
        return await self.session.post(
            self.url(path), data=form or {}, headers=headers, allow_redirects=False
        )


@asynccontextmanager
async def browsers(client: TestClient) -> AsyncIterator[Callable[[], Browser]]:
    """Opens agent browsers on the served app; all closed when the block ends."""
    made: list[Browser] = []
    base = str(client.make_url("")).rstrip("/")

    def make() -> Browser:
        jar = aiohttp.CookieJar(unsafe=True)  # the test server is an IP address
        made.append(Browser(aiohttp.ClientSession(cookie_jar=jar), base))
        return made[-1]

    try:
        yield make
    finally:
        for browser in made:
            await browser.session.close()


@pytest.fixture
async def open_browser(shop: TestClient) -> AsyncIterator[Callable[[], Browser]]:
    """Opens a new agent browser on the shop (closed after the test)."""
    async with browsers(shop) as make:
        yield make
