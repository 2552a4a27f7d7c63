"""The answers a turn's requests got (an action's result), kept by every store: memory, sqlite,
redis and the Redis Cluster. A turn replayed after its worker died finds them by request id
instead of calling the action again (framework/actions/answers.py)."""

from __future__ import annotations

import asyncio

import pytest

from framework.stores.json_text import dump
from framework.stores.records import Commit, InboxItem, StoreLimits
from framework.stores.session_store import Store

KEY = "pizza:web:ada"
OTHER = "pizza:web:bob"
ANSWER = dump({"action": "ready_in", "outcome": {"slots": {"minutes": 35}}, "text": "Grüße 🍕"})


def item(number: int) -> InboxItem:
    return InboxItem.message(f"m{number}", "2026-11-27T18:00:00+00:00", "hi")


async def test_an_answer_is_kept_by_session_and_request_id(store: Store) -> None:
    assert await store.kept_answer(KEY, "r-1") is None
    await store.keep_answer(KEY, "r-1", ANSWER)
    assert await store.kept_answer(KEY, "r-1") == ANSWER
    assert await store.kept_answer(KEY, "r-2") is None
    assert await store.kept_answer(OTHER, "r-1") is None  # request ids are per session


async def test_keeping_an_answer_again_replaces_it(store: Store) -> None:
    await store.keep_answer(KEY, "r-1", '{"first":1}')
    await store.keep_answer(KEY, "r-1", '{"second":2}')
    assert await store.kept_answer(KEY, "r-1") == '{"second":2}'


async def test_a_big_and_odd_answer_comes_back_unchanged(store: Store) -> None:
    odd = dump({"text": "Salami " * 50_000, "odd": "| \n \x00 \u2028 مرحبا \ud800", "n": 1e300})
    await store.keep_answer(KEY, "a|b:{c}", odd)
    assert await store.kept_answer(KEY, "a|b:{c}") == odd


async def test_a_replayed_turn_finds_the_answer_its_first_run_kept(store: Store) -> None:
    """The first run keeps the answer and dies before its commit; the lease runs out and
    another worker claims the same item: the answer is there, and still after its commit."""
    await store.enqueue(KEY, item(1))
    first = await store.claim(KEY, "doomed", 0.3)
    assert first is not None
    await store.keep_answer(KEY, "turn-1", ANSWER)
    await asyncio.sleep(0.6)  # the lease of the dead worker ends
    again = await store.claim(KEY, "survivor", 10)
    assert again is not None and again.item.id == "m1"
    assert await store.kept_answer(KEY, "turn-1") == ANSWER
    assert await store.commit(again, Commit("m1", {"step": 1}, {}, [])) is True
    assert await store.kept_answer(KEY, "turn-1") == ANSWER  # a retried webhook's turn


@pytest.mark.parametrize("limits", [StoreLimits(result_ttl=0.4)])
async def test_an_answer_is_kept_as_long_as_results(store: Store) -> None:
    await store.keep_answer(KEY, "r-1", ANSWER)
    await asyncio.sleep(0.8)
    assert await store.kept_answer(KEY, "r-1") is None
    await store.keep_answer(KEY, "r-2", ANSWER)  # and the expired one does not come back
    assert await store.kept_answer(KEY, "r-1") is None
    assert await store.kept_answer(KEY, "r-2") == ANSWER


@pytest.mark.parametrize("limits", [StoreLimits(session_ttl=0.5, profile_ttl=60, result_ttl=60)])
async def test_an_answer_is_forgotten_with_its_session(store: Store) -> None:
    await store.enqueue(KEY, item(1))
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None
    await store.keep_answer(KEY, "r-1", ANSWER)
    assert await store.commit(claim, Commit("m1", {"step": 1}, {}, [])) is True
    await asyncio.sleep(1.0)
    assert await store.kept_answer(KEY, "r-1") is None
    await store.enqueue(KEY, item(2))  # the session starts afresh, without the old answer
    assert await store.kept_answer(KEY, "r-1") is None
