"""A real rasa-sdk action server process (`python -m rasa_sdk --actions rasa_sample`) for the
tests, and the conversation and domain they call it with."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from framework.action_calls import ActionContext
from framework.actions.rasa_protocol import domain_for
from framework.flows import load_bot
from framework.flows.model import Bot
from tests.runtime.processes import free_port, port_answers, stop_process

HERE = Path(__file__).parent
SAMPLE = HERE / "rasa_sample"
PIZZA = HERE.parents[1] / "bots" / "pizza"
NAMES = frozenset(
    {
        "action_quote_price",
        "action_checkout",
        "action_start_over",
        "action_handoff",
        "action_refuse",
        "action_broken",
        "action_slow",
        "action_remind",
        "validate_order",
    }
)


@functools.cache
def pizza() -> Bot:
    return load_bot(PIZZA)


def domain(extra_action: str | None = None) -> dict[str, Any]:
    """The pizza bot's domain, with a slot of the sample's own (`amount_cents`)."""
    found = domain_for(pizza(), sorted(NAMES | ({extra_action} if extra_action else set())))
    found["slots"]["amount_cents"] = {"type": "float", "mappings": [{"type": "custom"}]}
    return found


def context(action: str, **slots: Any) -> ActionContext:
    return ActionContext(
        action=action,
        args={"note": "from a test"},
        request_id=f"req-{action}-{time.monotonic_ns()}",
        bot="pizza",
        sender="+4915100000000",
        channel="rest",
        lang="de",
        slots={"item": "salami", "quantity": 2, **slots},
        cart=[{"item": "salami", "options": [], "quantity": 1, "unit_price": 950}],
        profile={"name": "Kim"},
        message="2 salami bitte",
        now=datetime(2026, 12, 4, 18, 30, tzinfo=UTC),
    )


def health(port: int) -> bool:
    """GET /health answers {"status": "ok"}."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as answer:
            return b'"ok"' in answer.read()
    except OSError:
        return False


@contextlib.contextmanager
def action_server(timeout: float = 20.0) -> Iterator[str]:
    """Starts the server on a free port, waits for GET /health, yields its base URL."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(HERE), "PYTHONUNBUFFERED": "1"}
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "rasa_sample", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=tempfile.gettempdir(),
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + timeout
            while not (port_answers(port) and health(port)):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"the action server did not start:\n{log.read().decode()}")
                time.sleep(0.05)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop_process(process)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # Sanic's worker processes, if left


async def post_raw(url: str, body: dict[str, Any]) -> int:
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as answer:
        return answer.status
