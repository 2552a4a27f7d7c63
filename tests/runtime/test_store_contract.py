"""One contract, every store: memory (the reference), sqlite and redis (a real server)."""

from __future__ import annotations

import asyncio
import time

import pytest

from framework.stores.records import (
    Claim,
    Commit,
    InboxItem,
    LogEntry,
    StoreLimits,
    timer_item_id,
)
from framework.stores.session_store import Store

KEY = "pizza:web:ada"
OTHER = "pizza:web:bob"


def item(number: int, text: str = "hi") -> InboxItem:
    return InboxItem.message(f"m{number}", "2026-11-27T18:00:00+00:00", text)


def commit_for(item_id: str, state: int = 1, **extra: object) -> Commit:
    return Commit(
        item_id=item_id,
        session={"state": state, "text": "Grüße 🍕"},
        profile={"address": "Weserstraße 5"},
        entries=[{"from": "customer", "text": "hi"}, {"from": "bot", "text": f"reply {state}"}],
        **extra,  # type: ignore[arg-type]
    )


async def turn(store: Store, number: int, commit: Commit | None = None) -> None:
    """Message m<number> arrives and its turn commits (by default `commit_for` it)."""
    assert await store.enqueue(KEY, item(number))
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None and claim.item.id == f"m{number}"
    assert await store.commit(claim, commit or commit_for(f"m{number}", number)) is True


async def handed_on(store: Store, claim: Claim, commit: Commit) -> Claim:
    """Commit a turn while more items wait: the claim of the next one."""
    following = await store.commit(claim, commit)
    assert isinstance(following, Claim)
    return following


def seqs(entries: list[LogEntry] | None) -> list[int] | None:
    return None if entries is None else [entry["seq"] for entry in entries]


async def test_a_message_id_is_accepted_once(store: Store) -> None:
    assert await store.enqueue(KEY, item(1))
    assert not await store.enqueue(KEY, item(1))
    assert await store.enqueue(KEY, item(2))


async def test_a_claim_loads_the_oldest_item_and_excludes_other_workers(store: Store) -> None:
    for number in (1, 2, 3):
        await store.enqueue(KEY, item(number))
    claim = await store.claim(KEY, "worker-a", 10)
    assert claim is not None and claim.item.id == "m1" and claim.lease == 10
    assert claim.session is None and claim.profile == {}
    assert await store.claim(KEY, "worker-b", 10) is None
    await store.enqueue(OTHER, item(1))
    assert await store.claim(OTHER, "worker-b", 10) is not None  # sessions are independent


async def test_concurrent_claims_give_the_lease_to_exactly_one(store: Store) -> None:
    await store.enqueue(KEY, item(1))
    claims = await asyncio.gather(*(store.claim(KEY, f"w{n}", 10) for n in range(10)))
    assert sum(claim is not None for claim in claims) == 1


async def test_a_claim_on_an_empty_inbox_is_none_and_takes_no_lease(store: Store) -> None:
    assert await store.claim(KEY, "worker-a", 10) is None  # an unknown session
    await turn(store, 1)
    assert await store.claim(KEY, "worker-a", 10) is None  # everything processed
    assert await store.enqueue(KEY, item(2))
    claim = await store.claim(KEY, "worker-b", 10)  # no lease of worker-a stands in the way
    assert claim is not None and claim.item.id == "m2"
    assert claim.session == {"state": 1, "text": "Grüße 🍕"} and claim.seq == 2


async def test_a_commit_consumes_the_item_and_writes_everything(store: Store) -> None:
    await store.enqueue(KEY, item(1))
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None
    assert await store.commit(claim, commit_for("m1")) is True  # nothing else waits
    entries = await store.result(KEY, "m1")
    assert entries is not None
    assert [e["text"] for e in entries] == ["hi", "reply 1"]
    assert [e["seq"] for e in entries] == [1, 2]
    await store.enqueue(KEY, item(2))
    again = await store.claim(KEY, "other", 10)  # the commit released the lease
    assert again is not None
    assert again.session == {"state": 1, "text": "Grüße 🍕"}
    assert again.profile == {"address": "Weserstraße 5"}
    assert again.item.id == "m2"
    assert again.seq == 2


