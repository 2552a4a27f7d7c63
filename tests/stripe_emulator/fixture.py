"""Helpers around the local Stripe emulator (server.py): start it, point stripe-python at it,
register webhook endpoints and play the customer on the hosted Checkout page.

Typical use from any conftest (one emulator process for the whole test run):

    from tests.stripe_emulator.fixture import start_emulator

    @pytest.fixture(scope="session")
    def stripe_emulator() -> Iterator[str]:
        with start_emulator() as base_url:
            yield base_url

The emulator is shared by every test of the run: use a fresh API key per test (`new_api_key`;
idempotency keys are scoped per API key, like per Stripe account), match webhook events by
session id, and never flush its data (`DELETE /_config/data`) while other tests run.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import stripe

from tests.runtime.processes import free_port, port_answers, stop_process

SERVER = Path(__file__).with_name("server.py")
OUTCOMES = ("succeed", "decline", "async_succeed", "async_fail")


class EmulatorError(Exception):
    """A test-only route answered with an error; `body` is Stripe's error JSON."""

    def __init__(self, status: int, body: Any):
        super().__init__(f"{status}: {body}")
        self.status, self.body = status, body


def new_api_key() -> str:
    """Any `sk_…` key is accepted; a fresh one per test keeps idempotency keys apart."""
    return f"sk_test_{uuid.uuid4().hex}"


def _launch(log: Any, timeout: float) -> tuple[subprocess.Popen[bytes], int] | None:
    """One attempt on a free port; None when the process died (e.g. the port was taken)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(SERVER), str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return None
        if port_answers(port):
            return process, port
        time.sleep(0.05)
    process.kill()
    process.wait()
    return None


@contextlib.contextmanager
def start_emulator(timeout: float = 15.0, attempts: int = 3) -> Iterator[str]:
    """Runs `python tests/stripe_emulator/server.py <free port>`; yields its base URL
    (`http://127.0.0.1:<port>`) and terminates the process afterwards.

    A plain (sync) context manager, so it fits a session-scoped fixture without any event
    loop scope. Raises RuntimeError with the server's output when it does not come up.
    """
    with tempfile.TemporaryFile() as log:
        for _ in range(attempts):
            launched = _launch(log, timeout)
            if launched is not None:
                break
        else:
            log.seek(0)
            output = log.read().decode(errors="replace")
            raise RuntimeError(f"the Stripe emulator did not start:\n{output}")
        process, port = launched
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            stop_process(process)


@contextlib.asynccontextmanager
async def open_stripe_client(
    base_url: str, api_key: str, **options: Any
) -> AsyncIterator[stripe.StripeClient]:
    """A real StripeClient (aiohttp transport) aimed at the emulator; closed afterwards."""
    http = stripe.AIOHTTPClient()
    try:
        yield stripe.StripeClient(
            api_key, base_addresses={"api": base_url}, http_client=http, **options
        )
    finally:
        await http.close_async()


async def _call(
    method: str, url: str, api_key: str | None = None, data: Any = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, data=data, headers=headers) as response,
    ):
        body = await response.read()
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, body.decode(errors="replace")


async def _checked(method: str, url: str, api_key: str | None = None, data: Any = None) -> Any:
    status, body = await _call(method, url, api_key, data)
    if status >= 300:
        raise EmulatorError(status, body)
    return body


async def pay(base_url: str, api_key: str, session_id: str, outcome: str = "succeed") -> Any:
    """The customer on the hosted page: `succeed`, `decline`, `async_succeed` or `async_fail`.

    Returns the session (a dict) afterwards; raises EmulatorError (400) when it is not open.
    """
    url = f"{base_url}/_test/checkout/sessions/{session_id}/pay"
    return await _checked("POST", url, api_key, {"outcome": outcome})


async def fast_forward(base_url: str, api_key: str, session_id: str, seconds: int) -> Any:
    """Moves one session's `created`/`expires_at` `seconds` into the past; returns it."""
    url = f"{base_url}/_test/checkout/sessions/{session_id}/fast_forward"
    return await _checked("POST", url, api_key, {"seconds": str(seconds)})


async def register_webhook(
    base_url: str,
    url: str,
    secret: str,
    events: Sequence[str] | None = None,
    endpoint_id: str | None = None,
) -> str:
    """localstripe's `POST /_config/webhooks/{id}`; every event (or only `events`) is POSTed to
    `url` once, ~1 s after it happens, signed with `secret`. Returns the endpoint id."""
    endpoint_id = endpoint_id or f"we_{uuid.uuid4().hex[:16]}"
    form: list[tuple[str, str]] = [("url", url), ("secret", secret)]
    form += [("events[]", event) for event in events or ()]
    await _checked("POST", f"{base_url}/_config/webhooks/{endpoint_id}", data=form)
    return endpoint_id


async def unregister_webhook(base_url: str, endpoint_id: str) -> None:
    await _checked("DELETE", f"{base_url}/_config/webhooks/{endpoint_id}")


@contextlib.asynccontextmanager
async def webhook_endpoint(
    base_url: str, url: str, secret: str, events: Sequence[str] | None = None
) -> AsyncIterator[str]:
    """register_webhook for the duration of a block (the emulator outlives the test)."""
    endpoint_id = await register_webhook(base_url, url, secret, events)
    try:
        yield endpoint_id
    finally:
        await unregister_webhook(base_url, endpoint_id)
