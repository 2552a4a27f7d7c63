"""The guarantees with real worker processes: racing, SIGKILL at every stage, timers."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from framework.runtime.turns import FAULT_STAGES
from framework.stores.opening import open_store
from framework.stores.records import StoreLimits
from framework.stores.session_store import Store
from tests.runtime.conftest import url_for_workers
from tests.runtime.processes import (
    ADMIN_KEY,
    Worker,
    free_port,
    port_answers,
    post,
    start_workers,
    write_workspace,
)

SHARED = ["redis", "redis-cluster"]
"""The stores several workers share: one Redis, and a Redis Cluster (redis+cluster://)."""


def store_url(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    return url_for_workers(kind, request)


async def open_log_reader(url: str) -> Store:
    return await open_store(url, StoreLimits())


@pytest.mark.parametrize("kind", SHARED)
async def test_two_workers_on_one_redis_serve_200_interleaved_sessions(
    tmp_path: Path, request: pytest.FixtureRequest, kind: str
) -> None:
    url = store_url(kind, tmp_path, request)
    workspace = write_workspace(tmp_path, url, ["counter"])
    workers = [Worker(workspace), Worker(workspace)]
    run = uuid.uuid4().hex[:6]
    try:
        async with aiohttp.ClientSession() as http:

            async def conversation(number: int) -> list[str]:
                sender, texts = f"{run}-{number}", []
                await post(http, workers[number % 2], "counter", sender, "hello", f"{sender}-0")
                for turn in range(1, 4):
                    worker = workers[(number + turn) % 2]  # every message to the other worker
                    replies = await post(
                        http, worker, "counter", sender, f"t{turn}", f"{sender}-{turn}"
                    )
                    texts.append(replies[0]["text"])
                return texts

            results = await asyncio.gather(*(conversation(n) for n in range(200)))
    finally:
        for worker in workers:
            worker.stop()
    assert all(texts == ["#1 t1", "#2 t2", "#3 t3"] for texts in results)
    reader = await open_log_reader(url)
    try:
        for number in range(200):
            log = await reader.log(f"counter:rest:{run}-{number}", after=0)
            said = [e["text"] for e in log if e["from"] == "customer"]
            assert said == ["hello", "t1", "t2", "t3"]  # nothing lost, nothing twice
            assert [e["seq"] for e in log] == list(range(1, len(log) + 1))
    finally:
        await reader.close()


async def send_surviving_crashes(
    http: aiohttp.ClientSession, workers: list[Worker], restart: Callable[[], Worker], sender: str
) -> list[str]:
    """Send m1..m5; when a worker dies mid-request, retry the same id on a live one."""
    answers = []
    await post(http, workers[-1], "counter", sender, "hello", f"{sender}-hello")
    for number in range(1, 6):
        while True:
            try:
                replies = await post(
                    http, workers[-1], "counter", sender, f"m{number}", f"{sender}-{number}"
                )
                break
            except (TimeoutError, aiohttp.ClientError):
                assert workers[-1].died(), "the request failed but the worker is alive"
                workers.append(restart())
        answers.append(replies[0]["text"])
    return answers


CRASHES = [(kind, stage) for kind in ("sqlite", "redis") for stage in FAULT_STAGES] + [
    ("redis-cluster", "after_dedupe"),  # an item left waiting in its inbox
    ("redis-cluster", "after_commit"),  # a committed turn waits to be delivered
]
"""Every stage on SQLite and Redis; on the cluster (the same store code as Redis) the two
stages that leave work for the next worker to find, which keeps the run short."""


@pytest.mark.parametrize(("kind", "stage"), CRASHES)
async def test_a_worker_killed_at_any_stage_loses_nothing_and_repeats_nothing(
    tmp_path: Path, request: pytest.FixtureRequest, kind: str, stage: str
) -> None:
    url = store_url(kind, tmp_path, request)
    workspace = write_workspace(tmp_path, url, ["counter"])
    sender = f"crash-{stage}-{uuid.uuid4().hex[:6]}"
    # the third time the stage is reached is the turn of m2 ("hello" and m1 come first)
    workers = [Worker(workspace, fault=f"{stage}:3")]
    try:
        async with aiohttp.ClientSession() as http:
            answers = await send_surviving_crashes(http, workers, lambda: Worker(workspace), sender)
    finally:
        for worker in workers:
            worker.stop()
    assert len(workers) == 2, "the fault was not injected"
    assert answers == ["#1 m1", "#2 m2", "#3 m3", "#4 m4", "#5 m5"]
    reader = await open_log_reader(url)
    try:
        log = await reader.log(f"counter:rest:{sender}", after=0)
    finally:
        await reader.close()
    said = [e["text"] for e in log if e["from"] == "customer"]
    numbered = [e["text"] for e in log if re.match(r"#\d", e["text"])]
    assert said == ["hello", "m1", "m2", "m3", "m4", "m5"]
    assert numbered == ["#1 m1", "#2 m2", "#3 m3", "#4 m4", "#5 m5"]


@pytest.mark.parametrize("kind", SHARED)
async def test_a_timer_due_while_its_worker_is_dead_fires_once_on_the_other(
    tmp_path: Path, request: pytest.FixtureRequest, kind: str
) -> None:
    url = store_url(kind, tmp_path, request)
    workspace = write_workspace(tmp_path, url, ["reminder"])
    doomed, survivor = Worker(workspace), Worker(workspace)
    sender = f"timer-{uuid.uuid4().hex[:6]}"
    try:
        async with aiohttp.ClientSession() as http:
            replies = await post(http, doomed, "reminder", sender, "hi", f"{sender}-1")
            assert replies[0]["text"] == "What is your answer?"
            doomed.kill()  # the reminder is due in one second; its worker is gone
            reader = await open_log_reader(url)
            try:
                deadline = time.monotonic() + 10
                reminders: list[str] = []
                while time.monotonic() < deadline and not reminders:
                    await asyncio.sleep(0.2)
                    log = await reader.log(f"reminder:rest:{sender}", after=0)
                    reminders = [e["text"] for e in log if e["text"].startswith("Are you")]
                await asyncio.sleep(2.0)  # let both ticks run a few more times
                log = await reader.log(f"reminder:rest:{sender}", after=0)
            finally:
                await reader.close()
    finally:
        survivor.stop()
    reminders = [e["text"] for e in log if e["text"].startswith("Are you")]
    assert len(reminders) == 1


async def test_a_restarted_server_continues_the_conversation(tmp_path: Path) -> None:
    workspace = write_workspace(tmp_path, f"sqlite:///{tmp_path / 'state.db'}", ["counter"])
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
        worker = Worker(workspace)
        await post(http, worker, "counter", "ada", "hello", "1")
        await post(http, worker, "counter", "ada", "first", "2")
        assert worker.stop() == 0  # SIGTERM: a clean, graceful exit
        worker = Worker(workspace, port=worker.port)
        try:
            replies = await post(http, worker, "counter", "ada", "second", "3")
        finally:
            worker.stop()
    assert replies[0]["text"] == "#2 second"


def test_several_workers_need_redis(tmp_path: Path) -> None:
    workspace = write_workspace(tmp_path, f"sqlite:///{tmp_path / 'state.db'}", ["counter"])
    result = subprocess.run(
        [sys.executable, "-m", "framework.cli", "run", str(workspace), "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "needs a shared store" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("kind", SHARED)
async def test_workers_share_one_port_and_stop_together(
    tmp_path: Path, request: pytest.FixtureRequest, kind: str
) -> None:
    # flows.yaml names SQLite, which --workers refuses: --store overrides it
    workspace = write_workspace(tmp_path, f"sqlite:///{tmp_path / 'state.db'}", ["counter"])
    port = free_port()
    supervisor = start_workers(workspace, port, 2, store=store_url(kind, tmp_path, request))
    try:
        deadline = time.monotonic() + 20
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
            while True:
                try:
                    async with http.get(f"http://127.0.0.1:{port}/health") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    assert time.monotonic() < deadline, "the workers did not start"
                    await asyncio.sleep(0.1)
            run = uuid.uuid4().hex[:6]
            answers = await asyncio.gather(
                *(
                    http.post(
                        f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                        json={"sender": f"{run}-{n}", "message": "hello"},
                    )
                    for n in range(40)
                )
            )
            assert [answer.status for answer in answers] == [200] * 40
            workers: set[str] = set()
            while len(workers) < 2 and time.monotonic() < deadline + 20:
                workers.add(await _metrics_identity(http, port))  # a new connection each time
    finally:
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
    assert len(workers) == 2, "both workers should have answered on the shared port"


async def _metrics_identity(http: aiohttp.ClientSession, port: int) -> str:
    """Which worker answered: each worker's metrics registry is its own."""
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    async with http.get(f"http://127.0.0.1:{port}/metrics", headers=headers) as response:
        text = await response.text()
    return next(line for line in text.splitlines() if line.startswith("theke_worker{"))


def test_workers_do_not_outlive_a_killed_supervisor(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    workspace = write_workspace(tmp_path, url_for_workers("redis", request), ["counter"])
    port = free_port()
    supervisor = start_workers(workspace, port, 2)
    deadline = time.monotonic() + 20
    while not port_answers(port):
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.1)
    supervisor.send_signal(signal.SIGKILL)
    supervisor.wait(timeout=10)
    deadline = time.monotonic() + 10
    while port_answers(port) or _processes_serving(workspace):
        assert time.monotonic() < deadline, "a worker outlived its supervisor"
        time.sleep(0.1)


def _processes_serving(workspace: Path) -> list[int]:
    """Processes whose command line names this workspace (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if str(workspace).encode() in command:
            found.append(int(entry.name))
    return found