async def test_a_commit_hands_on_the_next_item_while_more_wait(store: Store) -> None:
    for number in (1, 2, 3):
        await store.enqueue(KEY, item(number))
    claim = await store.claim(KEY, "worker-a", 10)
    assert claim is not None
    following = await handed_on(store, claim, commit_for("m1", 1))
    assert following.item.id == "m2" and following.key == KEY
    assert (following.token, following.lease) == (claim.token, claim.lease)
    assert following.session == {"state": 1, "text": "Grüße 🍕"}
    assert following.profile == {"address": "Weserstraße 5"}
    assert following.seq == 2
    assert seqs(await store.result(KEY, "m1")) == [1, 2]  # committed, not waiting for m2
    assert await store.claim(KEY, "worker-b", 10) is None  # the handed-on claim is exclusive
    last = await handed_on(store, following, commit_for("m2", 2))
    assert last.item.id == "m3" and last.seq == 4 and last.session is not None
    assert last.session["state"] == 2
    assert await store.commit(last, commit_for("m3", 3)) is True  # the inbox is empty now
    assert await store.claim(KEY, "worker-b", 10) is None
    assert seqs(await store.log(KEY, after=0)) == [1, 2, 3, 4, 5, 6]


async def test_a_handed_on_claim_renews_the_lease(store: Store) -> None:
    for number in (1, 2):
        await store.enqueue(KEY, item(number))
    claim = await store.claim(KEY, "worker-a", 0.8)
    assert claim is not None
    await asyncio.sleep(0.5)
    following = await handed_on(store, claim, commit_for("m1"))
    await asyncio.sleep(0.5)  # past the first lease, within the renewed one
    assert await store.claim(KEY, "worker-b", 10) is None
    assert await store.commit(following, commit_for("m2", 2)) is True


async def test_items_come_in_arrival_order(store: Store) -> None:
    for number in range(1, 11):
        await store.enqueue(KEY, item(number))
    seen = []
    outcome: Claim | bool | None = await store.claim(KEY, "w", 10)
    while isinstance(outcome, Claim):
        seen.append(outcome.item.id)
        if len(seen) <= 10:  # more arrive while the burst is worked off
            await store.enqueue(KEY, item(10 + len(seen)))
        outcome = await store.commit(outcome, commit_for(outcome.item.id, len(seen)))
    assert outcome is True
    assert seen == [f"m{n}" for n in range(1, 21)]
    assert await store.claim(KEY, "w", 10) is None
    assert seqs(await store.log(KEY, after=0, limit=100)) == list(range(1, 41))


async def test_the_lease_expires_and_a_stale_commit_is_refused(store: Store) -> None:
    await store.enqueue(KEY, item(1))
    stale = await store.claim(KEY, "dead-worker", 0.2)
    assert stale is not None
    await asyncio.sleep(0.35)
    fresh = await store.claim(KEY, "live-worker", 10)
    assert fresh is not None and fresh.item.id == "m1"
    assert await store.commit(stale, commit_for("m1", 99)) is False
    assert await store.commit(fresh, commit_for("m1", 2)) is True
    assert await store.result(KEY, "m1") is not None
    await store.enqueue(KEY, item(2))
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None and claim.session is not None and claim.session["state"] == 2


