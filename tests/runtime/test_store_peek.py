"""`Store.peek`, the same from every store (memory, sqlite, redis and the Redis Cluster): a
conversation's state as the last commit left it, read without a lease and without writing.
A turn in progress is neither waited for nor disturbed, the next claim loads exactly what a
peek showed, and a forgotten session has nothing to show."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from framework.stores.records import Claim, Commit, InboxItem, Peeked, StoreLimits
from framework.stores.session_store import Store

KEY = "pizza:web:ada"
OTHER = "pizza:web:bob"
PROFILE = {"address": "Weserstraße 12"}


def state(number: int, profile: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "turn": number,
        "slots": {"size": "large", "extras": ["olives", "cheese"]},
        "cart": {"lines": [{"id": 1, "item": "salami", "quantity": number}], "next_line": 2},
        "flags": {"customer_at": "2026-11-30T12:00:00+00:00"},
        "profile": PROFILE if profile is None else profile,
        "text": "Grüße 🍕 | {+}",
    }


async def claimed(store: Store, number: int) -> Claim:
    assert await store.enqueue(KEY, InboxItem.message(f"m{number}", "2026-11-30T12:00:00Z", "hi"))
    claim = await store.claim(KEY, "worker", 10)
    assert claim is not None
    return claim


async def turn(store: Store, number: int, session: dict[str, Any] | None = None) -> None:
    claim = await claimed(store, number)
    entries: list[Any] = [{"from": "customer", "text": "hi"}, {"from": "bot", "text": "ok"}]
    commit = Commit(f"m{number}", session or state(number), PROFILE, entries)
    assert await store.commit(claim, commit) is True


@pytest.mark.parametrize("apart", [True, False], ids=["profile-apart", "profile-inside"])
async def test_a_peek_shows_what_the_next_claim_loads(store: Store, apart: bool) -> None:
    assert await store.peek(KEY) is None  # unknown
    await store.enqueue(KEY, InboxItem.message("m0", "2026-11-30T12:00:00Z", "hi"))
    assert await store.peek(KEY) is None  # an item waits, but no turn committed a state yet
    claim = await store.claim(KEY, "worker", 10)
    assert claim is not None and await store.commit(claim, Commit("m0", {"v": 0}, {}, []))
    # the commit's own profile is kept once, apart from the session; another stays inside
    session = state(1, PROFILE if apart else {"other": "kept inside"})
    await turn(store, 1, session)
    peeked = await store.peek(KEY)
    assert peeked == Peeked(session, 2)
    next_claim = await claimed(store, 2)
    assert next_claim.session == peeked.session and next_claim.seq == peeked.seq
    assert await store.peek(OTHER) is None


async def test_a_peek_takes_no_lease_and_sees_a_turn_only_once_it_committed(store: Store) -> None:
    await turn(store, 1)
    in_progress = await claimed(store, 2)
    assert await store.peek(KEY) == Peeked(state(1), 2)  # not waited for: the last commit
    assert await store.claim(KEY, "other", 10) is None  # the lease is still the turn's
    assert await store.commit(in_progress, Commit("m2", state(2), PROFILE, [])) is True
    assert await store.peek(KEY) == Peeked(state(2), 2)
    await store.enqueue(KEY, InboxItem.message("m3", "2026-11-30T12:00:00Z", "hi"))
    await store.peek(KEY)
    again = await store.claim(KEY, "other", 10)  # a peek consumed nothing and held nothing
    assert again is not None and again.item.id == "m3"


async def test_peeks_during_commits_see_one_whole_state_or_the_next(store: Store) -> None:
    await turn(store, 1)

    async def turns() -> None:
        for number in range(2, 8):
            await turn(store, number)

    async def peeks() -> list[Peeked | None]:
        return [await store.peek(KEY) for _ in range(30)]

    _, seen = await asyncio.gather(turns(), peeks())
    assert all(p is not None and p.session == state(p.session["turn"]) for p in seen)
    numbers = [p.session["turn"] for p in seen if p is not None]
    assert numbers == sorted(numbers)  # never back to an older state
    assert (await store.peek(KEY)) == Peeked(state(7), 14)


async def test_when_the_customer_last_wrote(store: Store) -> None:
    await turn(store, 1)
    peeked = await store.peek(KEY)
    assert peeked is not None
    assert peeked.customer_at == datetime(2026, 11, 30, 12, tzinfo=UTC)
    await turn(store, 2, {"flags": {}})
    assert (await store.peek(KEY)) == Peeked({"flags": {}}, 4)
    assert Peeked({"flags": {}}).customer_at is None
    assert Peeked({"flags": {"customer_at": "yesterday"}}).customer_at is None


@pytest.mark.parametrize("limits", [StoreLimits(session_ttl=0.5, profile_ttl=60)])
async def test_a_forgotten_session_has_nothing_to_peek(store: Store) -> None:
    await turn(store, 1)
    assert await store.peek(KEY) is not None
    await asyncio.sleep(1.0)
    assert await store.peek(KEY) is None
    assert await store.pending() == []  # the peek made nothing waiting
