"""What time and many workers do to bookings, on every store of the contract suite: holds
lapse and expire, reminders fall due, and many workers share one set of bookings (two SQLite
processes on one file, two Redis clients, two clients of the cluster), all at once.

Each store guarantees in its own way (its module says how) what these tests look at: of 100
customers racing for one time exactly one gets it, a move and holds racing for one time leave
exactly one there, every lapsed hold and every due reminder comes out of exactly one `expire`
or `claim_reminders` call, and a store agrees with the reference (memory) over one random
history, so the overlap rule in Lua and behind SQLite's query is the rule of booking_rules.py.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from collections import Counter
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pytest

from framework.stores.booking_rules import MAX_EVENTS
from framework.stores.bookings import (
    CONFIRMED,
    EXPIRED,
    RELEASED,
    Booking,
    BookingError,
    BookingEvent,
    BookingNotFound,
    BookingStore,
    DueReminder,
    NewHold,
    NotHeld,
    SlotTaken,
    StatusRefused,
)
from framework.stores.memory.bookings import MemoryBookings
from framework.stores.opening import open_bookings, open_tickets
from framework.stores.session_store import StoreError
from tests.stores.test_booking_store import (
    AGENT,
    BOT,
    NOW,
    Opener,
    at,
    bookings,
    hold_of,
    numbers,
    opener,
)
from tests.stores.test_ticket_store import HOSTILE
from tests.stores.test_ticket_store import new as new_ticket

LAPSED = ("held", "expired")  # the history of a lapsed hold, expired once
__all__ = ["bookings", "opener"]  # the contract suite's fixtures: memory, sqlite, redis, cluster

CHILD = """
import asyncio, json, sys
from framework.stores.bookings import NewHold
from framework.stores.opening import open_bookings

async def main(url, count, hold, now):
    store, new = await open_bookings(url), NewHold(**json.loads(hold))
    print("ready", flush=True)
    sys.stdin.readline()
    done = await asyncio.gather(*(store.hold(new, float(now)) for _ in range(int(count))),
                                return_exceptions=True)
    print(json.dumps([getattr(one, "number", type(one).__name__) for one in done]), flush=True)
    await store.close()

