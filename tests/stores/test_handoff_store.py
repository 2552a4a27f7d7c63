"""One contract, every handoff store: memory (the reference), sqlite (a real file), redis (a real
server, `REDIS_URL` or the Makefile's redis://127.0.0.1:6379/15) and redis-cluster (the run's
three-node cluster). The SQLite and Redis stores are opened from their URLs (`open_handoffs`,
or the backend's own opener for a smaller queue cap), each test under a Redis key prefix of its
own, whose keys are deleted afterwards (never the database). Time is an argument: no test
waits.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from framework.errors import NotFound
from framework.stores.handoff_rules import (
    MAX_HISTORY,
    MAX_PAGE,
    MAX_QUEUE,
    MAX_REASON,
    MAX_SESSION,
)
from framework.stores.handoffs import (
    CLAIMED,
    CLOSED,
    QUEUED,
    RETURNED,
    Handoff,
    HandoffError,
    HandoffEvent,
    HandoffNotFound,
    HandoffRefused,
    HandoffStore,
    HandoffTaken,
    QueueFull,
)
from framework.stores.memory.handoffs import MemoryHandoffs
from framework.stores.opening import StoreURL, open_handoffs, open_tickets
from framework.stores.redis.connection import bounded_client
from framework.stores.redis.handoffs import RedisHandoffs
from framework.stores.session_store import StoreError
from framework.stores.sqlite.handoffs import SqliteHandoffs
from framework.stores.sqlite.sessions import SqliteStore
from framework.stores.tickets import NewTicket
from tests.payments.test_order_store import REDIS_URL
from tests.stores.contract import delete_keys, store_url

NOW = 1_800_000_000.0
BOT = "pc_support"
HOSTILE = (
    "it's \"quoted\"'); DROP TABLE handoffs; -- {%handoffs:pc_support}:queue %s %d %% [[ ]] "
    "]]=] \\0 \x00 \u202eRTL Grüße 🍕👩🏽‍💻 \\u0041 cjson.decode(' redis.call('FLUSHALL') "
)
HUGE = "x" * 10_000_000
Opener = Callable[..., Awaitable[HandoffStore]]


def key(name: str) -> str:
    return f"{BOT}:whatsapp:{name}"


def sessions(handoffs: list[Handoff]) -> list[str]:
    return [handoff.session for handoff in handoffs]


def whats(handoff: Handoff) -> list[tuple[str, str]]:
    return [(event.what, event.by) for event in handoff.history]


async def ask(store: HandoffStore, name: str, at: float = NOW, bot: str = BOT) -> Handoff:
    return await store.request(bot, key(name), "printer still broken", "whatsapp", "de", at)


@pytest.fixture(params=["memory", "sqlite", "redis", "redis-cluster"])
async def opener(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    """Opens stores on one set of handoffs, as the workers of a deployment do (memory lives in
    one process: there it is the same store); `max_queue` opens one with that cap. All are
    closed after the test."""
    kind, prefix = str(request.param), f"test-handoffs-{uuid.uuid4().hex[:24]}"
    url = store_url(kind, tmp_path, request.config, prefix)
    memory, opened = {None: MemoryHandoffs()}, list[HandoffStore]()

    async def open_one(max_queue: int | None = None) -> HandoffStore:
        if kind == "memory":
            if max_queue not in memory:
                memory[max_queue] = MemoryHandoffs(max_queue=max_queue)
            return memory[max_queue]
        if max_queue is None:
            opened.append(await open_handoffs(url))
        elif kind == "sqlite":
            opened.append(await SqliteHandoffs.open(tmp_path / "state.db", max_queue=max_queue))
        else:
            where = StoreURL.parse(url)
            opened.append(RedisHandoffs.from_url(where.url, where.prefix, max_queue=max_queue))
        return opened[-1]

    yield open_one
    for store in opened:
        await store.close()
    if kind.startswith("redis"):
        await delete_keys(StoreURL.parse(url).url, prefix)


@pytest.fixture
async def handoffs(opener: Opener) -> HandoffStore:
    return await opener()


async def test_requests_queue_at_the_back_with_their_positions(handoffs: HandoffStore) -> None:
    first = await ask(handoffs, "ada", NOW)
    await ask(handoffs, "bob", NOW + 1)
    await ask(handoffs, "cy", NOW + 2)
    other = await ask(handoffs, "ada", NOW + 3, bot="pizza")
    assert first == Handoff(
        bot=BOT,
        session=key("ada"),
        reason="printer still broken",
        channel="whatsapp",
        lang="de",
        state=QUEUED,
        requested_at=NOW,
        queued_at=NOW,
        history=(HandoffEvent(NOW, "requested", "bot"),),
    )
    assert await handoffs.get(BOT, key("ada")) == first
    assert sessions(await handoffs.queue(BOT)) == [key("ada"), key("bob"), key("cy")]
    assert sessions(await handoffs.queue(BOT, limit=2)) == [key("ada"), key("bob")]
    positions = [await handoffs.position(BOT, key(name)) for name in ("ada", "bob", "cy")]
    assert positions == [1, 2, 3]
    assert await handoffs.position(BOT, key("nobody")) is None
    assert await handoffs.get(BOT, key("nobody")) is None
    assert await handoffs.counts(BOT) == {"queued": 3, "claimed": 0}
    assert await handoffs.queue("pizza") == [other]
    assert await handoffs.position("pizza", key("ada")) == 1
    assert await handoffs.counts("nobody") == {"queued": 0, "claimed": 0}
    assert await handoffs.queue("nobody") == [] == await handoffs.held("nobody")


async def test_a_request_is_idempotent(opener: Opener) -> None:
    stores = [await opener(), await opener()]
    first = await ask(stores[0], "ada", NOW)
    await ask(stores[0], "bob", NOW + 1)
    again = await stores[1].request(BOT, key("ada"), "other reason", "web", "en", NOW + 2)
    assert again == first and await stores[1].position(BOT, key("ada")) == 1
    claimed = await stores[0].claim(BOT, key("ada"), "anna", NOW + 3)
    assert await ask(stores[1], "ada", NOW + 4) == claimed  # keeps its agent
    assert await stores[1].position(BOT, key("ada")) is None
    many = await asyncio.gather(*(ask(stores[n % 2], "cy", NOW + 5 + n) for n in range(20)))
    assert len({handoff.requested_at for handoff in many}) == 1  # one of them queued it
    assert sessions(await stores[1].queue(BOT)) == [key("bob"), key("cy")]
    assert await stores[0].counts(BOT) == {"queued": 2, "claimed": 1}


async def test_of_fifty_agents_claiming_at_once_from_two_stores_one_wins(opener: Opener) -> None:
    stores = [await opener(), await opener()]
    await ask(stores[0], "ada")
    outcomes = await asyncio.gather(
        *(stores[n % 2].claim(BOT, key("ada"), f"agent {n}", NOW + 1) for n in range(50)),
        return_exceptions=True,
    )
    won = [outcome for outcome in outcomes if isinstance(outcome, Handoff)]
    taken = [outcome for outcome in outcomes if isinstance(outcome, HandoffTaken)]
    assert len(won) == 1 and len(taken) == 49
    winner = won[0]
    assert winner.state == CLAIMED and winner.claimed_at == NOW + 1
    assert {error.holder for error in taken} == {winner.agent}
    assert f"{winner.agent} has claimed the conversation" in str(taken[0])
    assert whats(winner) == [("requested", "bot"), ("claimed", f"agent:{winner.agent}")]
    for store in stores:
        assert await store.get(BOT, key("ada")) == winner
        assert await store.held(BOT) == [winner]
        assert await store.queue(BOT) == []
        assert await store.position(BOT, key("ada")) is None
        assert await store.counts(BOT) == {"queued": 0, "claimed": 1}


async def test_a_claim_again_by_the_holder_returns_it_and_others_are_told_who(
    handoffs: HandoffStore,
) -> None:
    await ask(handoffs, "ada")
    claimed = await handoffs.claim(BOT, key("ada"), "Anna Smith", NOW + 1)
    assert await handoffs.claim(BOT, key("ada"), "Anna Smith", NOW + 2) == claimed
    with pytest.raises(HandoffTaken, match="Anna Smith has claimed") as taken:
        await handoffs.claim(BOT, key("ada"), "bob", NOW + 2)
    assert taken.value.holder == "Anna Smith"
    with pytest.raises(HandoffNotFound, match="neither queued nor held") as missing:
        await handoffs.claim(BOT, key("nobody"), "bob", NOW + 2)
    assert isinstance(missing.value, NotFound | LookupError)
    with pytest.raises(HandoffNotFound):
        await handoffs.claim("pizza", key("ada"), "bob", NOW + 2)
    assert await handoffs.get(BOT, key("ada")) == claimed


async def test_a_release_puts_the_conversation_at_the_front(handoffs: HandoffStore) -> None:
    for n, name in enumerate(("ada", "bob", "cy")):
        await ask(handoffs, name, NOW + n)
    await handoffs.claim(BOT, key("bob"), "anna", NOW + 10)
    assert sessions(await handoffs.queue(BOT)) == [key("ada"), key("cy")]
    released = await handoffs.release(BOT, key("bob"), "anna", NOW + 20)
    assert (released.state, released.agent, released.claimed_at) == (QUEUED, "", None)
    assert (released.requested_at, released.queued_at) == (NOW + 1, NOW + 20)
    assert whats(released)[1:] == [("claimed", "agent:anna"), ("released", "agent:anna")]
    assert sessions(await handoffs.queue(BOT)) == [key("bob"), key("ada"), key("cy")]
    assert await handoffs.position(BOT, key("bob")) == 1
    assert await handoffs.position(BOT, key("cy")) == 3
    await handoffs.claim(BOT, key("ada"), "anna", NOW + 30)
    await handoffs.claim(BOT, key("cy"), "ben", NOW + 31)
    await handoffs.release(BOT, key("cy"), "ben", NOW + 32)
    await handoffs.release(BOT, key("ada"), "anna", NOW + 33)
    assert sessions(await handoffs.queue(BOT)) == [key("ada"), key("cy"), key("bob")]
    await ask(handoffs, "dan", NOW + 34)
    assert await handoffs.position(BOT, key("dan")) == 4
    assert await handoffs.get(BOT, key("bob")) == released


async def test_only_the_holder_releases(handoffs: HandoffStore) -> None:
    await ask(handoffs, "ada")
    with pytest.raises(HandoffRefused, match=r"nobody holds .* claim it first"):
        await handoffs.release(BOT, key("ada"), "anna", NOW + 1)
    claimed = await handoffs.claim(BOT, key("ada"), "anna", NOW + 1)
    with pytest.raises(HandoffRefused, match=r"anna holds .*, not ben: only its holder"):
        await handoffs.release(BOT, key("ada"), "ben", NOW + 2)
    with pytest.raises(HandoffNotFound):
        await handoffs.release(BOT, key("nobody"), "anna", NOW + 2)
    assert await handoffs.get(BOT, key("ada")) == claimed


async def test_the_holder_ends_a_handoff_and_it_leaves_the_store(handoffs: HandoffStore) -> None:
    await ask(handoffs, "ada")
    await ask(handoffs, "bob", NOW + 1)
    claimed = await handoffs.claim(BOT, key("ada"), "anna", NOW + 2)
    with pytest.raises(HandoffRefused, match="only its holder"):
        await handoffs.end(BOT, key("ada"), "ben", RETURNED, NOW + 3)
    with pytest.raises(HandoffError, match="ends returned or closed, not 'done'"):
        await handoffs.end(BOT, key("ada"), "anna", "done", NOW + 3)
    assert await handoffs.get(BOT, key("ada")) == claimed
    ended = await handoffs.end(BOT, key("ada"), "anna", RETURNED, NOW + 4)
    assert (ended.state, ended.agent, ended.ended_at) == (RETURNED, "anna", NOW + 4)
    assert whats(ended)[-1] == ("returned", "agent:anna")
    assert await handoffs.get(BOT, key("ada")) is None
    assert await handoffs.held(BOT) == []
    with pytest.raises(HandoffNotFound):
        await handoffs.end(BOT, key("ada"), "anna", CLOSED, NOW + 5)
    with pytest.raises(HandoffRefused, match="nobody holds"):  # an agent ends only its own
        await handoffs.end(BOT, key("bob"), "anna", CLOSED, NOW + 5)
    timed_out = await handoffs.end(BOT, key("bob"), None, CLOSED, NOW + 6)
    assert (timed_out.state, timed_out.agent) == (CLOSED, "")
    assert whats(timed_out) == [("requested", "bot"), ("closed", "system")]
    assert await handoffs.counts(BOT) == {"queued": 0, "claimed": 0}
    assert await handoffs.queue(BOT) == []
    anew = await ask(handoffs, "ada", NOW + 7)  # asking again starts a new handoff
    assert (anew.state, anew.requested_at, len(anew.history)) == (QUEUED, NOW + 7, 1)


async def test_the_system_ends_a_held_handoff_too(handoffs: HandoffStore) -> None:
    await ask(handoffs, "ada")
    await handoffs.claim(BOT, key("ada"), "anna", NOW + 1)
    ended = await handoffs.end(BOT, key("ada"), None, CLOSED, NOW + 2)
    assert (ended.state, ended.agent, whats(ended)[-1]) == (CLOSED, "anna", ("closed", "system"))
    assert await handoffs.held(BOT, "anna") == []


async def test_expired_lists_the_longest_waiting_first(handoffs: HandoffStore) -> None:
    for n, name in enumerate(("ada", "bob", "cy", "dan")):
        await ask(handoffs, name, NOW + 10 * n)
    await ask(handoffs, "abe", NOW + 10)  # bob's time: by session key then
    await handoffs.claim(BOT, key("ada"), "anna", NOW + 40)
    await handoffs.claim(BOT, key("cy"), "anna", NOW + 41)
    await handoffs.release(BOT, key("cy"), "anna", NOW + 42)  # waits again from here
    assert await handoffs.expired(BOT, NOW) == []
    assert sessions(await handoffs.expired(BOT, NOW + 10)) == []  # before, not at
    assert sessions(await handoffs.expired(BOT, NOW + 30.5)) == [key("abe"), key("bob"), key("dan")]
    assert sessions(await handoffs.expired(BOT, NOW + 30.5, limit=2)) == [key("abe"), key("bob")]
    everyone = sessions(await handoffs.expired(BOT, NOW + 99))
    assert everyone == [key("abe"), key("bob"), key("dan"), key("cy")]
    assert await handoffs.expired("pizza", NOW + 99) == []


async def test_held_lists_claims_longest_held_first(handoffs: HandoffStore) -> None:
    for n, name in enumerate(("ada", "bob", "cy", "dan")):
        await ask(handoffs, name, NOW + n)
    await handoffs.claim(BOT, key("cy"), "anna", NOW + 10)
    await handoffs.claim(BOT, key("ada"), "ben", NOW + 11)
    await handoffs.claim(BOT, key("bob"), "anna", NOW + 12)
    assert sessions(await handoffs.held(BOT)) == [key("cy"), key("ada"), key("bob")]
    assert sessions(await handoffs.held(BOT, "anna")) == [key("cy"), key("bob")]
    assert sessions(await handoffs.held(BOT, "ben")) == [key("ada")]
    assert await handoffs.held(BOT, "carla") == []
    assert await handoffs.counts(BOT) == {"queued": 1, "claimed": 3}


async def test_the_history_keeps_the_request_and_the_last_changes(handoffs: HandoffStore) -> None:
    await ask(handoffs, "ada")
    for n in range(15):
        await handoffs.claim(BOT, key("ada"), f"agent{n}", NOW + 2 * n + 1)
        last = await handoffs.release(BOT, key("ada"), f"agent{n}", NOW + 2 * n + 2)
    assert len(last.history) == MAX_HISTORY
    assert last.history[0] == HandoffEvent(NOW, "requested", "bot")
    assert last.history[-1] == HandoffEvent(NOW + 30, "released", "agent:agent14")
    assert await handoffs.get(BOT, key("ada")) == last


async def test_a_full_queue_refuses_new_requests_only(opener: Opener) -> None:
    stores = [await opener(max_queue=3), await opener(max_queue=3)]
    for name in ("ada", "bob", "cy"):
        await ask(stores[0], name)
    with pytest.raises(QueueFull, match="holds 3 conversations, the most it keeps; offer"):
        await ask(stores[1], "dan")
    assert await stores[1].get(BOT, key("dan")) is None
    assert (await ask(stores[1], "ada", NOW + 1)).requested_at == NOW  # queued: as it is
    await stores[0].claim(BOT, key("ada"), "anna", NOW + 2)
    await ask(stores[1], "dan", NOW + 3)
    await stores[0].release(BOT, key("ada"), "anna", NOW + 4)  # a release is never refused
    assert await stores[1].counts(BOT) == {"queued": 4, "claimed": 0}
    assert (await ask(stores[0], "eve", NOW + 5, bot="pizza")).bot == "pizza"  # per bot
    for name in ("ada", "bob"):
        await stores[0].end(BOT, key(name), None, CLOSED, NOW + 6)
    outcomes = await asyncio.gather(
        *(ask(stores[n % 2], f"late{n}", NOW + 7) for n in range(10)), return_exceptions=True
    )
    assert sum(isinstance(outcome, Handoff) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, QueueFull) for outcome in outcomes) == 9
    assert (await stores[0].counts(BOT))["queued"] == 3


async def test_the_queue_holds_ten_thousand_by_default(opener: Opener) -> None:
    store = await opener()
    assert MAX_QUEUE == 10_000
    for start in range(0, MAX_QUEUE, 1_000):
        await asyncio.gather(*(ask(store, f"c{n}", NOW + n) for n in range(start, start + 1_000)))
    with pytest.raises(QueueFull, match="holds 10000 conversations"):
        await ask(store, "one too many", NOW + MAX_QUEUE)
    await store.end(BOT, key("c0"), None, CLOSED, NOW + MAX_QUEUE)
    await ask(store, "the last", NOW + MAX_QUEUE)
    assert await store.position(BOT, key("the last")) == MAX_QUEUE
    assert len(await store.queue(BOT, MAX_PAGE)) == MAX_PAGE


async def test_handoffs_survive_reopening(opener: Opener) -> None:
    first = await opener()
    if isinstance(first, MemoryHandoffs):
        return  # memory lives in one process: nothing to reopen
    for n, name in enumerate(("ada", "bob", "cy")):
        await ask(first, name, NOW + n)
    held = await first.claim(BOT, key("bob"), "anna", NOW + 10)
    await first.claim(BOT, key("cy"), "ben", NOW + 11)
    released = await first.release(BOT, key("cy"), "ben", NOW + 12)
    await first.close()
    second = await opener()
    assert sessions(await second.queue(BOT)) == [key("cy"), key("ada")]
    assert await second.get(BOT, key("cy")) == released
    assert await second.held(BOT) == [held]
    assert await second.counts(BOT) == {"queued": 2, "claimed": 1}
    with pytest.raises(HandoffTaken, match="anna"):
        await second.claim(BOT, key("bob"), "ben", NOW + 13)
    await ask(second, "dan", NOW + 14)
    assert await second.position(BOT, key("dan")) == 3


async def test_hostile_and_unicode_input_round_trips_exactly(handoffs: HandoffStore) -> None:
    session = HOSTILE[:MAX_SESSION]
    asked = await handoffs.request(BOT, session, HOSTILE[:MAX_REASON], "🍕 'web'", "de-CH", NOW)
    assert (asked.session, asked.reason, asked.channel) == (
        session,
        HOSTILE[:MAX_REASON],
        "🍕 'web'",
    )
    await handoffs.request(BOT, "x", "", "", "", NOW + 1)
    assert await handoffs.get(BOT, session) == asked and await handoffs.position(BOT, "x") == 2
    assert await handoffs.get(BOT, session[:-1]) is None
    claimed = await handoffs.claim(BOT, session, "anna.b@example.org", NOW + 2)
    assert await handoffs.held(BOT, "anna.b@example.org") == [claimed]
    released = await handoffs.release(BOT, session, "anna.b@example.org", NOW + 3)
    assert sessions(await handoffs.queue(BOT)) == [session, "x"]
    assert await handoffs.expired(BOT, NOW + 4) == [await handoffs.get(BOT, "x"), released]
    ended = await handoffs.end(BOT, session, None, CLOSED, NOW + 5)
    assert ended.session == session and await handoffs.get(BOT, session) is None
    broken = await handoffs.request(BOT, "y", "half an emoji \ud83d here", "web", "", NOW)
    assert broken.reason == "half an emoji \ufffd here"
    assert await handoffs.get(BOT, "y") == broken


async def test_limits_are_refused_with_what_to_do(handoffs: HandoffStore) -> None:
    with pytest.raises(HandoffError, match="201 characters, more than the 200"):
        await handoffs.request(BOT, key("ada"), "r" * (MAX_REASON + 1), "web", "de", NOW)
    with pytest.raises(HandoffError, match="10000000 characters") as huge:
        await handoffs.request(BOT, key("ada"), HUGE, "web", "de", NOW)
    assert len(str(huge.value)) < 300
    with pytest.raises(HandoffError, match="more than the 64"):
        await handoffs.request(BOT, key("ada"), "", "w" * 65, "de", NOW)
    for session in ("", "s" * (MAX_SESSION + 1), HUGE, "lone \udc00", 42):
        with pytest.raises(HandoffError, match="is not a session key") as refused:
            await handoffs.request(BOT, session, "", "web", "de", NOW)  # type: ignore[arg-type]
        assert len(str(refused.value)) < 300
        with pytest.raises(HandoffError, match="is not a session key"):
            await handoffs.get(BOT, session)  # type: ignore[arg-type]
        with pytest.raises(HandoffError, match="is not a session key"):
            await handoffs.position(BOT, session)  # type: ignore[arg-type]
    full = await handoffs.request(BOT, "s" * MAX_SESSION, "r" * MAX_REASON, "web", "de", NOW)
    assert await handoffs.get(BOT, "s" * MAX_SESSION) == full
    for limit in (0, MAX_PAGE + 1, -1, True):
        with pytest.raises(HandoffError, match="holds 1 to 1000"):
            await handoffs.queue(BOT, limit)
        with pytest.raises(HandoffError, match="holds 1 to 1000"):
            await handoffs.expired(BOT, NOW, limit)
    for moment in (float("nan"), float("inf"), -1.0, 10**400):
        with pytest.raises(HandoffError, match="seconds since the epoch"):
            await handoffs.claim(BOT, "s" * MAX_SESSION, "anna", moment)
        with pytest.raises(HandoffError, match="seconds since the epoch"):
            await handoffs.expired(BOT, moment)
    assert await handoffs.counts(BOT) == {"queued": 1, "claimed": 0}


@pytest.mark.parametrize(
    "agent",
    ["", " anna", "anna ", "a" * 65, "anna\n", "anna;DROP", "ánna", "agent:anna", "{%x}", HUGE],
)
async def test_a_bad_agent_name_is_refused(handoffs: HandoffStore, agent: str) -> None:
    await ask(handoffs, "ada")
    for change in (
        handoffs.claim(BOT, key("ada"), agent, NOW),
        handoffs.release(BOT, key("ada"), agent, NOW),
        handoffs.end(BOT, key("ada"), agent, CLOSED, NOW),
    ):
        with pytest.raises(HandoffError, match="is not an agent's name") as refused:
            await change
        assert len(str(refused.value)) < 300
    with pytest.raises(HandoffError, match="is not an agent's name"):
        await handoffs.held(BOT, agent)
    kept = await handoffs.get(BOT, key("ada"))
    assert kept is not None and kept.state == QUEUED


async def test_good_agent_names_are_kept_exactly(handoffs: HandoffStore) -> None:
    for n, agent in enumerate(("Anna Smith", "anna.b@example.org", "a_b-c", "a" * 64, "7")):
        await ask(handoffs, f"c{n}")
        assert (await handoffs.claim(BOT, key(f"c{n}"), agent, NOW)).agent == agent
        assert sessions(await handoffs.held(BOT, agent)) == [key(f"c{n}")]


@pytest.mark.parametrize("bot", ["", "Pizza", "pizza}", "{pizza}", "pizza:web", "1pizza", "a" * 65])
async def test_a_bad_bot_name_is_refused(handoffs: HandoffStore, bot: str) -> None:
    with pytest.raises(HandoffError, match="is not a bot name"):
        await handoffs.request(bot, key("ada"), "", "web", "de", NOW)
    for read in (
        handoffs.get(bot, key("ada")),
        handoffs.position(bot, key("ada")),
        handoffs.queue(bot),
        handoffs.held(bot),
        handoffs.expired(bot, NOW),
        handoffs.counts(bot),
        handoffs.claim(bot, key("ada"), "anna", NOW),
    ):
        with pytest.raises(HandoffError, match="is not a bot name"):
            await read


def test_a_refusal_is_not_a_store_failure() -> None:
    """The runtime tries a turn again after a StoreError: a refused change would never pass."""
    for refused in (HandoffError, HandoffNotFound, HandoffTaken, HandoffRefused, QueueFull):
        assert issubclass(refused, HandoffError) and not issubclass(refused, StoreError)
    assert issubclass(HandoffError, ValueError) and issubclass(HandoffNotFound, NotFound)
    with pytest.raises(ValueError, match="max_queue"):
        MemoryHandoffs(max_queue=0)


async def test_redis_keeps_a_bots_handoffs_under_one_hash_tag() -> None:
    prefix = f"test-handoffs-{uuid.uuid4().hex[:24]}"
    store = RedisHandoffs.from_url(REDIS_URL, prefix)
    try:
        await ask(store, "ada")
        await ask(store, "bob")
        await store.claim(BOT, key("bob"), "anna", NOW + 1)
        client = bounded_client(REDIS_URL)
        written = sorted([k async for k in client.scan_iter(match=f"{prefix}:*")])
        await client.aclose()
        tag = f"{prefix}:{{%handoffs:{BOT}}}"
        assert written == [f"{tag}:{name}" for name in ("handoffs", "held", "queue", "waiting")]
        with pytest.raises(ValueError, match="cannot contain"):
            RedisHandoffs.from_url(REDIS_URL, "a{b}")
    finally:
        await store.close()
        await delete_keys(REDIS_URL, prefix)


async def test_sqlite_handoffs_share_the_file_with_sessions_and_tickets(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = await SqliteStore.open(str(path))
    tickets = await open_tickets(f"sqlite:///{path}")
    handoffs = await open_handoffs(f"sqlite:///{path}")
    try:
        asked = await ask(handoffs, "ada")
        await tickets.create(NewTicket(bot=BOT, subject="printer"), NOW)
        assert await handoffs.get(BOT, key("ada")) == asked
    finally:
        for opened in (handoffs, tickets, store):
            await opened.close()
    with pytest.raises(StoreError, match="closed; open the store again"):
        await handoffs.get(BOT, key("ada"))
    again = await open_handoffs(f"sqlite:///{path}")
    try:
        assert await again.queue(BOT) == [asked]
    finally:
        await again.close()
