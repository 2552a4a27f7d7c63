"""`theke broadcast status` shows a broadcast's results, read from the workspace's SQLite file
as the server's runtime counted them there."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import pytest

from framework.stores.opening import open_broadcasts
from tests.broadcasts.test_broadcast_cli import theke, workspace

__all__ = ["workspace"]  # the fixture, shared


def test_status_prints_the_results(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w = str(workspace)
    made = json.loads(theke(capsys, "create", "-w", w, "--text", "spring_offer", "--json")[1])

    async def counted() -> None:
        store = await open_broadcasts(f"sqlite:///{workspace / 'state.db'}")
        for who in ("a1" * 8, "b2" * 8, "c3" * 8):
            await store.count(made["id"], who, "sent")
        await store.count(made["id"], "a1" * 8, "delivered")
        await store.count(made["id"], "a1" * 8, "replies")
        await store.count(made["id"], "b2" * 8, "failed", "131049")
        await store.close()

    asyncio.run(counted())
    code, out, err = theke(capsys, "status", made["id"], "-w", w)
    assert code == 0, err
    assert "  sent 3, delivered 1, read 0, replies 1, opted out 0\n  failed 1: 131049 1" in out
    assert "held by WhatsApp until a status comes: held_for_quality_assessment 0, paused 0" in out
    code, out, _ = theke(capsys, "status", made["id"], "-w", w, "--json")
    assert json.loads(out)["results"] == {
        "sent": 3,
        "delivered": 1,
        "read": 0,
        "failed": {"131049": 1},
        "replies": 1,
        "opt_outs": 0,
        "held_for_quality_assessment": 0,
        "paused": 0,
    }


def test_status_shows_every_figure_the_admin_api_returns(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = str(workspace)
    made = json.loads(theke(capsys, "create", "-w", w, "--text", "spring_offer", "--json")[1])
    figures = {"queued": 41, "skipped": 3, "capped": 5, "held_back": 7, "outside": 11}

    async def sending() -> None:
        store = await open_broadcasts(f"sqlite:///{workspace / 'state.db'}")
        await store.change(
            made["id"],
            lambda b: replace(
                b, status="sending", started_at=b.created_at, waiting="quiet_hours", **figures
            ),
        )
        await store.count(made["id"], "a1" * 8, "failed", "window_closed")
        await store.close()

    asyncio.run(sending())
    code, out, err = theke(capsys, "status", made["id"], "-w", w)
    assert code == 0, err
    api = json.loads(theke(capsys, "status", made["id"], "-w", w, "--json")[1])
    for name in (*figures, "capped", "held_back", "waiting", "outside"):
        assert name in out, name
    assert "  queued 41" in out
    assert (
        "  passed over: language (skipped) 3, frequency cap (capped) 5, 131049 hold "
        "(held_back) 7, outside the segment (outside) 11"
    ) in out
    assert "  waiting: quiet_hours – the bot's quiet hours" in out
    assert "  failed 1: window_closed 1" in out
    shown = {name: value for name, value in api.items() if isinstance(value, int)}
    for name, value in shown.items():  # every number the API gives is in the text
        assert str(value) in out, (name, value)
    assert api["waiting"] == "quiet_hours" and api["results"]["failed"] == {"window_closed": 1}
