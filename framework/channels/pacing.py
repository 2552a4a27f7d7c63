"""Pacing of outgoing messages: a messenger's rate per sending number, and a gap between two
messages to the same recipient (WhatsApp answers a burst to one person with 131056)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

__all__ = ["Pacer"]


class Pacer:
    """Waits until a send fits: at most `per_second` overall, `interval` seconds apart per
    recipient. In-process: with N workers a number may get N times the rate, which the
    messenger then answers with a rate-limit error that the delivery retries later."""

    def __init__(
        self,
        per_second: float,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._gap, self._interval = 1.0 / per_second, interval
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._recipients: dict[str, float] = {}

    async def wait(self, recipient: str) -> None:
        now = self._clock()
        slot = max(now, self._next, self._recipients.get(recipient, 0.0))
        self._next = slot + self._gap
        self._recipients[recipient] = slot + self._interval
        if len(self._recipients) > 10_000:
            self._recipients = {r: t for r, t in self._recipients.items() if t > now}
        if slot > now:
            await self._sleep(slot - now)