async def test_a_handed_on_claim_whose_lease_expired_is_refused(store: Store) -> None:
    for number in (1, 2):
        await store.enqueue(KEY, item(number))
    claim = await store.claim(KEY, "slow-worker", 0.2)
    assert claim is not None
    stale = await handed_on(store, claim, commit_for("m1"))
    await asyncio.sleep(0.35)
    fresh = await store.claim(KEY, "live-worker", 10)
    assert fresh is not None and fresh.item.id == "m2" and fresh.seq == 2
    assert await store.commit(stale, commit_for("m2", 99, timers={"t": time.time() - 1})) is False
    assert await store.result(KEY, "m2") is None  # the refused commit changed nothing
    assert seqs(await store.log(KEY, after=0)) == [1, 2]
    assert await store.fire_timers(time.time()) == []
    assert await store.commit(fresh, commit_for("m2", 2)) is True
    assert seqs(await store.result(KEY, "m2")) == [3, 4]


async def test_a_claim_cannot_commit_twice(store: Store) -> None:
    for number in (1, 2):
        await store.enqueue(KEY, item(number))
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None
    following = await handed_on(store, claim, commit_for("m1"))
    # the lease (and its token) lives on in the next claim, but m1 is consumed
    assert await store.commit(claim, commit_for("m1", 99)) is False
    assert await store.commit(claim, commit_for("m2", 99)) is False
    assert seqs(await store.log(KEY, after=0)) == [1, 2] and await store.result(KEY, "m2") is None
    assert await store.commit(following, commit_for("m2", 2)) is True
    assert await store.commit(following, commit_for("m2", 2)) is False
    assert seqs(await store.log(KEY, after=0)) == [1, 2, 3, 4]


async def test_release_gives_the_lease_back_unchanged(store: Store) -> None:
    await store.enqueue(KEY, item(1))
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None
    await store.release(claim)
    again = await store.claim(KEY, "other", 10)
    assert again is not None and again.item.id == "m1"
    assert again.session is None


async def test_the_log_is_sequenced_and_read_after_a_position(store: Store) -> None:
    for number in (1, 2, 3):
        await store.enqueue(KEY, item(number))
        claim = await store.claim(KEY, "w", 10)
        assert claim is not None
        await store.commit(claim, commit_for(f"m{number}", number))
    entries = await store.log(KEY, after=0)
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5, 6]
    later = await store.log(KEY, after=4)
    assert [(e["seq"], e["text"]) for e in later] == [(5, "hi"), (6, "reply 3")]
    assert await store.log(KEY, after=6) == []
    assert len(await store.log(KEY, after=0, limit=2)) == 2


@pytest.mark.parametrize("limits", [StoreLimits(log_length=4)])
async def test_the_log_keeps_only_the_newest_entries(store: Store) -> None:
    for number in (1, 2, 3):
        await store.enqueue(KEY, item(number))
        claim = await store.claim(KEY, "w", 10)
        assert claim is not None
        await store.commit(claim, commit_for(f"m{number}", number))
    assert [e["seq"] for e in await store.log(KEY, after=0)] == [3, 4, 5, 6]


async def test_results_of_unknown_items_are_none(store: Store) -> None:
    assert await store.result(KEY, "never") is None


async def test_timers_fire_once_into_the_inbox(store: Store) -> None:
    now = time.time()
    await store.enqueue(KEY, item(1))
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None
    await store.commit(claim, commit_for("m1", timers={"reminder": now + 60, "expire": now + 600}))
    assert await store.fire_timers(now + 30) == []
    assert await store.fire_timers(now + 61) == [KEY]
    assert await store.fire_timers(now + 62) == []
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None
    assert claim.item.timer == "reminder"
    assert claim.item.id == timer_item_id("reminder", now + 60)


async def test_a_timer_can_be_moved_and_cancelled(store: Store) -> None:
    now = time.time()
    for number, timers in ((1, {"reminder": now + 60}), (2, {"reminder": now + 120})):
        await store.enqueue(KEY, item(number))
        claim = await store.claim(KEY, "w", 10)
        assert claim is not None
        await store.commit(claim, commit_for(f"m{number}", timers=timers))
    assert await store.fire_timers(now + 90) == []  # moved, not duplicated
    await store.enqueue(KEY, item(3))
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None
    await store.commit(claim, commit_for("m3", timers={"reminder": None}))
    assert await store.fire_timers(now + 1000) == []


