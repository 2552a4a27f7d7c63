"""What the inbox reads of a conversation's state without a lease (inbox/peek.py), the same
from every backend: the session a turn committed (with or without its profile kept apart), and
None for a conversation that has none."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from framework.inbox.peek import session_state
from framework.stores.opening import open_store
from framework.stores.records import Commit, InboxItem, StoreLimits
from framework.stores.session_store import Store
from tests.stores.test_handoff_store import delete_keys, store_url

KEY = "shop:whatsapp:4915100000000"
SESSION: dict[str, Any] = {
    "bot": "shop",
    "lang": "de",
    "slots": {"size": "large", "toppings": ["olives"]},
    "cart": {"lines": [], "fees": [], "next_line": 1},
    "flags": {"customer_at": "2026-11-30T12:00:00+00:00"},
}


@pytest.fixture(params=["memory", "sqlite", "redis"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    prefix = f"test-peek-{uuid.uuid4().hex[:24]}"
    url = store_url(str(request.param), tmp_path, request.config, prefix)
    opened = await open_store(url, StoreLimits())
    try:
        yield opened
    finally:
        await opened.close()
        if request.param == "redis":
            await delete_keys(url.split("?")[0], prefix)


async def _committed(store: Store, inside: dict[str, Any], profile: dict[str, Any]) -> None:
    """A turn's commit: the session holding `inside` as its profile, and `profile`."""
    await store.enqueue(KEY, InboxItem.message("m1", "2026-11-30T12:00:00+00:00", "hi"))
    claim = await store.claim(KEY, "worker", 5.0)
    assert claim is not None
    session = {**SESSION, "profile": inside}
    assert await store.commit(claim, Commit("m1", session, profile, [])) is True


@pytest.mark.parametrize("apart", [True, False], ids=["profile-apart", "profile-inside"])
async def test_the_state_a_turn_committed_is_read_as_it_is(store: Store, apart: bool) -> None:
    assert await session_state(store, KEY) is None
    profile = {"address": "Weserstraße 12"}
    # the commit's own profile is kept once, apart from the session; another stays inside
    await _committed(store, profile if apart else {"other": "kept inside"}, profile)
    state = await session_state(store, KEY)
    assert state is not None
    assert {name: state[name] for name in SESSION} == SESSION
    assert await session_state(store, "shop:whatsapp:nobody") is None
