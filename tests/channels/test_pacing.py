"""The pacing of a sending number (framework/channels/pacing.py) in virtual time: sends a slot
apart at 90 % of the number's limit, never more than that in any one second, also when the
event loop stalled while sends were waiting for their slots (their slots passed; they must not
all go at once), and two workers on one schedule together no faster than one. A send that
would wait longer than a delivery may is refused with when to try again, taking no slot."""

from __future__ import annotations

import asyncio
import heapq
import itertools

import pytest

from framework.channels.pacing import MOST_WAIT, Pacer
from framework.runtime.sending import SendFailure
from framework.stores.memory.send_slots import LocalSlots
from framework.stores.send_slots import Slot
from framework.stores.session_store import StoreError


class VirtualTime:
    """A clock and a sleep for the pacer; `run` wakes the sleepers in time order, and a stall
    wakes those due within it only when it ends, all at that instant."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        woken = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), woken))
        await woken

    async def run(self, stall_from: float | None = None, stall: float = 0.0) -> None:
        await _settle()
        while self._sleepers:
            due, _, woken = heapq.heappop(self._sleepers)
            if stall_from is not None and due >= stall_from:
                self.now, stall_from = max(self.now, stall_from + stall), None
            self.now = max(self.now, due)
            woken.set_result(None)
            await _settle()


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def busiest_second(times: list[float]) -> int:
    times, most, last = sorted(times), 0, 0
    for first, at in enumerate(times):
        while last < len(times) and times[last] - at < 1.0 - 1e-9:
            last += 1
        most = max(most, last - first)
    return most


async def sent_at(time: VirtualTime, sends: int, workers: int = 1, **run: float) -> list[float]:
    """When each of `sends` patient sends went, spread over `workers` pacers of one number
    that share one schedule (as the workers of a deployment share its store's)."""
    slots = LocalSlots(time.clock)
    pacers = [
        Pacer("106540352242922", 80, 0.0, slots, time.clock, time.sleep) for _ in range(workers)
    ]
    went: list[float] = []

    async def send(number: int) -> None:
        await pacers[number % workers].wait(f"4917{number:08d}", patient=True)
        went.append(time.clock())

    tasks = [asyncio.ensure_future(send(number)) for number in range(sends)]
    await time.run(**run)
    await asyncio.gather(*tasks)
    return went


async def test_sends_go_a_slot_apart_below_the_limit() -> None:
    went = await sent_at(VirtualTime(), 240)
    assert len(went) == 240
    assert went[-1] == pytest.approx(239 / 72)
    assert busiest_second(went) == 72


async def test_a_stalled_loop_sends_no_more_than_the_rate_in_a_second() -> None:
    went = await sent_at(VirtualTime(), 400, stall_from=1.0, stall=0.2)
    assert len(went) == 400
    assert busiest_second(went) == 72  # 96 at 80 before: the 16 slots of the stall at once


async def test_two_workers_on_one_schedule_send_no_faster_than_one() -> None:
    went = await sent_at(VirtualTime(), 300, workers=2)
    assert len(went) == 300
    assert busiest_second(went) == 72  # each its own schedule: 144
    assert went[-1] == pytest.approx(299 / 72)


async def test_a_send_that_would_wait_too_long_is_refused_and_takes_no_slot() -> None:
    time = VirtualTime()
    pacer = Pacer("106540352242922", 10, 0.0, LocalSlots(time.clock), time.clock, time.sleep)
    sends = [asyncio.ensure_future(pacer.wait(f"4917{n:08d}")) for n in range(7)]
    await time.run()
    # 9 a second: the slots at 0, 0.11 … 0.56 s are within MOST_WAIT, the 7th (0.67 s) is not
    assert [task.exception() for task in sends[:6]] == [None] * 6
    failure = sends[6].exception()
    assert isinstance(failure, SendFailure) and failure.retry_after is not None
    assert MOST_WAIT < failure.retry_after == pytest.approx(6 / 9)
    time.now = 0.0
    patient = asyncio.ensure_future(pacer.wait("491700000099", patient=True))
    await time.run()
    await patient
    assert time.now == pytest.approx(6 / 9)  # the refused send held no slot: this one has it


async def test_a_recipient_gets_their_messages_an_interval_apart() -> None:
    time = VirtualTime()
    pacer = Pacer("106540352242922", 80, 0.25, LocalSlots(time.clock), time.clock, time.sleep)
    went: list[float] = []

    async def send() -> None:
        await pacer.wait("4917000000001", patient=True)
        went.append(time.clock())

    tasks = [asyncio.ensure_future(send()) for _ in range(3)]
    await time.run()
    await asyncio.gather(*tasks)
    assert went == pytest.approx([0.0, 0.25, 0.5], abs=0.02)


class SlotsOut:
    """A sending schedule whose store does not answer (Redis restarting)."""

    async def take(self, sender: str, gap: float, most: float) -> Slot:
        raise StoreError("redis://127.0.0.1:6379: connection refused")

    async def close(self) -> None:
        return None


async def test_a_schedule_that_does_not_answer_makes_the_send_try_again_later() -> None:
    time = VirtualTime()
    pacer = Pacer("106540352242922", 80, 0.25, SlotsOut(), time.clock, time.sleep)
    with pytest.raises(SendFailure) as refused:
        await pacer.wait("4917000000001")
    assert refused.value.retry_after == 1.0  # a later try, not a message lost for good


async def test_many_recipients_without_an_interval_are_paced_too() -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:  # time passes while the pacer waits
        now[0] += seconds

    def clock() -> float:
        return now[0]

    pacer = Pacer("106540352242922", 10_000, 0.0, LocalSlots(clock), clock, sleep)
    for n in range(10_050):  # past 10,000 recipients the pacer forgets those it is done with
        await pacer.wait(f"49{n:010d}", patient=True)
    assert now[0] == pytest.approx(10_049 / 9_000, rel=0.01)