async def test_a_timer_moved_later_then_earlier_fires_once_at_its_last_due(store: Store) -> None:
    now = time.time()
    for number, due in enumerate((60, 600, 90, 120), 1):
        await turn(store, number, commit_for(f"m{number}", number, timers={"t": now + due}))
    assert await store.fire_timers(now + 100) == []  # neither the first due nor the third
    assert await store.fire_timers(now + 700) == [KEY]
    assert await store.fire_timers(now + 700) == []
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None and claim.item.id == timer_item_id("t", now + 120)


async def test_pending_lists_sessions_with_waiting_items(store: Store) -> None:
    assert await store.pending() == []
    await store.enqueue(KEY, item(1))
    assert await store.pending() == [KEY]
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None
    await store.commit(claim, commit_for("m1"))
    assert await store.pending() == []


@pytest.mark.parametrize("limits", [StoreLimits(session_ttl=0.5, profile_ttl=60)])
async def test_idle_sessions_expire_but_remembered_values_stay(store: Store) -> None:
    await store.enqueue(KEY, item(1))
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None
    await store.commit(claim, commit_for("m1"))
    await asyncio.sleep(1.2)
    await store.enqueue(KEY, item(2))
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None
    assert claim.session is None
    assert claim.profile == {"address": "Weserstraße 5"}


async def test_ping_answers(store: Store) -> None:
    await store.ping()


async def test_a_refused_commit_changes_nothing(store: Store) -> None:
    now = time.time()
    await store.enqueue(KEY, item(1))
    stale = await store.claim(KEY, "dead-worker", 0.2)
    assert stale is not None
    await asyncio.sleep(0.35)
    refused = commit_for("m1", 99, timers={"reminder": now - 1})
    assert not await store.commit(stale, refused)
    assert await store.result(KEY, "m1") is None
    assert await store.log(KEY, after=0) == []
    assert await store.fire_timers(now) == []
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None and claim.session is None and claim.profile == {}
    assert claim.item.id == "m1"


async def test_two_due_timers_of_one_session_both_fire_within_the_limit(store: Store) -> None:
    now = time.time()
    await store.enqueue(KEY, item(1))
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None
    await store.commit(claim, commit_for("m1", timers={"first": now + 1, "second": now + 2}))
    await store.enqueue(OTHER, item(1))
    claim = await store.claim(OTHER, "w", 10)
    assert claim is not None
    await store.commit(claim, commit_for("m1", timers={"other": now + 3}))
    assert len(await store.fire_timers(now + 10, limit=2)) == 2  # the two oldest
    assert await store.fire_timers(now + 10, limit=2) == [OTHER]
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None and claim.item.timer == "first"


@pytest.mark.parametrize("limits", [StoreLimits(log_length=3)])
async def test_a_result_is_what_the_log_still_holds_of_its_entries(store: Store) -> None:
    await turn(store, 1)  # seq 1, 2
    await turn(store, 2)  # seq 3, 4: the log keeps 2, 3, 4
    first = await store.result(KEY, "m1")
    assert first is not None and [(e["seq"], e["text"]) for e in first] == [(2, "reply 1")]
    assert seqs(await store.result(KEY, "m2")) == [3, 4]
    await turn(store, 3)  # seq 5, 6: the log keeps 4, 5, 6
    assert await store.result(KEY, "m1") == []  # processed, but its entries are gone
    assert seqs(await store.result(KEY, "m2")) == [4]
    assert seqs(await store.result(KEY, "m3")) == [5, 6]