asyncio.run(main(*sys.argv[1:]))
"""
"""A worker process: opens the store from its URL, holds one span `count` times at once when
told to go, and says what each hold got (a number, or the error's name)."""


def outcome(result: Booking | BaseException) -> int | str:
    """What a hold got, as the child process says it: a number, or the error's name."""
    return result.number if isinstance(result, Booking) else type(result).__name__


async def racing_a_process(url: str, new: NewHold, here: BookingStore) -> list[int | str]:
    """What 50 holds of `new` in another process and 50 on `here` got (as `outcome` says it),
    all made at once when the other process has the store open."""
    args = [url, "50", json.dumps(asdict(new)), str(NOW)]
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, *args, stdin=-1, stdout=-1, cwd=Path(__file__).parents[2]
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        assert await asyncio.wait_for(child.stdout.readline(), 20) == b"ready\n"
        child.stdin.write(b"go\n")
        await child.stdin.drain()
        mine = await asyncio.gather(
            *(here.hold(new, NOW) for _ in range(50)), return_exceptions=True
        )
        theirs: list[int | str] = json.loads(await asyncio.wait_for(child.stdout.readline(), 30))
        return [*theirs, *map(outcome, mine)]
    finally:
        if child.returncode is None:
            child.kill()
        await child.wait()


async def test_of_100_holds_racing_from_two_sqlite_processes_exactly_one_wins(
    tmp_path: Path,
) -> None:
    url, new = f"sqlite:///{tmp_path / 'state.db'}", hold_of(0, 1, before=10)
    here, tickets = await open_bookings(url), await open_tickets(url)  # one file for all
    try:
        await here.hold(hold_of(5), NOW)  # the tables exist before the child opens the file
        assert Counter(await racing_a_process(url, new, here)) == {"SlotTaken": 99, 1002: 1}
        busy = await here.busy(BOT, {"anna"}, at(-1), at(2), NOW)
        assert [b.number for b in busy] == [1002]
        assert (await here.hold(hold_of(7), NOW)).number == 1003  # none given twice
        assert (await tickets.create(new_ticket(), NOW)).number == 1001
    finally:
        await here.close()
        await tickets.close()
    with pytest.raises(StoreError, match="closed; open the store again"):
        await here.get(BOT, 1001)


async def test_of_100_holds_racing_from_two_workers_exactly_one_wins(opener: Opener) -> None:
    stores = [await opener(), await opener()]
    for round_ in range(3):
        new = hold_of(round_ * 2, 1, after=15)
        results = await asyncio.gather(
            *(stores[n % 2].hold(new, NOW) for n in range(100)), return_exceptions=True
        )
        assert Counter(type(one).__name__ for one in results) == {"Booking": 1, "SlotTaken": 99}
        busy = await stores[1].busy(BOT, {"anna"}, at(0), at(9), NOW)
        assert [b.number for b in busy] == list(range(1001, 1002 + round_))
    keyed = [stores[n % 2].hold(hold_of(8, key="turn-1"), NOW + n) for n in range(20)]
    assert {b.number for b in await asyncio.gather(*keyed)} == {1004}  # one key: one hold
    assert numbers(await stores[0].list(BOT)) == [1001, 1002, 1003, 1004]  # refused: no number


async def test_a_move_and_holds_racing_for_one_time_leave_exactly_one_there(
    opener: Opener,
) -> None:
    stores = [await opener(), await opener()]
    for round_ in range(4):
        target = hold_of(10 + round_ * 2, 1)
        mover = await stores[0].hold(hold_of(round_ * 2, 1, resource="anna"), NOW)
        await stores[0].confirm(BOT, mover.number, "bot", NOW)
        before = await stores[0].get(BOT, mover.number)
        racing = [stores[1].move(BOT, mover.number, target, "bot", NOW + 1)]
        racing += [stores[n % 2].hold(target, NOW + 1) for n in range(30)]
        random.Random(round_).shuffle(racing)
        results = await asyncio.gather(*racing, return_exceptions=True)
        winners = [one for one in results if isinstance(one, Booking)]
        assert len(winners) == 1 and all(isinstance(one, Booking | SlotTaken) for one in results)
        busy = await stores[1].busy(BOT, {"anna"}, target.start, target.end, NOW + 1)
        assert [b.number for b in busy] == [winners[0].number]
        after = await stores[1].get(BOT, mover.number)
        moved = winners[0].number == mover.number
        assert after == (winners[0] if moved else before)  # a lost move changed nothing


def hand_out_plan() -> list[tuple[str, NewHold]]:
    """Holds of three bots on many spans, lapsing at many times."""
    bots = [("salon", "pizza", "spa")[n % 3] for n in range(90)]
    return [(b, hold_of(n, bot=b, expires_at=NOW + 10 + n % 37 * 10)) for n, b in enumerate(bots)]


async def test_each_lapsed_hold_is_expired_by_exactly_one_of_two_workers(
    opener: Opener,
) -> None:
    stores = [await opener(), await opener()]
    taken = [await stores[0].hold(new, NOW) for _, new in hand_out_plan()]

    async def worker(store: BookingStore, seed: int) -> list[tuple[str, int]]:
        got, pace = [], random.Random(seed)
        for step in range(40):
            expired = await store.expire(NOW + step * 10, limit=pace.randint(1, 6))
            got += [(b.bot, b.number) for b in expired]
        while expired := await store.expire(NOW + 400, limit=4):
            got += [(b.bot, b.number) for b in expired]
        return got

    first, second = await asyncio.gather(worker(stores[0], 1), worker(stores[1], 2))
    assert sorted(first + second) == sorted((b.bot, b.number) for b in taken)
    for bot in ("salon", "pizza", "spa"):  # each expired once, not twice
        kept = await stores[1].list(bot, limit=50)
        assert {(b.status, tuple(e.kind for e in b.history)) for b in kept} == {(EXPIRED, LAPSED)}


async def test_each_due_reminder_is_claimed_by_exactly_one_of_two_workers(
    opener: Opener,
) -> None:
    stores = [await opener(), await opener()]
    confirmed = []
    for bot, plan in hand_out_plan()[:60]:
        remind = tuple(NOW + 100 + (plan.start - NOW) % 700 + gap for gap in (0, 130, 260))
        held = await stores[0].hold(replace(plan, remind_at=remind), NOW)
        confirmed.append(await stores[1].confirm(bot, held.number, "bot", NOW))

    async def worker(store: BookingStore, seed: int) -> list[DueReminder]:
        got, pace = [], random.Random(seed)
        for step in range(120):
            got += await store.claim_reminders(NOW + step * 10, limit=pace.randint(1, 6))
        while claimed := await store.claim_reminders(NOW + 10_000, limit=5):
            got += claimed
        return got

    first, second = await asyncio.gather(worker(stores[0], 3), worker(stores[1], 4))
    handed = Counter((r.booking.bot, r.booking.number, r.index) for r in first + second)
    assert set(handed.values()) == {1}  # none twice
    per_booking = Counter((bot, number) for bot, number, _ in handed)
    for booking in confirmed:
        assert (booking.bot, booking.number, 2) in handed  # the last one came out
        kept = await stores[0].get(booking.bot, booking.number)
        assert kept is not None and kept.reminded == 3
        reminded = [e for e in kept.history if e.kind == "reminded"]
        assert len(reminded) == per_booking[booking.bot, booking.number]


async def test_every_store_agrees_with_the_overlap_rule(opener: Opener) -> None:
    """One random history of holds, confirms and releases at fractional times, on the store
    and on the reference: the same holds win, the same are refused (by a booking the rule says
    is in the way), the same late confirms pass."""
    store, reference, draw = await opener(), MemoryBookings(), random.Random(7)
    now, held = NOW, list[int]()
    for _ in range(150):
        now += draw.choice([0.0, 0.25, 7.5, 60.0])
        action = draw.random()
        if action < 0.7 or not held:
            await agree_on_a_hold(store, reference, now, draw, held)
        else:
            number = draw.choice(held)
            change = "confirm" if action < 0.9 else "release"
            await agree(getattr(store, change), getattr(reference, change), BOT, number, "bot", now)


async def agree_on_a_hold(
    store: BookingStore,
    reference: MemoryBookings,
    now: float,
    draw: random.Random,
    numbers: list[int],
) -> None:
    start = at(draw.randrange(16) / 4) + 0.1  # fractional: the times must stay exact
    end = start + draw.choice([900.0, 1800.0, 3600.0])
    new = replace(
        hold_of(resource=draw.choice(["anna", "ben"]), expires_at=now + draw.choice([1, 30, 600])),
        start=start,
        end=end,
        blocked_from=start - draw.choice([0.0, 600.0]),
        blocked_until=end + draw.choice([0.0, 900.0, 0.001]),
    )
    theirs = await agree(store.hold, reference.hold, new, now)
    if isinstance(theirs, Booking):
        numbers.append(theirs.number)
    elif isinstance(theirs, SlotTaken):  # taken by one the rule says is in the way
        busy = await reference.busy(BOT, {new.resource}, new.blocked_from, new.blocked_until, now)
        assert theirs.taken_by in [b.number for b in busy]


async def agree(call: Any, reference: Any, *args: Any) -> Booking | BaseException:
    """The store's answer, after checking it is the reference's (its number and status)."""
    answers: list[Booking | BaseException] = await asyncio.gather(
        call(*args), reference(*args), return_exceptions=True
    )
    theirs, ours = answers
    assert type(theirs) is type(ours), (theirs, ours)
    if isinstance(theirs, Booking) and isinstance(ours, Booking):
        assert (theirs.number, theirs.status) == (ours.number, ours.status)
    return theirs


async def test_a_lapsed_hold_no_longer_blocks_and_a_held_key_is_idempotent(
    bookings: BookingStore,
) -> None:
    first = await bookings.hold(hold_of(key="turn-7"), NOW)
    again = await bookings.hold(hold_of(3, key="turn-7"), NOW + 1)
    assert again == first  # as it is now, nothing taken
    with pytest.raises(SlotTaken):
        await bookings.hold(hold_of(), NOW + 599)
    second = await bookings.hold(hold_of(expires_at=NOW + 900), NOW + 600)  # 1001 lapsed
    assert second.number == 1002
    assert await bookings.hold(hold_of(expires_at=NOW + 900, key="turn-7"), NOW + 700) == first
    assert (await bookings.hold(hold_of(bot="pizza", key="turn-7"), NOW)).number == 1001
    assert (await bookings.hold(hold_of(5, key=HOSTILE[:200]), NOW)).number == 1003
    assert (await bookings.hold(hold_of(6, key=HOSTILE[:200]), NOW)).number == 1003


async def test_a_lapsed_hold_is_confirmed_when_its_time_is_still_free(
    bookings: BookingStore,
) -> None:
    await bookings.hold(hold_of(0), NOW)
    await bookings.hold(hold_of(2), NOW)
    late = await bookings.confirm(BOT, 1001, "bot", NOW + 700)  # lapsed, never expired
    assert late.status == CONFIRMED and late.expires_at == 0
    assert [b.number for b in await bookings.expire(NOW + 700)] == [1002]
    expired = await bookings.get(BOT, 1002)
    assert expired is not None and expired.status == EXPIRED
    assert await bookings.release(BOT, 1002, "bot", NOW + 701) == expired
    taker = await bookings.hold(hold_of(2.5, 1, expires_at=NOW + 2000), NOW + 800)
    with pytest.raises(NotHeld, match=f"booking {taker.number} took its time"):
        await bookings.confirm(BOT, 1002, "bot", NOW + 900)
    assert await bookings.get(BOT, 1002) == expired
    await bookings.release(BOT, taker.number, "customer", NOW + 901)
    confirmed = await bookings.confirm(BOT, 1002, "bot", NOW + 902)  # free again
    assert confirmed.status == CONFIRMED and confirmed.history[-2].kind == EXPIRED
    with pytest.raises(SlotTaken):
        await bookings.hold(hold_of(2, expires_at=NOW + 2000), NOW + 903)


async def test_expire_hands_out_each_lapsed_hold_once(bookings: BookingStore) -> None:
    for n in range(5):
        await bookings.hold(hold_of(n, expires_at=NOW + 100 * (n + 1)), NOW)
    await bookings.hold(hold_of(bot="pizza", expires_at=NOW + 150), NOW)
    await bookings.confirm(BOT, 1002, "bot", NOW + 1)
    await bookings.release(BOT, 1003, "bot", NOW + 1)
    assert await bookings.expire(NOW + 99) == []
    first = await bookings.expire(NOW + 250)
    assert sorted((b.bot, b.number) for b in first) == [("pizza", 1001), (BOT, 1001)]
    assert all(b.status == EXPIRED and b.expires_at == 0 for b in first)
    assert first[0].history[-1].kind == EXPIRED
    assert await bookings.expire(NOW + 250) == []
    assert numbers(await bookings.expire(NOW + 1000, limit=1)) == [1004]
    assert numbers(await bookings.expire(NOW + 1000)) == [1005]
    assert await bookings.expire(NOW + 10**6) == []
    statuses = [b.status for b in await bookings.list(BOT)]
    assert statuses == [EXPIRED, CONFIRMED, RELEASED, EXPIRED, EXPIRED]
    extended = await bookings.hold(hold_of(9, expires_at=NOW + 100), NOW)
    await bookings.extend(BOT, extended.number, NOW + 5000, NOW + 50)
    assert await bookings.expire(NOW + 4999) == []
    assert numbers(await bookings.expire(NOW + 5000)) == [extended.number]


async def test_reminders_are_handed_out_once_latest_only_never_for_cancelled(
    bookings: BookingStore,
) -> None:
    for n in range(3):
        remind = (at(n) - 86_400, at(n) - 7200, at(n) - 3600)
        await bookings.hold(hold_of(n, remind_at=remind), NOW)
    assert await bookings.claim_reminders(at(0)) == []  # held: no reminders
    for number in (1001, 1002, 1003):
        await bookings.confirm(BOT, number, "bot", NOW + 1)
    await bookings.cancel(BOT, 1003, "customer", NOW + 2)
    claimed = await bookings.claim_reminders(at(-24))
    assert [(r.booking.number, r.index, r.booking.reminded) for r in claimed] == [(1001, 0, 1)]
    assert claimed[0].booking.history[-1] == BookingEvent(at(-24), "reminded", "system", "0")
    assert await bookings.get(BOT, 1001) == claimed[0].booking
    assert await bookings.claim_reminders(at(-24)) == []
    late = await bookings.claim_reminders(at(0.5))  # a worker was down: the latest only
    found = sorted((r.booking.number, r.index, r.booking.reminded) for r in late)
    assert found == [(1001, 2, 3), (1002, 2, 3)]
    assert await bookings.claim_reminders(at(5)) == []
    moved = await bookings.move(BOT, 1002, hold_of(6, remind_at=(at(-1), at(5))), AGENT, at(0.5))
    assert moved.reminded == 1  # the one already past
    again = await bookings.claim_reminders(at(5))
    assert [(r.booking.number, r.index) for r in again] == [(1002, 1)]
    await bookings.cancel(BOT, 1001, "bot", at(0.6))
    assert await bookings.claim_reminders(at(100)) == []


async def test_bookings_survive_reopening(opener: Opener) -> None:
    first = await opener()
    if isinstance(first, MemoryBookings):
        return  # memory lives in one process: nothing to reopen
    held = await first.hold(hold_of(), NOW)
    confirmed = await first.confirm(BOT, held.number, "bot", NOW + 1)
    await first.close()
    second = await opener()
    assert await second.get(BOT, 1001) == confirmed
    assert await second.by_token(held.token) == confirmed
    with pytest.raises(SlotTaken):
        await second.hold(hold_of(), NOW + 2)
    assert (await second.hold(hold_of(1), NOW + 2)).number == 1002


async def test_a_history_keeps_room_for_what_cannot_be_refused(bookings: BookingStore) -> None:
    await bookings.hold(hold_of(remind_at=tuple(at(-n) for n in range(8, 0, -1))), NOW)
    for n in range(MAX_EVENTS - 13):
        await bookings.extend(BOT, 1001, NOW + 1000 + n, NOW)
    with pytest.raises(BookingError, match="near the 200 a booking keeps"):
        await bookings.extend(BOT, 1001, NOW + 9000, NOW)
    await bookings.confirm(BOT, 1001, "bot", NOW)
    with pytest.raises(BookingError, match="cancel it and book anew"):
        await bookings.move(BOT, 1001, hold_of(2), "bot", NOW)
    for n in range(8, 0, -1):
        assert len(await bookings.claim_reminders(at(-n))) == 1
    last = await bookings.cancel(BOT, 1001, "bot", NOW + 1)
    assert len(last.history) == MAX_EVENTS - 2


def test_a_refused_change_is_not_a_store_failure() -> None:
    """The runtime tries a turn again after a StoreError: a refused change would never pass."""
    for refused in (BookingError, BookingNotFound, SlotTaken, NotHeld, StatusRefused):
        assert issubclass(refused, BookingError | ValueError) and not issubclass(
            refused, StoreError
        )
