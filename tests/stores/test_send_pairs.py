"""A recipient's allowance in every sending schedule (memory, Redis, the Redis cluster; the
opener of test_send_slots.py): `burst` sends at once, then one every `every` seconds, shared
by the workers; one too far away spends nothing; recipients and senders apart. Redis keeps
time by its own clock: waits are compared with the time the test itself took (`stopwatch`)."""

from __future__ import annotations

import pytest

from tests.stores.test_send_slots import NUMBER, Opener, opener, stopwatch

__all__ = ["opener"]

ADA, BEN = "4917000000001", "4917000000002"


async def test_a_burst_goes_at_once_and_then_one_every_few_seconds_across_workers(
    opener: Opener,
) -> None:
    one, two = await opener(), await opener()
    elapsed = stopwatch()
    burst = [await (one if n % 2 else two).pair(NUMBER, ADA, 45, 6.0, 60.0) for n in range(45)]
    assert all(slot.taken and slot.wait <= elapsed() for slot in burst)
    after = [await (one if n % 2 else two).pair(NUMBER, ADA, 45, 6.0, 60.0) for n in range(3)]
    assert all(slot.taken for slot in after)
    for n, slot in enumerate(after, start=1):
        assert n * 6.0 - elapsed() <= slot.wait <= n * 6.0 + 1e-6
    for other in ((NUMBER, BEN), ("106540352242999", ADA)):  # apart
        assert (await one.pair(*other, 45, 6.0, 60.0)).wait <= elapsed()


async def test_an_allowance_too_far_away_is_not_taken_and_spends_nothing(opener: Opener) -> None:
    slots = await opener()
    elapsed = stopwatch()
    for _ in range(2):
        assert (await slots.pair(NUMBER, ADA, 2, 6.0, 0.5)).taken
    refused = await slots.pair(NUMBER, ADA, 2, 6.0, 0.5)
    assert not refused.taken and 6.0 - elapsed() <= refused.wait <= 6.0 + 1e-6
    again = await slots.pair(NUMBER, ADA, 2, 6.0, 10.0)
    assert again.taken and again.wait == pytest.approx(refused.wait, abs=elapsed())
