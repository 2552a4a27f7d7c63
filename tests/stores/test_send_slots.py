"""One contract, every sending schedule (framework/stores/send_slots.py): this process's own
(memory and SQLite deployments) and Redis on a single server and on the three-node cluster,
where two workers' clients take slots of one schedule and begin and finish sends in one
window. Redis keeps time by its own clock, so the waits are compared with a tolerance of the
test's own run time."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from framework.stores.memory.send_slots import LocalSlots
from framework.stores.opening import open_send_slots
from framework.stores.send_slots import SendSlots
from tests.payments.test_order_store import REDIS_URL
from tests.stores.contract import store_url, stores_of

Opener = Callable[[], Awaitable[SendSlots]]
NUMBER = "106540352242922"
GAP = 1 / 72
FLIGHT = 60.0
"""Seconds a send is counted as in flight at most, unless a test says."""


def stopwatch() -> Callable[[], float]:
    """Seconds since it was made: how far a schedule's clock may have moved between the call
    that set a wait and the one that reads it (a loaded CI machine took half a second for
    five calls to the cluster)."""
    began = time.monotonic()
    return lambda: time.monotonic() - began + 1e-3


@pytest.fixture(params=["memory", "redis", "redis-cluster"])
async def opener(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    kind, prefix = str(request.param), f"test-slots-{uuid.uuid4().hex[:24]}"
    url = store_url(kind, tmp_path, request.config, prefix)

    async def open_url(url: str) -> SendSlots:
        return open_send_slots(url)

    async with stores_of(kind, url, prefix, LocalSlots(), open_url) as open_one:
        yield open_one


async def test_slots_follow_each_other_a_gap_apart_across_workers(opener: Opener) -> None:
    one, two = await opener(), await opener()
    elapsed = stopwatch()
    waits = [(await (one if n % 2 else two).take(NUMBER, GAP, 10.0)) for n in range(20)]
    assert all(slot.taken for slot in waits)
    for n, slot in enumerate(waits):
        assert n * GAP - elapsed() <= slot.wait <= n * GAP + 1e-6


async def test_a_slot_too_far_away_is_not_taken(opener: Opener) -> None:
    slots = await opener()
    elapsed = stopwatch()
    for _ in range(10):
        assert (await slots.take(NUMBER, 0.1, 10.0)).taken
    refused = await slots.take(NUMBER, 0.1, 0.5)
    assert not refused.taken
    assert 1.0 - elapsed() <= refused.wait <= 1.0 + 1e-6
    after = await slots.take(NUMBER, 0.1, 10.0)  # the refused one held nothing
    assert after.taken and after.wait == pytest.approx(refused.wait, abs=elapsed())


async def test_senders_have_schedules_of_their_own(opener: Opener) -> None:
    slots = await opener()
    await slots.take(NUMBER, 5.0, 10.0)
    other = await slots.take("998877665544332", 5.0, 10.0)
    assert other.taken and other.wait == 0.0
    assert not (await slots.take(NUMBER, 5.0, 1.0)).taken


async def test_sends_begin_while_fewer_than_most_are_counted(opener: Opener) -> None:
    one, two = await opener(), await opener()
    for n in range(5):  # two workers, one window
        assert await (one if n % 2 else two).start(NUMBER, 10.0, 5, f"send-{n}", FLIGHT) == 0.0
    # all five in flight: a place frees a window after one finishes, at the soonest now
    assert await one.start(NUMBER, 10.0, 5, "send-5", FLIGHT) == pytest.approx(10.0, abs=1e-6)
    assert await two.start("998877665544332", 10.0, 5, "send-5", FLIGHT) == 0.0  # another's
    elapsed = stopwatch()
    for n in range(5):
        await (two if n % 2 else one).finish(NUMBER, f"send-{n}")
    wait = await one.start(NUMBER, 10.0, 5, "send-5", FLIGHT)
    assert 10.0 - elapsed() <= wait <= 10.0 + 1e-6  # until the first finished one leaves


async def test_a_send_in_flight_keeps_its_place_past_the_window_until_it_finishes(
    opener: Opener,
) -> None:
    slots = await opener()
    assert await slots.start(NUMBER, 0.2, 1, "a", FLIGHT) == 0.0
    await asyncio.sleep(0.3)  # its request takes longer than the window
    assert await slots.start(NUMBER, 0.2, 1, "b", FLIGHT) == pytest.approx(0.2, abs=1e-6)
    elapsed = stopwatch()
    await slots.finish(NUMBER, "a")
    wait = await slots.start(NUMBER, 0.2, 1, "b", FLIGHT)
    assert 0.2 - elapsed() <= wait <= 0.2 + 1e-6  # a window after it finished
    await asyncio.sleep(wait + 0.01)
    assert await slots.start(NUMBER, 0.2, 1, "b", FLIGHT) == 0.0


async def test_a_finished_send_leaves_the_window_a_window_after_it_finished(
    opener: Opener,
) -> None:
    slots = await opener()
    elapsed = stopwatch()
    assert await slots.start(NUMBER, 0.3, 1, "a", FLIGHT) == 0.0
    await slots.finish(NUMBER, "a")
    wait = await slots.start(NUMBER, 0.3, 1, "b", FLIGHT)
    assert 0.3 - elapsed() <= wait <= 0.3 + 1e-6
    await asyncio.sleep(wait + 0.01)
    assert await slots.start(NUMBER, 0.3, 1, "b", FLIGHT) == 0.0


async def test_a_send_begun_again_counts_once_and_a_refused_one_not_at_all(
    opener: Opener,
) -> None:
    slots = await opener()
    assert await slots.start(NUMBER, 10.0, 3, "a", FLIGHT) == 0.0
    assert await slots.start(NUMBER, 10.0, 3, "b", FLIGHT) == 0.0
    assert await slots.start(NUMBER, 10.0, 3, "c", FLIGHT) == 0.0
    assert await slots.start(NUMBER, 10.0, 3, "d", FLIGHT) > 0.0  # refused: kept nothing
    await slots.finish(NUMBER, "c")
    await slots.finish(NUMBER, "d")  # never begun: nothing to finish
    assert await slots.start(NUMBER, 10.0, 3, "c", FLIGHT) == 0.0  # c again: a, b and c
    assert await slots.start(NUMBER, 10.0, 3, "e", FLIGHT) > 0.0


async def test_a_send_never_finished_leaves_after_its_flight(opener: Opener) -> None:
    """Its worker died mid-request: the send keeps its place `flight` seconds after it began,
    then a window more, and a late `finish` does not bring it back."""
    slots = await opener()
    before = stopwatch()  # at least as long as since it began, by the store's clock
    assert await slots.start(NUMBER, 0.3, 1, "dead", 0.6) == 0.0
    after = stopwatch()  # at most as long
    await asyncio.sleep(0.4)  # past the window, within its flight
    wait = await slots.start(NUMBER, 0.3, 1, "b", FLIGHT)
    assert before() >= 0.9 or 0.0 < wait <= 0.3 + 1e-6
    await asyncio.sleep(max(0.9 - after(), 0.0) + 0.01)
    assert await slots.start(NUMBER, 0.3, 1, "b", FLIGHT) == 0.0
    await slots.finish(NUMBER, "dead")  # too late: dropped
    assert await slots.start(NUMBER, 0.3, 2, "c", FLIGHT) == 0.0  # b's and c's, not dead's


async def test_a_bad_sender_name_is_refused() -> None:
    slots = open_send_slots(REDIS_URL)
    try:
        with pytest.raises(ValueError, match="sender"):
            await slots.take("a b{c}", 0.1, 1.0)
        with pytest.raises(ValueError, match="sender"):
            await slots.start("a b{c}", 1.0, 79, "a", FLIGHT)
        with pytest.raises(ValueError, match="token"):
            await slots.start(NUMBER, 1.0, 79, "a b", FLIGHT)
        with pytest.raises(ValueError, match="token"):
            await slots.finish(NUMBER, "a b")
        with pytest.raises(ValueError, match="flight"):
            await slots.start(NUMBER, 1.0, 79, "a", 0.0)
    finally:
        await slots.close()


async def test_a_hold_keeps_every_worker_from_the_sender_until_it_ends(opener: Opener) -> None:
    """Telegram's 429 blocks all of the bot's calls for retry_after: the worker that met it
    holds the schedule, and the other worker's next slot is after the hold too."""
    one, two = await opener(), await opener()
    early = await two.take(NUMBER, GAP, 10.0)  # a send that took its slot before the hold
    elapsed = stopwatch()
    await one.hold(NUMBER, 3.0)
    assert early.taken and 3.0 - elapsed() <= await two.held(NUMBER) <= 3.0 + 1e-6
    assert 3.0 - elapsed() <= await two.start(NUMBER, 1.0, 79, "early", FLIGHT) <= 3.0 + 1e-6
    assert not (await two.take(NUMBER, GAP, 0.6)).taken  # a delivery tries again later
    slot = await two.take(NUMBER, GAP, 10.0)
    assert slot.taken and 3.0 - elapsed() <= slot.wait <= 3.0 + 1e-6
    assert await two.held("998877665544332") == 0.0  # another sender sends on
    assert await two.start("998877665544332", 1.0, 79, "other", FLIGHT) == 0.0


async def test_a_shorter_hold_leaves_a_longer_one_and_an_idle_sender_is_not_held(
    opener: Opener,
) -> None:
    slots = await opener()
    assert await slots.held(NUMBER) == 0.0
    elapsed = stopwatch()
    await slots.hold(NUMBER, 5.0)
    await slots.hold(NUMBER, 1.0)
    assert 5.0 - elapsed() <= await slots.held(NUMBER) <= 5.0 + 1e-6
