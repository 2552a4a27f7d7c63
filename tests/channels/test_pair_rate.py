"""A WhatsApp customer's allowance in the pacer, in virtual time (test_pacing.py's clock):
Meta's pair rate (131056) is kept before Meta refuses — 45 messages to one person at the
number's pace, then one every 6 s, however many workers send to them; a delivery that would
wait longer than it may is refused with when to try again; other customers are not held up."""

from __future__ import annotations

import asyncio

import pytest

from framework.channels.pacing import MOST_WAIT, Pacer
from framework.channels.whatsapp import PAIR_RATE
from framework.runtime.sending import SendFailure
from framework.stores.memory.send_slots import LocalSlots
from tests.channels.test_pacing import VirtualTime, go

NUMBER, ADA, BEN = "106540352242922", "4917000000001", "4917000000002"


def pacers(time: VirtualTime, workers: int) -> list[Pacer]:
    """The pacers of `workers` workers of one deployment, on one schedule."""
    slots = LocalSlots(time.clock)
    return [
        Pacer(NUMBER, 80, 0.0, slots, time.clock, time.sleep, pair=PAIR_RATE)
        for _ in range(workers)
    ]


async def test_a_burst_of_45_then_one_every_6_seconds_across_two_workers() -> None:
    time, went = VirtualTime(), []
    workers = pacers(time, 2)

    async def send(number: int, recipient: str) -> None:
        async with workers[number % 2].sending(recipient, patient=True):
            went.append((recipient, time.clock()))

    tasks = [asyncio.ensure_future(send(n, ADA)) for n in range(48)]
    tasks.append(asyncio.ensure_future(send(1, BEN)))
    await time.run()
    await asyncio.gather(*tasks)
    to_ada = sorted(at for who, at in went if who == ADA)
    assert to_ada[44] < 1.0  # the burst at the number's pace
    assert to_ada[45:] == pytest.approx([6.0, 12.0, 18.0], abs=0.05)
    [to_ben] = [at for who, at in went if who == BEN]
    assert to_ben < 1.0  # not behind Ada's allowance


async def test_a_delivery_is_told_when_the_next_fits_instead_of_meeting_131056() -> None:
    time = VirtualTime()
    [pacer] = pacers(time, 1)
    burst = [asyncio.ensure_future(go(pacer, ADA, patient=True)) for _ in range(45)]
    await time.run()
    await asyncio.gather(*burst)
    started = time.now
    refused = asyncio.ensure_future(go(pacer, ADA))
    await time.run()
    failure = refused.exception()
    assert isinstance(failure, SendFailure) and failure.retry_after is not None
    assert MOST_WAIT < failure.retry_after == pytest.approx(6.0 - started, abs=0.05)
    time.now = 6.0  # the delivery's retry, when it was told
    again = asyncio.ensure_future(go(pacer, ADA))
    await time.run()
    await again  # the refused one spent nothing: this one has the next