async def test_an_item_that_appended_nothing_has_an_empty_result(store: Store) -> None:
    await turn(store, 1)
    await turn(store, 2, Commit("m2", {"state": 2}, {}, []))  # e.g. a timer that said nothing
    assert await store.result(KEY, "m2") == []
    assert seqs(await store.result(KEY, "m1")) == [1, 2]
    await turn(store, 3)
    assert await store.result(KEY, "m2") == []
    assert seqs(await store.result(KEY, "m3")) == [3, 4]
    assert seqs(await store.log(KEY, after=0)) == [1, 2, 3, 4]


@pytest.mark.parametrize("limits", [StoreLimits(history_ttl=0.5)])
async def test_the_history_expires_but_the_session_stays_and_its_seq_goes_on(store: Store) -> None:
    await turn(store, 1)
    await asyncio.sleep(1)
    assert await store.log(KEY, after=0) == []
    assert await store.result(KEY, "m1") == []  # still known for result_ttl, its entries gone
    assert not await store.enqueue(KEY, item(1))  # and still deduplicated
    await store.enqueue(KEY, item(2))
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None and claim.item.id == "m2"
    assert claim.session == {"state": 1, "text": "Grüße 🍕"}
    assert claim.profile == {"address": "Weserstraße 5"}
    assert claim.seq == 2
    assert await store.commit(claim, commit_for("m2", 2))
    assert [(e["seq"], e["text"]) for e in await store.log(KEY, after=0)] == [
        (3, "hi"),
        (4, "reply 2"),
    ]  # a fresh log, numbered on: a chat page never sees a seq twice
    assert seqs(await store.result(KEY, "m2")) == [3, 4]


@pytest.mark.parametrize(
    "limits", [StoreLimits(), StoreLimits(session_ttl=120, profile_ttl=60)], ids=["long", "short"]
)
async def test_a_session_holding_its_profile_comes_back_as_committed(store: Store) -> None:
    profile = {"address": "Weserstraße 5", "name": "Ada"}
    entries: list[LogEntry] = [{"from": "bot", "text": "ok"}]
    await turn(store, 1, Commit("m1", {"step": 1, "profile": profile}, profile, entries))
    for number in (2, 3, 4):
        await store.enqueue(KEY, item(number))
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None
    assert claim.session == {"step": 1, "profile": profile} and claim.profile == profile
    assert claim.session["profile"] is not claim.profile  # the engine may change either
    following = await handed_on(
        store, claim, Commit("m2", {"step": 2, "profile": profile}, profile, entries)
    )
    assert following.session == {"step": 2, "profile": profile} and following.profile == profile
    assert following.session["profile"] is not following.profile
    other = {"step": 3, "profile": {"address": "elsewhere"}}
    following = await handed_on(store, following, Commit("m3", other, profile, entries))
    assert following.session == other and following.profile == profile
    await store.release(following)
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None and claim.session == other and claim.profile == profile


def test_store_limits_must_be_positive() -> None:
    for wrong in ({"history_ttl": 0}, {"result_ttl": -1}, {"log_length": 0}):
        with pytest.raises(ValueError, match="positive"):
            StoreLimits(**wrong)  # type: ignore[arg-type]


async def test_a_lone_surrogate_never_breaks_a_store(store: Store) -> None:
    """A broken emoji half (`\\ud83d`) from a webhook payload cannot be encoded as UTF-8. In a
    customer's message it becomes U+FFFD when the inbox item is made; anywhere else (a session,
    a profile, the log) every store keeps it as it is."""
    broken = "Pizza \ud83d bitte"
    assert await store.enqueue(KEY, item(1, broken))
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None and claim.item.text == "Pizza \ufffd bitte"
    commit = Commit(
        item_id="m1",
        session={"last": broken},
        profile={"name": broken},
        entries=[{"from": "customer", "text": broken}],
    )
    assert await store.commit(claim, commit) is True
    assert [entry["text"] for entry in await store.log(KEY, 0, 10)] == [broken]
    assert await store.enqueue(KEY, item(2))
    again = await store.claim(KEY, "w", 10)
    assert again is not None
    assert (again.session, again.profile) == ({"last": broken}, {"name": broken})
