"""The pacing of a sending number (framework/channels/pacing.py) in virtual time: sends a slot
apart, and never more than the rate in any one second, also when the event loop stalled while
sends were waiting for their slots (their slots passed; they must not all go at once)."""

from __future__ import annotations

import asyncio
import heapq
import itertools

import pytest

from framework.channels.pacing import Pacer


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


async def sent_at(time: VirtualTime, sends: int, **run: float) -> list[float]:
    pacer = Pacer(80, 0.0, clock=time.clock, sleep=time.sleep)
    went: list[float] = []

    async def send(number: int) -> None:
        await pacer.wait(f"4917{number:08d}")
        went.append(time.clock())

    tasks = [asyncio.ensure_future(send(number)) for number in range(sends)]
    await time.run(**run)
    await asyncio.gather(*tasks)
    return went


async def test_sends_go_a_slot_apart() -> None:
    went = await sent_at(VirtualTime(), 240)
    assert len(went) == 240
    assert went[-1] == pytest.approx(239 / 80)
    assert busiest_second(went) == 80


async def test_a_stalled_loop_sends_no_more_than_the_rate_in_a_second() -> None:
    went = await sent_at(VirtualTime(), 400, stall_from=1.0, stall=0.2)
    assert len(went) == 400
    assert busiest_second(went) == 80  # 96 before: the 16 slots of the stall went at once
