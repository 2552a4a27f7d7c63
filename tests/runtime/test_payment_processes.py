"""A worker killed between applying a payment and resuming its conversation: real `theke run`
processes on one Redis (and on a Redis Cluster), SIGKILL at the `payment_applied` stage, and
the surviving worker's reconciler delivering the news exactly once."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path

import aiohttp
import pytest

from framework.stores.opening import open_store
from framework.stores.records import StoreLimits
from tests.runtime.conftest import url_for_workers
from tests.runtime.processes import BOTS, Worker, post


def shop_workspace(folder: Path, redis_url: str) -> Path:
    (folder / "flows.yaml").write_text(
        f"version: 1\nbots:\n  - {BOTS / 'till'}\nstore: {redis_url}\n"
        "server: {host: 127.0.0.1, lease: 1s}\n"
        "payments: {provider: sandbox, reconcile: 1s}\n",
        encoding="utf-8",
    )
    return folder / "flows.yaml"


@pytest.mark.parametrize("kind", ["redis", "redis-cluster"])
async def test_a_worker_killed_after_applying_a_payment_resumes_the_chat_once(
    tmp_path: Path, request: pytest.FixtureRequest, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THEKE_SANDBOX_SECRET", uuid.uuid4().hex)
    url = url_for_workers(kind, request)
    workspace = shop_workspace(tmp_path, url)
    doomed = Worker(workspace, fault="payment_applied:1")
    survivor = Worker(workspace)
    sender = f"paid-{uuid.uuid4().hex[:8]}"
    try:
        async with aiohttp.ClientSession() as http:
            await post(http, doomed, "till", sender, "buy", "m1")
            [reply] = await post(http, doomed, "till", sender, "2", "m2")
            page = re.sub(r"^https?://[^/]+", doomed.url, reply["custom"]["url"])
            async with http.post(page, data={"decision": "pay"}, allow_redirects=False) as paid:
                assert paid.status == 303
        assert doomed.died(within=10), "the fault was not injected"
        reader = await open_store(url, StoreLimits())
        try:
            texts: list[str] = []
            for _ in range(100):
                log = await reader.log(f"till:rest:{sender}", after=0)
                texts = [entry["text"] for entry in log]
                if any(text.startswith("Paid: order") for text in texts):
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.5)  # another reconcile round: it must not tell twice
            log = await reader.log(f"till:rest:{sender}", after=0)
        finally:
            await reader.close()
    finally:
        doomed.kill()
        survivor.stop()
    paid_lines = [e["text"] for e in log if e["text"].startswith("Paid: order")]
    assert len(paid_lines) == 1, texts
    assert paid_lines[0].endswith(", €26.00.")
