"""One contract, every booking store: memory (the reference), sqlite (a real file), redis (a real
server, `REDIS_URL` or the Makefile's redis://127.0.0.1:6379/15) and redis-cluster (the run's
three-node cluster), each opened from its URL (`open_bookings`), each test under a Redis key
prefix of its own, deleted afterwards. Time is an argument: no test waits. What time and many
workers do (expiry, reminders, races) is in test_booking_races.py.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from framework.errors import NotFound
from framework.stores.booking_checks import MAX_PAGE
from framework.stores.bookings import (
    CANCELLED,
    CONFIRMED,
    HELD,
    NO_SHOW,
    RELEASED,
    Booking,
    BookingError,
    BookingEvent,
    BookingNotFound,
    BookingStore,
    Busy,
    NewHold,
    NotHeld,
    SlotTaken,
    StatusRefused,
)
from framework.stores.memory.bookings import MemoryBookings
from framework.stores.opening import open_bookings
from framework.stores.records import iso_time
from tests.stores.contract import store_url, stores_of
from tests.stores.test_ticket_store import HOSTILE, HUGE

NOW = 1_800_000_000.0
DAY = NOW + 86_400
"""Tomorrow, when the appointments are."""
BOT = "salon"
AGENT = "agent:anna"
Opener = Callable[[], Awaitable[BookingStore]]


def at(hours: float) -> float:
    return DAY + hours * 3600


def hold_of(
    start: float = 0, hours: float = 1, before: float = 0, after: float = 0, **changes: Any
) -> NewHold:
    """A hold of anna from `start` (hours after DAY) for `hours`, with buffers (minutes) before
    and after, lapsing ten minutes after NOW."""
    fields: dict[str, Any] = {
        "bot": BOT,
        "service": "cut",
        "resource": "anna",
        "start": at(start),
        "end": at(start + hours),
        "blocked_from": at(start) - before * 60,
        "blocked_until": at(start + hours) + after * 60,
        "expires_at": NOW + 600,
        "conversation": f"{BOT}:whatsapp:4917012345",
        "customer": {"channel": "whatsapp", "id": "4917012345", "name": "Ada"},
        "lang": "de",
        "price_minor": 3500,
        "deposit_minor": 1000,
        "currency": "EUR",
        "remind_at": (at(start) - 86_400, at(start) - 7200),
    }
    return NewHold(**{**fields, **changes})


def numbers(bookings: list[Booking] | list[Busy]) -> list[int]:
    return [booking.number for booking in bookings]


@pytest.fixture(params=["memory", "sqlite", "redis", "redis-cluster"])
async def opener(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    """Opens stores on one set of bookings, as the workers of a deployment do (memory lives in
    one process: there it is the same store); all are closed after the test."""
    kind, prefix = str(request.param), f"test-bookings-{uuid.uuid4().hex[:24]}"
    url = store_url(kind, tmp_path, request.config, prefix)
    async with stores_of(kind, url, prefix, MemoryBookings(), open_bookings) as open_one:
        yield open_one


@pytest.fixture
async def bookings(opener: Opener) -> BookingStore:
    return await opener()


async def test_a_hold_takes_the_time_with_the_bots_next_number(bookings: BookingStore) -> None:
    first = await bookings.hold(hold_of(), NOW)
    second = await bookings.hold(hold_of(resource="ben"), NOW + 1)
    other = await bookings.hold(hold_of(bot="pizza"), NOW + 2)
    assert (first.number, second.number, other.number) == (1001, 1002, 1001)
    assert re.fullmatch(r"salon-[A-Za-z0-9_-]{22}", first.token)
    assert len({first.token, second.token, other.token}) == 3
    new = hold_of()
    kept = "service resource start end blocked_from blocked_until expires_at conversation customer"
    for name in [*kept.split(), "lang", "price_minor", "deposit_minor", "currency", "key"]:
        assert getattr(first, name) == getattr(new, name), name
    assert (first.bot, first.status, first.remind_at) == (BOT, HELD, (at(-24), at(-2)))
    assert (first.reminded, first.sequence, first.created_at, first.updated_at) == (0, 0, NOW, NOW)
    assert first.history == (BookingEvent(NOW, HELD, "bot"),)
    assert await bookings.get(BOT, 1001) == first
    assert await bookings.get("pizza", 1001) == other
    assert await bookings.by_token(second.token) == second
    assert await bookings.by_token(other.token) == other


async def test_an_unknown_booking_is_none_and_cannot_be_changed(bookings: BookingStore) -> None:
    first = await bookings.hold(hold_of(), NOW)
    for number in (1002, 1000, 0, -1, 10**30):
        assert await bookings.get(BOT, number) is None
    assert await bookings.get("pizza", 1001) is None
    with pytest.raises(BookingNotFound, match="no booking 1002") as raised:
        await bookings.confirm(BOT, 1002, "bot", NOW)
    assert isinstance(raised.value, NotFound)
    changes = [
        bookings.extend(BOT, 10**30, NOW + 900, NOW),
        bookings.release("pizza", 1001, "bot", NOW),
        bookings.cancel(BOT, 0, "bot", NOW),
        bookings.move(BOT, 1002, hold_of(), "bot", NOW),
        bookings.no_show(BOT, -1, "bot", NOW),
    ]
    for change in changes:
        with pytest.raises(BookingNotFound):
            await change
    wrong = ("salon-" + "A" * 22, first.token[:-1], "pizza" + first.token[5:], first.token + "=")
    for token in ("", "salon-", "nope", HOSTILE, HUGE, *wrong):
        assert await bookings.by_token(token) is None


async def test_overlaps_are_refused_touching_spans_and_other_resources_are_not(
    bookings: BookingStore,
) -> None:
    await bookings.hold(hold_of(0, 1), NOW)
    with pytest.raises(SlotTaken, match="anna of salon is taken") as taken:
        await bookings.hold(hold_of(0.5, 1), NOW)
    assert taken.value.taken_by == 1001
    with pytest.raises(SlotTaken):
        await bookings.hold(hold_of(-0.5, 2), NOW)  # around it
    with pytest.raises(SlotTaken):
        await bookings.hold(hold_of(0.25, 0.5), NOW)  # inside it
    assert (await bookings.hold(hold_of(1, 1), NOW)).number == 1002  # touches its end
    assert (await bookings.hold(hold_of(-1, 1), NOW)).number == 1003  # touches its start
    assert (await bookings.hold(hold_of(0, 1, resource="ben"), NOW)).number == 1004
    assert (await bookings.hold(hold_of(0, 1, bot="pizza"), NOW)).number == 1001
    await bookings.hold(hold_of(0, 1, resource="carl", after=15), NOW)  # blocks until 1:15
    with pytest.raises(SlotTaken) as buffered:
        await bookings.hold(hold_of(1, 1, resource="carl"), NOW)
    assert buffered.value.taken_by == 1005
    assert (await bookings.hold(hold_of(1.25, 1, resource="carl"), NOW)).number == 1006
    with pytest.raises(SlotTaken) as buffered:  # 46 minutes before 3:00 is before 2:15
        await bookings.hold(hold_of(3, 1, resource="carl", before=46), NOW)
    assert buffered.value.taken_by == 1006
    assert (await bookings.hold(hold_of(3, 1, resource="carl", before=45), NOW)).number == 1007
    listed = numbers(await bookings.list(BOT, limit=MAX_PAGE))
    assert sorted(listed) == list(range(1001, 1008))  # refused ones took no number


async def test_confirm_extend_and_release_of_a_hold(bookings: BookingStore) -> None:
    held = await bookings.hold(hold_of(), NOW)
    extended = await bookings.extend(BOT, 1001, NOW + 1800, NOW + 300)
    assert extended.expires_at == NOW + 1800 and extended.history[-1].kind == "extended"
    with pytest.raises(SlotTaken):
        await bookings.hold(hold_of(expires_at=NOW + 2000), NOW + 900)  # extended: still held
    confirmed = await bookings.confirm(BOT, 1001, "customer", NOW + 1000)
    assert confirmed == held.changed(
        status=CONFIRMED,
        expires_at=0.0,
        updated_at=NOW + 1000,
        history=(*extended.history, BookingEvent(NOW + 1000, CONFIRMED, "customer")),
    )
    assert await bookings.confirm(BOT, 1001, "bot", NOW + 2000) == confirmed  # a second webhook
    with pytest.raises(NotHeld, match="no longer held"):
        await bookings.extend(BOT, 1001, NOW + 9000, NOW + 2000)
    with pytest.raises(StatusRefused, match="cancel a confirmed booking instead"):
        await bookings.release(BOT, 1001, "bot", NOW + 2000)
    other = await bookings.hold(hold_of(2), NOW)
    released = await bookings.release(BOT, other.number, "customer", NOW + 5, "another time")
    assert (released.status, released.expires_at) == (RELEASED, 0.0)
    assert released.history[-1] == BookingEvent(NOW + 5, RELEASED, "customer", "another time")
    assert await bookings.release(BOT, other.number, "bot", NOW + 6) == released
    with pytest.raises(NotHeld, match="released"):
        await bookings.confirm(BOT, other.number, "bot", NOW + 7)
    with pytest.raises(NotHeld):
        await bookings.extend(BOT, other.number, NOW + 900, NOW + 7)
    assert (await bookings.hold(hold_of(2), NOW + 8)).number == 1003  # released: free
    with pytest.raises(BookingError, match="after now"):
        await bookings.extend(BOT, 1003, NOW + 8, NOW + 8)
    with pytest.raises(NotHeld, match="lapsed"):
        await bookings.extend(BOT, 1003, NOW + 9000, NOW + 600)


async def test_cancel_and_no_show(bookings: BookingStore) -> None:
    await bookings.hold(hold_of(), NOW)
    for held, message in (
        (bookings.cancel(BOT, 1001, "bot", NOW), "release a hold instead"),
        (bookings.no_show(BOT, 1001, "bot", at(1)), "only a confirmed booking can be"),
        (bookings.move(BOT, 1001, hold_of(3), "bot", NOW), "only a confirmed booking moves"),
    ):
        with pytest.raises(StatusRefused, match=message):
            await held
    await bookings.confirm(BOT, 1001, "bot", NOW + 1)
    with pytest.raises(StatusRefused, match="before its start"):
        await bookings.no_show(BOT, 1001, AGENT, at(0) - 1)
    cancelled = await bookings.cancel(BOT, 1001, AGENT, NOW + 2, HOSTILE)
    assert (cancelled.status, cancelled.sequence) == (CANCELLED, 1)
    assert cancelled.history[-1] == BookingEvent(NOW + 2, CANCELLED, AGENT, HOSTILE)
    assert await bookings.cancel(BOT, 1001, "bot", NOW + 3) == cancelled
    for refused in (
        bookings.no_show(BOT, 1001, "bot", at(2)),
        bookings.move(BOT, 1001, hold_of(3), "bot", NOW),
        bookings.release(BOT, 1001, "bot", NOW),
    ):
        with pytest.raises(StatusRefused):
            await refused
    with pytest.raises(NotHeld):
        await bookings.confirm(BOT, 1001, "bot", NOW + 4)
    second = await bookings.hold(hold_of(), NOW + 5)  # cancelled: free
    await bookings.confirm(BOT, second.number, "bot", NOW + 6)
    missed = await bookings.no_show(BOT, second.number, AGENT, at(0))
    assert (missed.status, missed.sequence, missed.history[-1].kind) == (NO_SHOW, 0, NO_SHOW)
    assert await bookings.no_show(BOT, second.number, AGENT, at(1)) == missed
    with pytest.raises(StatusRefused):
        await bookings.cancel(BOT, second.number, AGENT, at(1))
    assert await bookings.busy(BOT, {"anna"}, at(-1), at(2), NOW + 7) == []


async def test_a_move_is_atomic(bookings: BookingStore) -> None:
    await bookings.hold(hold_of(0), NOW)
    booked = await bookings.confirm(BOT, 1001, "bot", NOW)
    await bookings.confirm(BOT, (await bookings.hold(hold_of(3), NOW)).number, "bot", NOW)
    with pytest.raises(SlotTaken) as taken:
        await bookings.move(BOT, 1001, hold_of(2.5, 1), AGENT, NOW + 1)
    assert taken.value.taken_by == 1002
    assert await bookings.get(BOT, 1001) == booked  # nothing changed
    elsewhere = hold_of(0.5, 1, bot="pizza", service="color", price_minor=1, customer={})
    moved = await bookings.move(BOT, 1001, elsewhere, AGENT, NOW + 2)
    assert (moved.start, moved.end, moved.sequence) == (at(0.5), at(1.5), 1)  # onto itself
    note = f"{iso_time(at(0))} anna"
    assert moved.history[-1] == BookingEvent(NOW + 2, "moved", AGENT, note)
    assert (moved.service, moved.customer, moved.price_minor) == ("cut", booked.customer, 3500)
    assert (await bookings.hold(hold_of(-1, 1.5), NOW + 3)).number == 1003  # the old start: free
    with pytest.raises(SlotTaken):
        await bookings.hold(hold_of(1.25, 0.25), NOW + 3)
    to_ben = await bookings.move(BOT, 1001, hold_of(3, 1, resource="ben"), AGENT, NOW + 4)
    assert (to_ben.resource, to_ben.sequence) == ("ben", 2)
    assert (await bookings.hold(hold_of(0.5, 1), NOW + 5)).number == 1004
    busy = await bookings.busy(BOT, {"anna", "ben"}, at(0), at(5), NOW + 5)
    found = [(b.resource, b.number) for b in busy]
    assert found == [("anna", 1003), ("anna", 1004), ("anna", 1002), ("ben", 1001)]


async def test_busy_and_lists(bookings: BookingStore) -> None:
    holds = [(0, "anna"), (2, "ben"), (1, "anna"), (4, "anna"), (1.5, "carl")]
    for start, resource in holds:
        await bookings.hold(hold_of(start, resource=resource, conversation=resource), NOW)
    await bookings.hold(hold_of(0, 1, before=30, bot="pizza"), NOW)
    await bookings.confirm(BOT, 1001, "bot", NOW)
    await bookings.release(BOT, 1003, "bot", NOW)
    busy = await bookings.busy(BOT, {"anna", "ben"}, at(0.5), at(4.5), NOW + 1)
    anna, ben = Busy("anna", at(0), at(1), 1001), Busy("ben", at(2), at(3), 1002)
    assert busy == [anna, ben, Busy("anna", at(4), at(5), 1004)]
    assert numbers(await bookings.busy(BOT, {"anna"}, at(0.5), at(9), NOW + 600)) == [1001]
    assert await bookings.busy(BOT, {"anna"}, at(1), at(4), NOW) == []  # touching
    assert await bookings.busy(BOT, set(), at(0), at(9), NOW) == []
    assert numbers(await bookings.list(BOT)) == [1001, 1003, 1005, 1002, 1004]
    assert numbers(await bookings.list(BOT, {HELD})) == [1005, 1002, 1004]
    assert numbers(await bookings.list(BOT, {HELD, RELEASED}, resource="anna")) == [1003, 1004]
    assert numbers(await bookings.list(BOT, conversation="anna", limit=2)) == [1001, 1003]
    assert numbers(await bookings.list(BOT, start=at(1), end=at(2))) == [1003, 1005]
    assert numbers(await bookings.list(BOT, start=at(2.5))) == [1002, 1004]
    assert numbers(await bookings.list(BOT, end=at(1))) == [1001]
    assert await bookings.list(BOT, set()) == []
    assert numbers(await bookings.list("pizza")) == [1001]
    assert await bookings.list("nobody") == []


async def test_hostile_and_unicode_input_round_trips_exactly(bookings: BookingStore) -> None:
    customer = {"name": HOSTILE, HOSTILE: [HOSTILE, None, 1.5, {"}": "{"}], "lone": "\ud83d"}
    held = await bookings.hold(
        hold_of(customer=customer, conversation=HOSTILE, lang="de-CH-🍕", key=HOSTILE[:200]),
        NOW,
    )
    assert held.customer == {**customer, "lone": "\ufffd"} and held.conversation == HOSTILE
    released = await bookings.release(BOT, 1001, "agent:anna.b@example.org", NOW, HOSTILE[:500])
    assert await bookings.get(BOT, 1001) == released
    assert await bookings.by_token(held.token) == released
    assert await bookings.list(BOT, conversation=HOSTILE) == [released]
    assert await bookings.list(BOT, conversation=HOSTILE[:-1]) == []
    assert await bookings.hold(hold_of(key=HOSTILE[:200]), NOW) == released


async def test_huge_and_bad_input_is_refused_and_writes_nothing(bookings: BookingStore) -> None:
    refused = [
        (hold_of(service=HUGE), "the service's id"),
        (hold_of(resource=HUGE), "the resource's id"),
        (hold_of(resource="Anna"), "the resource's id"),
        (hold_of(bot=HUGE), "is not a bot name"),
        (hold_of(customer={"name": HUGE}), "more than the 65536"),
        (hold_of(customer={"when": object()}), "must be JSON data"),
        (hold_of(customer=[1]), "JSON object"),
        (hold_of(conversation=HUGE), "10000000 characters, more than the 1024"),
        (hold_of(key=HUGE), "more than the 200"),
        (hold_of(lang="x" * 17), "more than the 16"),
        (hold_of(by=HUGE), "cannot change a booking"),
        (hold_of(by="admin"), "cannot change a booking"),
        (hold_of(price_minor=-1), "price_minor is a whole number"),
        (hold_of(deposit_minor=2**53), "deposit_minor is a whole number"),
        (hold_of(price_minor=1.5), "price_minor is a whole number"),
        (hold_of(currency="euro"), "currency is 3 capital letters"),
        (hold_of(remind_at=(at(-1), at(-2))), "earliest first"),
        (hold_of(remind_at=tuple(at(-n) for n in range(9, 0, -1))), "at most 8"),
        (hold_of(remind_at=(float("nan"),)), "seconds since the epoch"),
        (hold_of(start=float("inf")), "seconds since the epoch"),
        (hold_of(hours=0), "blocked_from ≤ start < end ≤ blocked_until"),
        (hold_of(hours=-1), "blocked_from ≤ start < end"),
        (hold_of(before=-1), "blocked_from ≤ start"),
        (hold_of(hours=23, after=61), "at most 24 hours"),
        (hold_of(expires_at=NOW), "expires_at is after now"),
    ]
    for new_hold, message in refused:
        with pytest.raises(BookingError, match=re.escape(message)) as raised:
            await bookings.hold(new_hold, NOW)
        assert len(str(raised.value)) < 400
    assert await bookings.list(BOT) == []
    held = await bookings.hold(hold_of(hours=23, after=60), NOW)
    assert held.number == 1001  # no refused hold took a number
    with pytest.raises(BookingError, match="10000000 characters"):
        await bookings.release(BOT, 1001, "bot", NOW, HUGE)
    with pytest.raises(BookingError, match="the resource's id"):
        await bookings.move(BOT, 1001, hold_of(resource=HUGE), "bot", NOW)
    with pytest.raises(BookingError, match="more than the 1024"):
        await bookings.list(BOT, conversation=HUGE)
    with pytest.raises(BookingError, match="is not a bot name"):
        await bookings.get(HUGE, 1001)
    assert await bookings.get(BOT, 1001) == held


@pytest.mark.parametrize("bot", ["", "Salon", "salon}", "{salon}", "salon:web", "1salon", "a" * 65])
async def test_a_bad_bot_name_is_refused(bookings: BookingStore, bot: str) -> None:
    for call in (
        bookings.hold(hold_of(bot=bot), NOW),
        bookings.get(bot, 1001),
        bookings.list(bot),
        bookings.confirm(bot, 1001, "bot", NOW),
        bookings.busy(bot, {"anna"}, at(0), at(1), NOW),
    ):
        with pytest.raises(BookingError, match="is not a bot name"):
            await call


async def test_bad_queries_are_refused(bookings: BookingStore) -> None:
    calls = [
        (bookings.list(BOT, HELD), "statuses: a set of"),  # type: ignore[arg-type]
        (bookings.list(BOT, {"booked"}), "statuses: a set of"),
        (bookings.list(BOT, limit=0), "holds 1 to 200"),
        (bookings.list(BOT, limit=MAX_PAGE + 1), "holds 1 to 200"),
        (bookings.list(BOT, start=at(2), end=at(1)), "start comes before its end"),
        (bookings.list(BOT, resource="A b"), "the resource's id"),
        (bookings.busy(BOT, {"anna"}, at(1), at(1), NOW), "start comes before its end"),
        (bookings.busy(BOT, {f"r{n}" for n in range(101)}, at(0), at(1), NOW), "at most 100"),
        (bookings.expire(float("nan")), "seconds since the epoch"),
        (bookings.expire(NOW, limit=0), "holds 1 to 1000"),
        (bookings.claim_reminders(NOW, limit=1001), "holds 1 to 1000"),
        (bookings.confirm(BOT, 1001, "agent:", NOW), "agent's name"),
    ]
    for call, message in calls:
        with pytest.raises(BookingError, match=message):
            await call
