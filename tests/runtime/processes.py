"""Real `theke run` worker processes for the tests that kill, restart and race them."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp

BOTS = Path(__file__).parent / "bots"


LOWEST_PORT = 10000
REFUSED_BY_BROWSERS = frozenset({10080})
"""Ports from LOWEST_PORT up that Chromium will not open a page on (its restricted ports,
net/base/port_util.cc: 10080, Amanda): a web chat served there fails with ERR_UNSAFE_PORT."""


def _ports_of_this_test_process() -> Iterator[int]:
    """This pytest-xdist worker's own slice of the ports below the kernel's ephemeral range.

    A port asked of the kernel (`bind(0)`) is one of the ephemeral range, which the kernel
    also hands to every other `bind(0)` and outgoing connection: between the probe and the
    worker process binding it, another test's server could take it, and the test would talk
    to that server (a 404 from the wrong bot). Below the range only this function gives out
    ports, and each test process draws from its own slice."""
    lowest_ephemeral = int(
        Path("/proc/sys/net/ipv4/ip_local_port_range").read_text(encoding="ascii").split()[0]
    )
    processes = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    size = (lowest_ephemeral - LOWEST_PORT) // processes
    return itertools.cycle(range(LOWEST_PORT + index * size, LOWEST_PORT + (index + 1) * size))


_PORTS = _ports_of_this_test_process()


def free_port() -> int:
    """A port nothing listens on now and no other test is given."""
    while True:
        with socket.socket() as probe:
            port = next(_PORTS)
            if port in REFUSED_BY_BROWSERS:
                continue
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def port_answers(port: int) -> bool:
    """Something accepts connections on 127.0.0.1:`port`."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, and SIGKILL after 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


ADMIN_KEY = "processes-admin-key"
"""The admin key of workers started by `start_workers` (their /metrics needs it)."""


def write_workspace(folder: Path, store: str, bots: list[str], lease: str = "1s") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    listed = "\n".join(f"  - {BOTS / bot}" for bot in bots)
    (folder / "flows.yaml").write_text(
        f"version: 1\nbots:\n{listed}\nstore: {store}\n"
        f"server: {{host: 127.0.0.1, lease: {lease}}}\n"
        "limits: {burst: 10000, messages_per_minute: 100000,"
        " new_conversations: {per_address: 100000, per_bot: 1000000}}\n",
        encoding="utf-8",
    )
    return folder / "flows.yaml"


class Worker:
    """One `theke run` process on its own port."""

    def __init__(self, workspace: Path, port: int | None = None, fault: str | None = None):
        self.workspace, self.port = workspace, port or free_port()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if fault:
            env["THEKE_FAULT"] = fault
        self.log = workspace.parent / f"worker-{self.port}-{time.monotonic_ns()}.log"
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "framework.cli",
                    "run",
                    str(workspace),
                    "--port",
                    str(self.port),
                ],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_healthy()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.log.read_text(encoding="utf-8", errors="replace"))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the worker did not start within 20 s")

    def kill(self) -> None:
        """SIGKILL: no cleanup, exactly like a crash."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=20)

    def died(self, within: float = 5.0) -> bool:
        try:
            self.process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            return False
        return True


async def post(
    http: aiohttp.ClientSession, worker: Worker, bot: str, sender: str, text: str, message_id: str
) -> list[dict]:
    async with http.post(
        f"{worker.url}/bots/{bot}/webhooks/rest/webhook",
        json={"sender": sender, "message": text, "message_id": message_id},
        timeout=aiohttp.ClientTimeout(total=30),
    ) as response:
        response.raise_for_status()
        replies: list[dict] = await response.json()
        return replies


def start_workers(
    workspace: Path, port: int, workers: int, store: str | None = None
) -> subprocess.Popen[bytes]:
    """`theke run --workers N` (and `--store URL`, if given): the supervisor process (it
    starts and restarts the workers)."""
    command = [sys.executable, "-m", "framework.cli", "run", str(workspace), "--port", str(port)]
    command += ["--store", store] if store else []
    return subprocess.Popen(
        [*command, "--workers", str(workers)],
        env={**os.environ, "THEKE_ADMIN_KEY": ADMIN_KEY},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
