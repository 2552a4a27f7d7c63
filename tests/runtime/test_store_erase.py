"""Erasing one session (the person's data, issue 13), on every store: memory, sqlite, redis and
redis-cluster. Nothing of it can be read afterwards, another session is untouched, and erasing
again changes nothing."""

from __future__ import annotations

import time

from framework.stores.session_store import Store
from tests.runtime.test_store_contract import KEY, OTHER, commit_for, item, turn


async def test_erase_deletes_everything_of_one_session_and_nothing_else(store: Store) -> None:
    timers = {"reminder": time.time() - 1}
    await turn(store, 1, commit_for("m1", 1, timers=timers))
    await store.keep_answer(KEY, "r1", '{"paid": true}')
    assert await store.enqueue(KEY, item(2, "still waiting"))
    assert await store.enqueue(OTHER, item(1))
    claim = await store.claim(OTHER, "w", 10)
    assert claim is not None and await store.commit(claim, commit_for("m1", 7)) is True

    assert await store.erase(KEY) is True
    assert await store.erase(KEY) is False

    assert await store.peek(KEY) is None
    assert await store.log(KEY, 0) == []
    assert await store.result(KEY, "m1") is None
    assert await store.kept_answer(KEY, "r1") is None
    assert KEY not in await store.pending()
    assert KEY not in await store.fire_timers(time.time() + 1)
    assert await store.claim(KEY, "w", 10) is None  # its inbox went with it
    other = await store.peek(OTHER)
    assert other is not None and other.session["state"] == 7
    assert [entry["seq"] for entry in await store.log(OTHER, 0)] == [1, 2]
    assert await store.erase("pizza:web:nobody") is False


async def test_a_new_message_after_erasure_starts_afresh(store: Store) -> None:
    await turn(store, 1)
    assert await store.erase(KEY)
    assert await store.enqueue(KEY, item(1))  # its seen ids are gone too
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None and claim.session is None and claim.profile == {}


async def test_a_turn_under_way_cannot_commit_after_erasure(store: Store) -> None:
    assert await store.enqueue(KEY, item(1))
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None
    assert await store.erase(KEY)
    assert await store.commit(claim, commit_for("m1")) is False
    assert await store.peek(KEY) is None
