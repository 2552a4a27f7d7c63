"""A message in flight when its worker died (runtime/in_flight.py), on every store: on a
channel that reports what it took (WhatsApp's statuses echo the send's callback), the next
worker waits for the report and counts the message as sent instead of sending it twice; only
when no report comes within SETTLE does it send again. A delivery that does not die sends at
once, and leaves no mark behind."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from framework.channels.base import CollectingChannel
from framework.flows import load_bot
from framework.runtime.in_flight import IN_FLIGHT, SETTLE
from framework.runtime.sending import Sent
from framework.runtime.turns import Runtime
from framework.stores.records import STATUS, InboxItem, LogEntry, SessionKey, iso_time
from framework.stores.session_store import Store
from tests.clocks import Clock

COUNTER = load_bot(Path(__file__).parent / "bots" / "counter")
KEY = SessionKey("counter", "collect", "ada")
LEASE = 0.3
"""Seconds a worker holds a session: the store's own clock, so a test sleeps it out."""


@pytest.fixture
def clock() -> Clock:
    return Clock()


class Died(BaseException):
    """The worker's process ending between the messenger's answer and the commit (SIGKILL):
    no `except Exception` of the runtime stops it."""


class Reporting(CollectingChannel):
    """A WhatsApp-like channel: it reports what it took; `die` ends the worker after the
    next message went out."""

    def __init__(self) -> None:
        super().__init__(window=24 * 3600)
        self.reports, self.die = True, False
        self.callbacks: list[str] = []

    async def send(
        self, bot: str, address: Mapping[str, Any], entry: LogEntry, *, callback: str
    ) -> Sent:
        sent = await super().send(bot, address, entry, callback=callback)
        self.callbacks.append(callback)
        if self.die:
            self.die = False
            raise Died
        return sent


def worker(store: Store, channel: Reporting, clock: Clock) -> Runtime:
    return Runtime(
        store, {"counter": COUNTER}, clock=clock, channels={"collect": channel}, lease=LEASE
    )


def message(clock: Clock, text: str) -> InboxItem:
    address = {"address": {"to": "4915112345678"}}
    return InboxItem.message(uuid.uuid4().hex, iso_time(clock()), text, None, address)


def status(clock: Clock, callback: str, message_id: str, state: str = "sent") -> InboxItem:
    report = {
        "seq": int(callback.rpartition("|")[2]),
        "message_id": message_id,
        "status": state,
        "timestamp": int(clock()),
        "pricing": None,
        "errors": [],
    }
    return InboxItem(f"status:{message_id}:{state}", iso_time(clock()), STATUS, report)


async def died_sending(store: Store, clock: Clock) -> Reporting:
    """Worker one answers "hi" and dies right after its reply went out."""
    channel = Reporting()
    channel.die = True
    with pytest.raises(Died):
        await worker(store, channel, clock).submit(KEY, message(clock, "hi"))
    assert channel.texts == ["Say something."]
    return channel


async def lease_runs_out(clock: Clock) -> None:
    """The dead worker's lease ends (the store's clock), and time passes for the runtime."""
    await asyncio.sleep(LEASE + 0.1)
    clock.now += 2.0


async def flags(store: Store) -> dict[str, Any]:
    peeked = await store.peek(str(KEY))
    assert peeked is not None
    return dict(peeked.session.get("flags", {}))


async def taken_over(store: Store, clock: Clock) -> tuple[Reporting, Runtime, Reporting]:
    """Worker one died with its reply in flight; worker two took the conversation over and
    sent nothing yet (it waits for WhatsApp's report). Worker one's channel, worker two and
    its channel."""
    first = await died_sending(store, clock)
    second = Reporting()
    other = worker(store, second, clock)
    await lease_runs_out(clock)
    await other.tick()
    assert second.texts == []
    return first, other, second


async def report(runtime: Runtime, item: InboxItem) -> None:
    running = await runtime.accept(str(KEY), item)
    assert running is not None
    await running


async def test_the_report_of_a_message_in_flight_settles_it_and_nothing_goes_twice(
    store: Store, clock: Clock
) -> None:
    first, other, second = await taken_over(store, clock)
    await report(other, status(clock, first.callbacks[0], "wamid.ONE"))
    clock.now += SETTLE
    await other.tick()
    assert second.texts == []
    state = await flags(store)
    assert IN_FLIGHT not in state
    assert state["deliveries"]["wamid.ONE"]["status"] == "sent"
    assert other.metrics.deliveries.labels("settled")._value.get() == 1
    await other.submit(KEY, message(clock, "again"))  # the conversation goes on as usual
    assert second.texts == ["#1 again", "Say something."]


