"""How fast a broadcast is handed out (framework/broadcasts/pacing.py): a WhatsApp number's
notices at 90 % of Meta's 80 a second, by the time since the broadcast's last step on any
worker — two workers taking turns hand out no more than one, where each handed out a second's
worth per step before (160 a second for a number that takes 80)."""

from __future__ import annotations

from pathlib import Path

import pytest

from framework.broadcasts.pacing import RATES
from tests.broadcasts.rig import KINDS, rig_on

UNLIMITED = "broadcasts:\n  daily_limit: unlimited\n"
"""Not the new portfolio's 250 unique customers a day: this is about the pace alone."""


@pytest.mark.parametrize("kind", KINDS)
async def test_two_workers_taking_turns_hand_out_at_one_numbers_pace(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with rig_on(kind, tmp_path, request.config, UNLIMITED) as rig:
        customers = [f"whatsapp:49170{n:07d}" for n in range(400)]
        await rig.grant("marketing", *customers)
        one, two = rig.worker(RATES), rig.worker(RATES)
        made = await one.create("shop", "offer", {}, "marketing", "", None)
        await one.act(made.id, "send")
        handed: list[int] = []
        for step in range(8):  # a step every half second, the workers in turn
            before = sum(rig.got.values())
            await (one if step % 2 else two).sender.step()
            handed.append(sum(rig.got.values()) - before)
            rig.now += 0.5
        assert handed[0] == 72  # a second's worth at first
        assert handed[1:] == [36] * 7  # then half a second's, whichever worker steps
        assert sum(handed[1:3]) <= 72  # any second: at most the number's pace


@pytest.mark.parametrize("kind", ["sqlite"])
async def test_a_step_after_a_long_pause_hands_out_one_seconds_worth(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with rig_on(kind, tmp_path, request.config, UNLIMITED) as rig:
        await rig.grant("marketing", *[f"whatsapp:49170{n:07d}" for n in range(300)])
        worker = rig.worker(RATES)
        made = await worker.create("shop", "offer", {}, "marketing", "", None)
        await worker.act(made.id, "send")
        await worker.sender.step()
        rig.now += 120.0  # the workers were down
        before = sum(rig.got.values())
        await worker.sender.step()
        assert sum(rig.got.values()) - before == 72  # not two minutes' worth at once
