"""`theke broadcast status` shows a broadcast's results, read from the workspace's SQLite file
as the server's runtime counted them there."""

from __future__ import annotations

import asyncio
import json
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
    code, out, _ = theke(capsys, "status", made["id"], "-w", w, "--json")
    assert json.loads(out)["results"] == {
        "sent": 3,
        "delivered": 1,
        "read": 0,
        "failed": {"131049": 1},
        "replies": 1,
        "opt_outs": 0,
    }
