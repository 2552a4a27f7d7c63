"""The inbox's live socket: a signed-in agent's page hears a conversation join the queue and be
claimed at once (the handoff service tells the hub), hears what another worker changed in the
store and what a customer wrote to a held conversation within the hub's poll, and only pages
of this site with a sign-in may listen."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from framework.handoffs.web import HANDOFFS
from framework.inbox import setup
from tests.inbox.conftest import NOON, Browser, say

ADA = "shop:rest:ada"
POLL = 0.25
"""The hub's poll here (2 s in a deployment), so that the tests wait less."""


@pytest.fixture(autouse=True)
def quick_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(setup, "POLL", POLL)


async def _next(socket: aiohttp.ClientWebSocketResponse, what: str) -> dict[str, Any]:
    """The next change of that kind (others may come between: the poll sees changes too)."""
    async with asyncio.timeout(2.0):
        while True:
            change = json.loads((await socket.receive()).data)
            if change["what"] == what:
                return dict(change)


async def _drained(socket: aiohttp.ClientWebSocketResponse) -> None:
    with contextlib.suppress(TimeoutError):
        while True:
            await socket.receive(timeout=0.1)


async def _listening(anna: Browser) -> aiohttp.ClientWebSocketResponse:
    await anna.sign_in("anna")
    return await anna.session.ws_connect(anna.url("/inbox/live"), origin=anna.base)


async def test_the_page_hears_the_queue_claims_and_held_conversations_live(
    shop: TestClient, open_browser: Callable[[], Browser]
) -> None:
    anna, ben = open_browser(), open_browser()
    socket = await _listening(anna)
    await asyncio.sleep(POLL * 1.5)  # the hub's first look (a page fetches itself on opening)
    await say(shop, "ada", "I want to talk to a person")
    assert await _next(socket, "queued") == {
        "bot": "shop",
        "session": ADA,
        "what": "queued",
        "agent": "",
    }
    await ben.sign_in("ben")
    await ben.post(f"/inbox/c/shop/{ADA}/claim")
    assert (await _next(socket, "claimed"))["agent"] == "ben"
    await socket.send_str(json.dumps({"watch": {"bot": "shop", "session": ADA}}))
    await asyncio.sleep(POLL * 1.5)
    await _drained(socket)  # what the poll told of the claim
    assert await say(shop, "ada", "hello? anyone?") == []  # the person's now
    assert (await _next(socket, "message"))["session"] == ADA
    await socket.close()


async def test_what_another_worker_changed_is_heard_within_the_poll(
    shop: TestClient, open_browser: Callable[[], Browser]
) -> None:
    await say(shop, "ada", "I want to talk to a person")
    socket = await _listening(open_browser())
    await asyncio.sleep(POLL * 1.5)  # the hub's first look learns what is there
    store = shop.server.app[HANDOFFS].store  # as another worker's service would, unheard here
    await store.claim("shop", ADA, "ben", NOON)
    assert (await _next(socket, "claimed"))["agent"] == "ben"
    await store.end("shop", ADA, "ben", "closed", NOON)
    assert (await _next(socket, "gone"))["session"] == ADA


async def test_only_this_sites_pages_with_a_sign_in_may_listen(
    shop: TestClient, open_browser: Callable[[], Browser]
) -> None:
    anna = open_browser()
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await anna.session.ws_connect(anna.url("/inbox/live"), origin=anna.base)
    assert refused.value.status == 401
    await anna.sign_in("anna")
    with pytest.raises(aiohttp.WSServerHandshakeError) as foreign:
        await anna.session.ws_connect(anna.url("/inbox/live"), origin="https://evil.example")
    assert foreign.value.status == 403


async def test_what_changed_before_the_first_look_is_told_as_a_recheck(
    shop: TestClient, open_browser: Callable[[], Browser]
) -> None:
    """A page fetches itself as its socket opens; a change between that fetch and the hub's
    first look (which has nothing to compare with) must still reach it."""
    await say(shop, "ada", "I want to talk to a person")
    socket = await _listening(open_browser())
    store = shop.server.app[HANDOFFS].store  # another worker, before the hub looked
    await store.claim("shop", ADA, "ben", NOON)
    assert await _next(socket, "recheck") == {
        "bot": "shop",
        "session": "",
        "what": "recheck",
        "agent": "",
    }


async def test_a_look_that_failed_halfway_is_followed_by_a_recheck(
    shop: TestClient, open_browser: Callable[[], Browser], monkeypatch: pytest.MonkeyPatch
) -> None:
    socket = await _listening(open_browser())
    await _next(socket, "recheck")  # the first look
    sessions = shop.server.app[setup.CONTEXT].runtime.store
    failing = True
    real_log = sessions.log

    async def log_then_fail(*args: Any, **kwargs: Any) -> Any:
        if failing:
            raise ConnectionError("the store went away for a moment")
        return await real_log(*args, **kwargs)

    await socket.send_str(json.dumps({"watch": {"bot": "shop", "session": ADA}}))
    await say(shop, "ada", "hello")
    monkeypatch.setattr(sessions, "log", log_then_fail)
    await asyncio.sleep(POLL * 2.5)  # looks that fail after learning the handoffs
    await _drained(socket)
    failing = False
    assert await _next(socket, "recheck") == {
        "bot": "shop",
        "session": "",
        "what": "recheck",
        "agent": "",
    }
