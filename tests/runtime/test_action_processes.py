"""An action runs once per request, even when its worker dies: real `theke run` processes,
SIGKILL after the engine ran the action and before the commit, and the next worker replaying
the turn from the answer the first one kept (framework/actions/answers.py)."""

from __future__ import annotations

import uuid
from pathlib import Path

import aiohttp
import pytest

from framework.stores.opening import open_store
from framework.stores.records import StoreLimits
from tests.runtime.conftest import url_for_workers
from tests.runtime.processes import Worker, post, write_workspace


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
async def test_a_worker_killed_after_its_action_ran_does_not_make_it_run_twice(
    tmp_path: Path, request: pytest.FixtureRequest, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = tmp_path / "ledger.txt"
    monkeypatch.setenv("THEKE_TEST_LEDGER", str(ledger))
    url = (
        f"sqlite:///{tmp_path / 'state.db'}" if kind == "sqlite" else url_for_workers(kind, request)
    )
    workspace = write_workspace(tmp_path / "workspace", url, ["ledger"])
    sender = f"ledger-{uuid.uuid4().hex[:6]}"
    doomed = Worker(workspace, fault="after_engine:1")  # killed before its first commit
    workers = [doomed]
    try:
        async with aiohttp.ClientSession() as http:
            with pytest.raises(aiohttp.ClientError):
                await post(http, doomed, "ledger", sender, "note", "m1")
            assert doomed.died(), "the fault was not injected"
            assert len(ledger.read_text(encoding="utf-8").splitlines()) == 1  # the action ran
            workers.append(Worker(workspace))  # the channel retries the same message
            replies = await post(http, workers[-1], "ledger", sender, "note", "m1")
            again = await post(http, workers[-1], "ledger", sender, "note", "m1")
    finally:
        for worker in workers:
            worker.stop()
    assert [reply["text"] for reply in replies] == ["noted as line 1"]
    assert again == replies  # a retried webhook gets the same replies, no second turn
    calls = ledger.read_text(encoding="utf-8").splitlines()
    assert len(calls) == 1, calls  # the replayed turn took the answer the first run kept
    reader = await open_store(url, StoreLimits())
    try:
        log = await reader.log(f"ledger:rest:{sender}", after=0)
    finally:
        await reader.close()
    assert [(entry["from"], entry["text"]) for entry in log] == [
        ("customer", "note"),
        ("bot", "noted as line 1"),
    ]
