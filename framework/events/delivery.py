"""Sending the outbox's business events: signed, in order per stream, retried, never twice at
once.

Each round claims the due heads of up to BATCH streams with a lease (LEASE seconds, longer than
a request's TIMEOUT), sends them at once (different streams, so no order is at stake) and
finishes each: a 2xx is delivered; 410 Gone and 413 say the event will never be taken, so it
is given up at once; anything else (another status, a refused or dropped connection, a
timeout) is tried again after a backoff that doubles from FIRST_DELAY up to MAX_DELAY, with
jitter, until the entry has waited WINDOW (3 days) — then it is given up. Given-up entries stay
in the outbox for the business (`theke events list|retry`, GET /admin/events).

A worker that dies after sending and before finishing leaves a lease that runs out: another
worker sends the event again, with the same id (at least once; receivers deduplicate on it).
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import time
from collections.abc import Callable, Sequence

import aiohttp

from framework import __version__
from framework.events.signing import HEADER, signature_header
from framework.events.subscriptions import Subscription
from framework.runtime.metrics import Metrics
from framework.stores.outbox import Claimed, Outbox

__all__ = ["BATCH", "LEASE", "WINDOW", "Delivery", "backoff"]

log = logging.getLogger("theke.events")

BATCH = 20
LEASE = 60.0
TIMEOUT = 10.0
FIRST_DELAY = 10.0
MAX_DELAY = 3600.0
WINDOW = 3 * 86_400.0
NEVER = frozenset({410, 413})
"""Statuses that say the endpoint will never take the event."""


def backoff(attempts: int, draw: Callable[[], float] = random.random) -> float:
    """Seconds before the next attempt after `attempts` failed ones: doubling, capped, with
    jitter (half to all of it), so endpoints coming back are not hit by every worker at once."""
    delay: float = min(MAX_DELAY, FIRST_DELAY * 2.0 ** min(attempts - 1, 20))
    return delay * (0.5 + draw() / 2)


class Delivery:
    def __init__(
        self,
        outbox: Outbox,
        subscriptions: Sequence[Subscription],
        *,
        clock: Callable[[], float] = time.time,
        metrics: Metrics | None = None,
        draw: Callable[[], float] = random.random,
        window: float = WINDOW,
        timeout: float = TIMEOUT,
    ) -> None:
        self.outbox = outbox
        self._secrets = {sub.url: sub.secret for sub in subscriptions}
        self._clock, self._metrics, self._draw = clock, metrics, draw
        self._window, self._timeout = window, timeout
        self._http: aiohttp.ClientSession | None = None
        self._worker = secrets.token_hex(8)

    async def run(self) -> int:
        """Rounds until fewer than BATCH were due (at most ten): how many were tried."""
        tried = 0
        for _ in range(10):
            token = f"{self._worker}-{secrets.token_hex(4)}"
            claimed = await self.outbox.claim(self._clock(), LEASE, BATCH, token)
            await asyncio.gather(*(self._deliver(one) for one in claimed))
            tried += len(claimed)
            if len(claimed) < BATCH:
                break
        return tried

    async def _deliver(self, claimed: Claimed) -> None:
        entry = claimed.entry
        secret = self._secrets.get(entry.url)
        if secret is None:
            await self._finish(claimed, "given_up", "the endpoint is no longer subscribed")
            return
        body = entry.body.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"Theke/{__version__}",
            "Theke-Event-Id": entry.event,
            "Theke-Event-Type": entry.type,
            HEADER: signature_header(secret.reveal(), body, int(self._clock())),
        }
        status, error = await self._post(entry.url, body, headers)
        if 200 <= status < 300:
            await self._finish(claimed, "delivered")
        elif status in NEVER:
            await self._finish(claimed, "given_up", error)
        else:
            await self._failed(claimed, error)

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        """The endpoint's status (0 when none came) and what went wrong, if anything."""
        if self._http is None:
            timeout = aiohttp.ClientTimeout(total=self._timeout)
            self._http = aiohttp.ClientSession(timeout=timeout)
        try:
            async with self._http.post(
                url, data=body, headers=headers, allow_redirects=False
            ) as response:
                await response.read()
                return response.status, f"HTTP {response.status} {response.reason or ''}".strip()
        except (aiohttp.ClientError, TimeoutError) as problem:
            return 0, f"{type(problem).__name__}: no answer from the endpoint"

    async def _failed(self, claimed: Claimed, error: str) -> None:
        now = self._clock()
        if now - claimed.entry.since >= self._window:
            await self._finish(
                claimed, "given_up", f"{error}; retried for {self._window / 3600:g} h"
            )
            return
        delay = backoff(claimed.entry.attempts + 1, self._draw)
        if await self.outbox.retry_later(claimed, now + delay, error):
            self._count("retried")

    async def _finish(self, claimed: Claimed, outcome: str, error: str = "") -> None:
        now = self._clock()
        if outcome == "delivered":
            done = await self.outbox.delivered(claimed, now)
        else:
            done = await self.outbox.give_up(claimed, now, error)
            log.warning(
                "business event given up", extra={"type": claimed.entry.type, "error": error}
            )
        if done:
            self._count(outcome)

    def _count(self, outcome: str) -> None:
        if self._metrics is not None:
            self._metrics.business_events.labels(outcome).inc()

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
