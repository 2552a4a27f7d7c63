"""One contract, every ticket store: memory (the reference), sqlite (a real file), redis (a real
server, `REDIS_URL` or the Makefile's redis://127.0.0.1:6379/15) and redis-cluster (the run's
three-node cluster). The SQLite and Redis stores are opened from their URLs (`open_tickets`),
each test under a Redis key prefix of its own, deleted afterwards. Time is an argument: no
test waits.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from framework.errors import NotFound
from framework.stores.memory.tickets import MemoryTickets
from framework.stores.opening import open_tickets
from framework.stores.redis.tickets import RedisTickets
from framework.stores.session_store import StoreError
from framework.stores.sqlite.orders import SqliteOrders
from framework.stores.sqlite.sessions import SqliteStore
from framework.stores.ticket_rules import MAX_EVENTS, MAX_PAGE, MAX_SUBJECT, MAX_TEXT
from framework.stores.tickets import (
    CLOSED,
    OPEN,
    PENDING,
    SOLVED,
    HistoryFull,
    NewTicket,
    StatusRefused,
    Ticket,
    TicketClosed,
    TicketError,
    TicketEvent,
    TicketNotFound,
    TicketStore,
)
from tests.payments.test_order_store import REDIS_URL, delete_keys, redis_client
from tests.runtime.cluster import cluster_url

NOW = 1_800_000_000.0
BOT = "pc_support"
AGENT = "agent:anna"
HOSTILE = (
    "it's \"quoted\"'); DROP TABLE tickets; -- {%tickets:pc_support}:* %s %d %% [[ ]] ]]=] "
    "\\0 \x00 \u202eRTL Grüße 🍕👩🏽‍💻 \\u0041 cjson.decode(' local x = 1 redis.call('FLUSHALL')"
)
HUGE = "x" * 10_000_000
Opener = Callable[[], Awaitable[TicketStore]]


def new(subject: str = "Printer prints blank pages", **changes: Any) -> NewTicket:
    fields: dict[str, Any] = {
        "bot": BOT,
        "subject": subject,
        "category": "printer",
        "priority": "normal",
        "contact": {"channel": "whatsapp", "phone": "+49 170 1234567", "name": "Ada"},
        "slots": {"device": "laptop", "tried": ["restart", "cable"], "age": 3},
        "conversation": f"{BOT}:whatsapp:4917012345",
        "lang": "de",
    }
    return NewTicket(**{**fields, **changes})


def numbers(tickets: list[Ticket]) -> list[int]:
    return [ticket.number for ticket in tickets]


def kinds(ticket: Ticket) -> list[tuple[str, str, str, str]]:
    return [(e.kind, e.by, e.from_status, e.to_status) for e in ticket.history]


def with_query(url: str, prefix: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}prefix={prefix}"


TIMEOUT = 30.0
"""How long the Redis stores' calls may wait for a connection and an answer (5 s in a
deployment): a burst of fifty creates on a machine busy with parallel test processes once
took longer than 5 s."""


@pytest.fixture(params=["memory", "sqlite", "redis", "redis-cluster"])
async def opener(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    """Opens stores on one set of tickets, as the workers of a deployment do (memory lives in
    one process: there it is the same store); all are closed after the test."""
    kind, prefix = str(request.param), f"test-tickets-{uuid.uuid4().hex[:24]}"
    redis = {"redis": REDIS_URL, "redis-cluster": ""}
    if kind == "redis-cluster":
        redis[kind] = cluster_url(request.config)
    memory, opened = MemoryTickets(), list[TicketStore]()

    async def open_one() -> TicketStore:
        if kind == "memory":
            return memory
        if kind == "sqlite":
            opened.append(await open_tickets(f"sqlite:///{tmp_path / 'state.db'}"))
        else:
            opened.append(RedisTickets.from_url(redis[kind], prefix, timeout=TIMEOUT))
        return opened[-1]

    yield open_one
    for store in opened:
        await store.close()
    if kind == "redis":
        await delete_keys(await redis_client(), prefix)


@pytest.fixture
async def tickets(opener: Opener) -> TicketStore:
    return await opener()


async def test_numbers_start_at_1001_per_bot_and_count_up(tickets: TicketStore) -> None:
    first = await tickets.create(new(), NOW)
    second = await tickets.create(new("WLAN keeps dropping", category="network"), NOW + 1)
    other = await tickets.create(new(bot="pizza", conversation="pizza:web:ada"), NOW + 2)
    assert (first.number, second.number, other.number) == (1001, 1002, 1001)
    assert first == Ticket(
        bot=BOT,
        number=1001,
        subject="Printer prints blank pages",
        category="printer",
        priority="normal",
        status=OPEN,
        contact={"channel": "whatsapp", "phone": "+49 170 1234567", "name": "Ada"},
        slots={"device": "laptop", "tried": ["restart", "cable"], "age": 3},
        conversation=f"{BOT}:whatsapp:4917012345",
        lang="de",
        created_at=NOW,
        updated_at=NOW,
        history=(TicketEvent(NOW, "created", "bot", to_status=OPEN),),
    )
    assert await tickets.get(BOT, 1001) == first
    assert await tickets.get(BOT, 1002) == second
    assert await tickets.get("pizza", 1001) == other


async def test_an_unknown_number_is_none_and_cannot_be_changed(tickets: TicketStore) -> None:
    assert await tickets.get(BOT, 1001) is None
    await tickets.create(new(), NOW)
    for number in (1002, 1000, 0, -1, 10**30):
        assert await tickets.get(BOT, number) is None
    assert await tickets.get("pizza", 1001) is None
    with pytest.raises(TicketNotFound, match="no ticket 1002") as raised:
        await tickets.comment(BOT, 1002, "customer", "hello?", True, NOW)
    assert isinstance(raised.value, NotFound | LookupError)
    with pytest.raises(TicketNotFound):
        await tickets.set_status(BOT, 10**30, SOLVED, AGENT, NOW)


async def test_fifty_concurrent_creates_from_two_stores_get_fifty_consecutive_numbers(
    opener: Opener,
) -> None:
    stores = [await opener(), await opener()]
    created = await asyncio.gather(
        *(stores[n % 2].create(new(f"problem {n}"), NOW + n) for n in range(50))
    )
    assert sorted(numbers(created)) == list(range(1001, 1051))
    listed = await stores[1].list(BOT, limit=50)
    assert numbers(listed) == list(range(1050, 1000, -1))
    assert {t.subject for t in listed} == {f"problem {n}" for n in range(50)}
    assert (await stores[0].create(new(), NOW + 99)).number == 1051


async def test_create_is_idempotent_on_the_key_per_bot(tickets: TicketStore) -> None:
    first = await tickets.create(new(key="req-1"), NOW)
    commented = await tickets.comment(BOT, first.number, AGENT, "on it", True, NOW + 1)
    again = await tickets.create(new("another subject", key="req-1"), NOW + 2)
    assert again == commented and again.key == "req-1"  # as it is now, nothing opened
    other_bot = await tickets.create(new(bot="pizza", key="req-1"), NOW + 3)
    assert other_bot.number == 1001 and other_bot.bot == "pizza"
    assert (await tickets.create(new(key=HOSTILE), NOW + 4)).number == 1002
    assert (await tickets.create(new(key=HOSTILE), NOW + 5)).number == 1002
    assert (await tickets.create(new(), NOW + 6)).number == 1003
    assert (await tickets.create(new(), NOW + 7)).number == 1004  # no key: always a new one


async def test_concurrent_creates_with_one_key_open_one_ticket(opener: Opener) -> None:
    stores = [await opener(), await opener()]
    created = await asyncio.gather(
        *(stores[n % 2].create(new(key="turn-7"), NOW + n) for n in range(20))
    )
    assert {ticket.number for ticket in created} == {1001}
    assert len({ticket.created_at for ticket in created}) == 1
    assert numbers(await stores[0].list(BOT)) == [1001]
    assert (await stores[1].create(new(), NOW + 99)).number == 1002


async def test_status_moves_forward_with_its_history(tickets: TicketStore) -> None:
    ticket = await tickets.create(new(), NOW)
    pending = await tickets.set_status(BOT, ticket.number, PENDING, AGENT, NOW + 10, "Model?")
    solved = await tickets.set_status(BOT, ticket.number, SOLVED, "bot", NOW + 20)
    closed = await tickets.set_status(BOT, ticket.number, CLOSED, "system", NOW + 30)
    assert (pending.status, solved.status, closed.status) == (PENDING, SOLVED, CLOSED)
    assert (closed.created_at, closed.updated_at) == (NOW, NOW + 30)
    assert closed.history == (
        TicketEvent(NOW, "created", "bot", to_status=OPEN),
        TicketEvent(NOW + 10, "status", AGENT, "Model?", True, OPEN, PENDING),
        TicketEvent(NOW + 20, "status", "bot", "", True, PENDING, SOLVED),
        TicketEvent(NOW + 30, "status", "system", "", True, SOLVED, CLOSED),
    )
    assert await tickets.get(BOT, ticket.number) == closed


async def test_any_forward_jump_is_allowed(tickets: TicketStore) -> None:
    first = await tickets.create(new(), NOW)
    second = await tickets.create(new(), NOW)
    assert (await tickets.set_status(BOT, first.number, CLOSED, AGENT, NOW + 1)).status == CLOSED
    solved = await tickets.set_status(BOT, second.number, SOLVED, AGENT, NOW + 1, "Fixed")
    assert kinds(solved)[-1] == ("status", AGENT, OPEN, SOLVED)


async def test_backward_or_same_status_is_refused_and_changes_nothing(
    tickets: TicketStore,
) -> None:
    ticket = await tickets.create(new(), NOW)
    solved = await tickets.set_status(BOT, ticket.number, SOLVED, AGENT, NOW + 1)
    for status in (OPEN, PENDING, SOLVED):
        with pytest.raises(StatusRefused, match="forward only"):
            await tickets.set_status(BOT, ticket.number, status, AGENT, NOW + 2)
    with pytest.raises(TicketError, match="use one of open, pending, solved, closed"):
        await tickets.set_status(BOT, ticket.number, "reopened", AGENT, NOW + 2)
    assert await tickets.get(BOT, ticket.number) == solved


async def test_a_customers_comment_reopens_a_pending_or_solved_ticket(
    tickets: TicketStore,
) -> None:
    ticket = await tickets.create(new(), NOW)
    number = ticket.number
    answered = await tickets.comment(BOT, number, "customer", "Still broken", True, NOW + 1)
    assert answered.status == OPEN and len(answered.history) == 2  # open stays open
    await tickets.set_status(BOT, number, PENDING, AGENT, NOW + 2, "Which model?")
    reopened = await tickets.comment(BOT, number, "customer", "HP 2600", True, NOW + 3)
    assert reopened.status == OPEN and reopened.updated_at == NOW + 3
    assert reopened.history[-2:] == (
        TicketEvent(NOW + 3, "comment", "customer", "HP 2600", True),
        TicketEvent(NOW + 3, "status", "customer", "", True, PENDING, OPEN),
    )
    await tickets.set_status(BOT, number, SOLVED, AGENT, NOW + 4)
    internal = await tickets.comment(BOT, number, AGENT, "toner was empty", False, NOW + 5)
    assert internal.status == SOLVED and not internal.history[-1].public  # an agent's: no
    again = await tickets.comment(BOT, number, "customer", "Blank again", True, NOW + 6)
    assert again.status == OPEN and kinds(again)[-1] == ("status", "customer", SOLVED, OPEN)
    assert await tickets.get(BOT, number) == again


async def test_a_closed_ticket_refuses_every_change(tickets: TicketStore) -> None:
    ticket = await tickets.create(new(), NOW)
    closed = await tickets.set_status(BOT, ticket.number, CLOSED, AGENT, NOW + 1)
    with pytest.raises(TicketClosed, match="closed is final"):
        await tickets.comment(BOT, ticket.number, "customer", "hello?", True, NOW + 2)
    with pytest.raises(TicketClosed):
        await tickets.comment(BOT, ticket.number, AGENT, "note", False, NOW + 2)
    for status in (OPEN, SOLVED, CLOSED):
        with pytest.raises(TicketClosed):
            await tickets.set_status(BOT, ticket.number, status, AGENT, NOW + 2)
    assert await tickets.get(BOT, ticket.number) == closed


async def test_concurrent_comments_from_two_stores_are_all_kept(opener: Opener) -> None:
    stores = [await opener(), await opener()]
    ticket = await stores[0].create(new(), NOW)
    said = [f"comment {n} 🍕" for n in range(40)]
    await asyncio.gather(
        *(
            stores[n % 2].comment(BOT, ticket.number, AGENT, text, n % 3 == 0, NOW + n)
            for n, text in enumerate(said)
        )
    )
    kept = await stores[1].get(BOT, ticket.number)
    assert kept is not None and len(kept.history) == 41
    assert sorted(e.text for e in kept.history[1:]) == sorted(said)
    assert {e.public for e in kept.history[1:] if e.text == "comment 3 🍕"} == {True}


async def test_of_two_workers_solving_one_ticket_at_once_one_wins(opener: Opener) -> None:
    stores = [await opener(), await opener()]
    ticket = await stores[0].create(new(), NOW)
    outcomes = await asyncio.gather(
        *(s.set_status(BOT, ticket.number, SOLVED, AGENT, NOW + 1) for s in stores),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["StatusRefused", "Ticket"]
    kept = await stores[1].get(BOT, ticket.number)
    assert kept is not None and kinds(kept) == [
        ("created", "bot", "", OPEN),
        ("status", AGENT, OPEN, SOLVED),
    ]


async def test_lists_are_newest_first_filtered_and_paged(tickets: TicketStore) -> None:
    for n in range(7):
        await tickets.create(new(f"t{n}", conversation=f"{BOT}:web:{'ab'[n % 2]}"), NOW + n)
    await tickets.create(new(bot="pizza"), NOW)
    await tickets.set_status(BOT, 1002, PENDING, AGENT, NOW + 10)
    await tickets.set_status(BOT, 1003, SOLVED, AGENT, NOW + 10)
    await tickets.set_status(BOT, 1005, CLOSED, AGENT, NOW + 10)
    assert numbers(await tickets.list(BOT)) == [1007, 1006, 1005, 1004, 1003, 1002, 1001]
    assert numbers(await tickets.list(BOT, {OPEN})) == [1007, 1006, 1004, 1001]
    assert numbers(await tickets.list(BOT, frozenset({PENDING, SOLVED}))) == [1003, 1002]
    assert await tickets.list(BOT, set()) == []
    a_side = f"{BOT}:web:a"
    assert numbers(await tickets.list(BOT, conversation=a_side)) == [1007, 1005, 1003, 1001]
    assert numbers(await tickets.list(BOT, {OPEN}, a_side)) == [1007, 1001]
    assert await tickets.list(BOT, conversation=f"{BOT}:web:nobody") == []
    pages, before = [], None
    while page := await tickets.list(BOT, limit=3, before_number=before):
        pages.append(numbers(page))
        before = page[-1].number
    assert pages == [[1007, 1006, 1005], [1004, 1003, 1002], [1001]]
    assert numbers(await tickets.list(BOT, {OPEN}, limit=2, before_number=1006)) == [1004, 1001]
    assert numbers(await tickets.list("pizza")) == [1001]
    assert await tickets.list("nobody") == []


async def test_a_filtered_list_reads_past_many_other_tickets(tickets: TicketStore) -> None:
    for n in range(30):
        await tickets.create(new(f"t{n}", conversation="one"), NOW + n)
    for number in range(1003, 1031):
        await tickets.set_status(BOT, number, CLOSED, AGENT, NOW + 60)
    assert numbers(await tickets.list(BOT, {OPEN}, "one", limit=2)) == [1002, 1001]
    assert numbers(await tickets.list(BOT, {OPEN}, limit=5)) == [1002, 1001]
    closed = await tickets.list(BOT, {CLOSED}, "one", limit=3, before_number=1010)
    assert numbers(closed) == [1009, 1008, 1007]


async def test_limits_are_refused_with_what_to_do(tickets: TicketStore) -> None:
    with pytest.raises(TicketError, match="201 characters, more than the 200"):
        await tickets.create(new("s" * (MAX_SUBJECT + 1)), NOW)
    ticket = await tickets.create(new("s" * MAX_SUBJECT), NOW)
    assert ticket.number == 1001  # the refused one took no number
    with pytest.raises(TicketError, match="4097 characters, more than the 4096"):
        await tickets.comment(BOT, 1001, AGENT, "c" * (MAX_TEXT + 1), True, NOW)
    with pytest.raises(TicketError, match="more than the 4096"):
        await tickets.set_status(BOT, 1001, SOLVED, AGENT, NOW, "n" * (MAX_TEXT + 1))
    full = await tickets.comment(BOT, 1001, AGENT, "c" * MAX_TEXT, True, NOW)
    for n in range(MAX_EVENTS - 4):
        full = await tickets.comment(BOT, 1001, AGENT, f"c{n}", False, NOW + n)
    full = await tickets.set_status(BOT, 1001, PENDING, AGENT, NOW + 999)
    assert len(full.history) == MAX_EVENTS - 1
    with pytest.raises(HistoryFull, match="at most 500"):  # a comment and a reopening
        await tickets.comment(BOT, 1001, "customer", "one more", True, NOW + 1000)
    last = await tickets.comment(BOT, 1001, AGENT, "the last", True, NOW + 1000)
    assert len(last.history) == MAX_EVENTS
    with pytest.raises(HistoryFull, match="open a new one"):
        await tickets.set_status(BOT, 1001, CLOSED, AGENT, NOW + 1001)
    assert await tickets.get(BOT, 1001) == last
    for limit in (0, MAX_PAGE + 1, -1):
        with pytest.raises(TicketError, match="holds 1 to 200"):
            await tickets.list(BOT, limit=limit)


async def test_hostile_and_unicode_input_round_trips_exactly(tickets: TicketStore) -> None:
    contact = {"name": HOSTILE, HOSTILE: [HOSTILE, None, 1.5, {"}": "{"}], "email": "a@b.c"}
    ticket = await tickets.create(
        new(
            HOSTILE[:MAX_SUBJECT],
            category="🖨️ 'x'",
            contact=contact,
            slots={"problem": HOSTILE, "n": 10**18},
            conversation=HOSTILE,
            lang="de-CH",
            by="customer",
        ),
        NOW,
    )
    assert ticket.contact == contact and ticket.conversation == HOSTILE
    said = await tickets.comment(BOT, 1001, "agent:anna.b@example.org", HOSTILE, True, NOW)
    moved = await tickets.set_status(BOT, 1001, SOLVED, AGENT, NOW + 1, HOSTILE)
    assert said.history[-1].text == HOSTILE == moved.history[-1].text
    assert await tickets.get(BOT, 1001) == moved
    assert await tickets.list(BOT, conversation=HOSTILE) == [moved]
    assert await tickets.list(BOT, conversation=HOSTILE[:-1]) == []


async def test_lone_surrogates_and_non_json_data(tickets: TicketStore) -> None:
    broken = "half an emoji \ud83d here"
    ticket = await tickets.create(
        new(broken, contact={"name": broken}, slots={1: (1, 2)}, conversation=broken), NOW
    )
    assert ticket.subject == ticket.contact["name"] == "half an emoji \ufffd here"
    assert ticket.slots == {"1": [1, 2]}  # as JSON reads it back
    commented = await tickets.comment(BOT, 1001, "customer", broken, True, NOW)
    assert commented.history[-1].text == "half an emoji \ufffd here"
    assert await tickets.get(BOT, 1001) == commented
    assert numbers(await tickets.list(BOT, conversation=broken)) == [1001]
    with pytest.raises(TicketError, match="must be JSON data"):
        await tickets.create(new(slots={"when": object()}), NOW)


async def test_ten_megabytes_are_refused_cleanly_and_change_nothing(
    tickets: TicketStore,
) -> None:
    with pytest.raises(TicketError, match="10000000 characters"):
        await tickets.create(new(HUGE), NOW)
    with pytest.raises(TicketError, match="as JSON, more than the 65536"):
        await tickets.create(new(contact={"name": HUGE}), NOW)
    with pytest.raises(TicketError, match="more than the 1024"):
        await tickets.create(new(conversation=HUGE), NOW)
    ticket = await tickets.create(new(), NOW)
    assert ticket.number == 1001
    with pytest.raises(TicketError, match="10000000 characters") as raised:
        await tickets.comment(BOT, 1001, "customer", HUGE, True, NOW + 1)
    assert len(str(raised.value)) < 300
    with pytest.raises(TicketError, match="more than the 1024"):
        await tickets.list(BOT, conversation=HUGE)
    with pytest.raises(TicketError, match="is not a bot name") as refused:
        await tickets.get(HUGE, 1001)
    assert len(str(refused.value)) < 300
    assert await tickets.get(BOT, 1001) == ticket


@pytest.mark.parametrize("bot", ["", "Pizza", "pizza}", "{pizza}", "pizza:web", "1pizza", "a" * 65])
async def test_a_bad_bot_name_is_refused(tickets: TicketStore, bot: str) -> None:
    with pytest.raises(TicketError, match="is not a bot name"):
        await tickets.create(new(bot=bot), NOW)
    with pytest.raises(TicketError, match="is not a bot name"):
        await tickets.get(bot, 1001)
    with pytest.raises(TicketError, match="is not a bot name"):
        await tickets.list(bot)
    with pytest.raises(TicketError, match="is not a bot name"):
        await tickets.comment(bot, 1001, "customer", "hi", True, NOW)


async def test_bad_values_are_refused(tickets: TicketStore) -> None:
    refused = [
        (new(priority="asap"), "priority 'asap'"),
        (new(by="admin"), "'admin' cannot change a ticket"),
        (new(by="agent:"), "cannot change a ticket"),
        (new(""), "the subject is empty"),
        (new("   "), "the subject is empty"),
    ]
    for ticket, message in refused:
        with pytest.raises(TicketError, match=message):
            await tickets.create(ticket, NOW)
    await tickets.create(new(), NOW)
    with pytest.raises(TicketError, match="always public"):
        await tickets.comment(BOT, 1001, "customer", "secret", False, NOW)
    with pytest.raises(TicketError, match="a comment is empty"):
        await tickets.comment(BOT, 1001, AGENT, "", True, NOW)
    with pytest.raises(TicketError, match="agent:<name>"):
        await tickets.comment(BOT, 1001, "agent:anna smith", "hi", True, NOW)
    with pytest.raises(TicketError, match="seconds since the epoch"):
        await tickets.comment(BOT, 1001, AGENT, "hi", True, float("nan"))
    with pytest.raises(TicketError, match="statuses: a set of"):
        await tickets.list(BOT, OPEN)  # type: ignore[arg-type]
    with pytest.raises(TicketError, match="statuses: a set of"):
        await tickets.list(BOT, {"reopened"})
    ticket = await tickets.get(BOT, 1001)
    assert ticket is not None and len(ticket.history) == 1


def test_a_refused_change_is_not_a_store_failure() -> None:
    """The runtime tries a turn again after a StoreError: a refused change would never pass."""
    for refused in (TicketError, TicketNotFound, StatusRefused, TicketClosed, HistoryFull):
        assert issubclass(refused, TicketError) and not issubclass(refused, StoreError)
    assert issubclass(TicketError, ValueError) and issubclass(TicketNotFound, NotFound)


async def test_tickets_survive_reopening(opener: Opener) -> None:
    first = await opener()
    if isinstance(first, MemoryTickets):
        return  # memory lives in one process: nothing to reopen
    created = await first.create(new(), NOW)
    changed = await first.comment(BOT, created.number, AGENT, "on my way", True, NOW + 1)
    await first.close()
    second = await opener()
    assert await second.get(BOT, created.number) == changed
    assert (await second.create(new(), NOW + 2)).number == 1002


async def test_sqlite_tickets_share_the_file_with_sessions_and_orders(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    sessions = await SqliteStore.open(str(path))
    orders = await SqliteOrders.open(path)
    tickets = await open_tickets(f"sqlite:///{path}")
    try:
        created = await tickets.create(new(), NOW)
        assert await tickets.get(BOT, 1001) == created
        assert await orders.list(BOT) == []
    finally:
        for store in (tickets, orders, sessions):
            await store.close()
    with pytest.raises(StoreError, match="closed; open it again"):
        await tickets.get(BOT, 1001)