async def test_without_a_report_the_message_is_sent_again_once_after_settle(
    store: Store, clock: Clock
) -> None:
    _, other, second = await taken_over(store, clock)
    clock.now += SETTLE
    await other.tick()
    assert second.texts == ["Say something."]  # at least once: WhatsApp said nothing
    clock.now += SETTLE
    await other.tick()
    assert second.texts == ["Say something."]
    assert IN_FLIGHT not in await flags(store)


async def test_a_worker_with_a_shorter_settle_waits_only_that_long(
    store: Store, clock: Clock
) -> None:
    """`server.settle` (the runtime's `settle`): here 5 s instead of SETTLE."""
    await died_sending(store, clock)
    second = Reporting()
    other = Runtime(
        store,
        {"counter": COUNTER},
        clock=clock,
        channels={"collect": second},
        lease=LEASE,
        settle=5,
    )
    await lease_runs_out(clock)  # 2 s after the mark
    await other.tick()
    clock.now += 2.5
    await other.tick()
    assert second.texts == []  # 4.5 s after the mark: still waiting for WhatsApp's report
    clock.now += 1.0
    await other.tick()
    assert second.texts == ["Say something."]
    assert IN_FLIGHT not in await flags(store)


async def test_a_delivery_that_does_not_die_sends_at_once_and_leaves_no_mark(
    store: Store, clock: Clock
) -> None:
    channel = Reporting()
    runtime = worker(store, channel, clock)
    for text in ["hi", "one"]:
        await runtime.submit(KEY, message(clock, text))
    assert channel.texts == ["Say something.", "#1 one", "Say something."]
    assert IN_FLIGHT not in await flags(store)
    assert [c.rpartition("|")[2] for c in channel.callbacks] == ["2", "4", "5"]


async def test_a_report_of_a_message_not_in_flight_settles_nothing(
    store: Store, clock: Clock
) -> None:
    first, other, _ = await taken_over(store, clock)
    made_up = f"{KEY}|99"  # a seq after the marked ones: no report of this delivery
    await report(other, status(clock, made_up, "wamid.FORGED"))
    assert (await flags(store))[IN_FLIGHT]["upto"] == int(first.callbacks[0].rpartition("|")[2])
    assert other.metrics.deliveries.labels("status_unknown_message")._value.get() == 1


@pytest.mark.parametrize("late", [2.0, SETTLE + 5])
async def test_a_sending_turn_that_comes_late_sends_at_once(
    store: Store, clock: Clock, late: float
) -> None:
    """A busy machine: each turn begins `late` seconds after the commit before it (load 16 on
    two cores; a broadcast's 2,700 conversations marked ahead of this one, longer than
    SETTLE). The worker is alive and nobody began sending the marked message: it goes in the
    turn after the mark (before: a mark older than a second waited SETTLE, one older than
    SETTLE was marked again, and the next turn came as late again, for good)."""
    channel = Reporting()
    sent_at_each_commit: list[list[str]] = []

    def busy(stage: str) -> None:
        if stage == "after_commit" and len(sent_at_each_commit) < 6:
            sent_at_each_commit.append(list(channel.texts))
            clock.now += late

    runtime = Runtime(
        store,
        {"counter": COUNTER},
        clock=clock,
        channels={"collect": channel},
        lease=LEASE,
        fault=busy,
    )
    await runtime.submit(KEY, message(clock, "hi"))
    # the customer's turn, the delivery's mark, the turn that sends it
    assert sent_at_each_commit == [[], [], ["Say something."]]
    assert IN_FLIGHT not in await flags(store)


async def test_a_mark_left_by_a_worker_that_died_before_sending_is_sent_at_once(
    store: Store, clock: Clock
) -> None:
    """Worker one committed the mark and died before its sending turn began: nothing went, so
    worker two sends it as soon as the lease ends, without waiting SETTLE for a report."""
    commits = 0

    def dies_after_the_mark(stage: str) -> None:
        nonlocal commits
        commits += stage == "after_commit"
        if commits == 2:  # the customer's turn, then the delivery's mark
            raise Died

    first = Reporting()
    one = Runtime(
        store,
        {"counter": COUNTER},
        clock=clock,
        channels={"collect": first},
        lease=LEASE,
        fault=dies_after_the_mark,
    )
    with pytest.raises(Died):
        await one.submit(KEY, message(clock, "hi"))
    assert first.texts == []
    assert (await flags(store))[IN_FLIGHT]
    second = Reporting()
    await lease_runs_out(clock)
    await worker(store, second, clock).tick()
    assert second.texts == ["Say something."]
    assert IN_FLIGHT not in await flags(store)
