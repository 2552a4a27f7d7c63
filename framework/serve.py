"""`theke run`: serve a workspace with one process, or supervise several sharing Redis."""

from __future__ import annotations

import asyncio
import ctypes
import gc
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from framework.app import create_app
from framework.edge.limits import server_options
from framework.errors import ThekeError
from framework.flows import load_bot
from framework.logs import configure_logging
from framework.optional import optional_module
from framework.payments.service import PAYMENT_APPLIED
from framework.payments.setup import provider_name
from framework.runtime.turns import FAULT_STAGES
from framework.stores.opening import store_kind
from framework.workspace import Workspace

__all__ = ["fault_from_environment", "open_rest_warning", "serve", "shifted_clock", "supervise"]

PAYMENTS_SHOWN = {"sandbox": "sandbox — test payments, no money moves", "stripe": "stripe"}
"""How the start-up line names the provider that takes the money."""
FAULT_VARIABLE = "THEKE_FAULT"
"""`stage:n` kills this worker with SIGKILL the n-th time a turn reaches `stage` (tests only)."""


def shifted_clock(start: str | None) -> Callable[[], float]:
    """The real clock, or one that starts at `start` (ISO with offset) and then runs."""
    if start is None:
        return time.time
    try:
        moment = datetime.fromisoformat(start)
    except ValueError:
        raise ThekeError(f"--now {start!r} is not an ISO date-time") from None
    if moment.tzinfo is None:
        raise ThekeError("--now needs a UTC offset, e.g. 2026-11-27T19:00+01:00")
    offset = moment.timestamp() - time.time()
    return lambda: time.time() + offset


def fault_from_environment() -> Callable[[str], None] | None:
    spec = os.environ.get(FAULT_VARIABLE)
    if not spec:
        return None
    stage, _, count = spec.partition(":")
    stages = (*FAULT_STAGES, PAYMENT_APPLIED)
    if stage not in stages or not count.isdigit():
        raise ThekeError(f"{FAULT_VARIABLE} must be one of {', '.join(stages)} with :n")
    remaining = [int(count)]

    def fault(reached: str) -> None:
        if reached == stage:
            remaining[0] -= 1
            if remaining[0] <= 0:
                os.kill(os.getpid(), signal.SIGKILL)

    return fault


def event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's event loop when it is installed (`pip install theke[fast]`), else asyncio's."""
    uvloop = optional_module("uvloop")
    if uvloop is None:
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


YOUNG_OBJECTS = 10_000
"""Objects allocated (net) before a collection of the youngest generation; Python's 700 is
crossed by the objects of the turns in flight alone (50 at once under load), so a collection
ran every few turns, scanned them all and freed nothing: 7.6 % of the CPU of SQLite turns,
4.6 % of Redis turns (benchmarks/README.md, 2026-12-04 night). Turns leave no cyclic garbage
(flows/turn.py `close`), so waiting for more costs at most a few megabytes."""


def freeze_startup_heap() -> None:
    """Keep what was loaded at start (modules, bots, their templates and locale data: tens of
    thousands of objects that live as long as the process) out of every garbage collection,
    so a full collection scans only what turns allocate, not all of that again each time;
    and collect the young generation after YOUNG_OBJECTS, not 700."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS, *gc.get_threshold()[1:])


def serve(workspace: Workspace, *, now: str | None = None, reuse_port: bool = False) -> None:
    """Run one worker until SIGINT/SIGTERM; turns in flight finish first."""
    configure_logging(workspace.log_level)
    payments = provider_name(workspace)  # a half-configured provider stops here, before serving
    bots = {bot.name: bot for bot in (load_bot(path) for path in workspace.bots)}
    app = create_app(
        workspace,
        bots,
        clock=shifted_clock(now),
        fault=fault_from_environment(),
        lease=workspace.lease,
    )
    names = ", ".join(sorted(bots))
    print(
        f"Theke serves {names} on http://{workspace.host}:{workspace.port}/ "
        f"(store: {store_kind(workspace.store)}; payments: {PAYMENTS_SHOWN[payments]}) "
        "— Ctrl-C stops",
        flush=True,
    )
    warning = open_rest_warning(workspace)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    freeze_startup_heap()
    web.run_app(
        app,
        host=workspace.host,
        port=workspace.port,
        reuse_port=reuse_port,
        shutdown_timeout=10.0,
        access_log=None,
        print=None,
        loop=event_loop(),
        **server_options(workspace.header_timeout),
    )


LOCAL_HOSTS = ("127.", "::1", "localhost")


def open_rest_warning(workspace: Workspace) -> str | None:
    """A warning when anyone who can reach the server can speak for any REST sender."""
    rest = workspace.channels.get("rest")
    if rest is None or "auth_token" in rest or "jwt_secret" in rest:
        return None
    if workspace.host.startswith(LOCAL_HOSTS):
        return None
    return (
        f"warning: the REST channel on {workspace.host}:{workspace.port} takes any sender id "
        "without authentication: whoever knows a customer's id can continue their "
        "conversation. Set channels.rest.auth_token or jwt_secret (docs/server.md), "
        "or serve REST on 127.0.0.1 only"
    )


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Linux: a worker gets SIGTERM when its supervisor dies, so no worker is orphaned."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def supervise(workspace: Workspace, workers: int, argv: list[str]) -> int:
    """Start `workers` processes on one port (SO_REUSEPORT) and restart any that dies."""
    if store_kind(workspace.store) != "redis":
        raise ThekeError(
            f"--workers {workers} needs a shared store: SQLite and memory serve one process. "
            "Set store: redis://127.0.0.1:6379/0 in flows.yaml or pass --store redis://..."
        )
    provider_name(workspace)  # every worker would refuse to start, and be restarted, forever
    command = [
        sys.executable,
        "-m",
        "framework.cli",
        "run",
        *argv,
        "--workers",
        "1",
        "--reuse-port",
    ]

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(command, preexec_fn=_die_with_parent)

    children = [start() for _ in range(workers)]
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        for index, child in enumerate(children):
            if child.poll() is not None and not stopping:
                time.sleep(1.0)  # a worker that dies at once must not spin
                children[index] = start()
        time.sleep(0.2)
    return max((child.wait() for child in children), default=0)
