"""Pacing of outgoing messages: a messenger's rate per sending number, and a gap between two
messages to the same recipient (WhatsApp answers a burst to one person with 131056)."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

__all__ = ["Pacer"]


class Pacer:
    """Waits until a send fits: at most `per_second` overall, `interval` seconds apart per
    recipient. In-process: with N workers a number may get N times the rate, which the
    messenger then answers with a rate-limit error that the delivery retries later.

    Each send gets a slot `1 / per_second` after the one before, and goes only when the last
    second holds fewer than `per_second` sends: the slots that passed while the event loop was
    busy (a slow callback, a collection) do not all go at once when it is free again (they
    did: 96 sends in one second at 80 after a stall of 200 ms)."""

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
        self._sent: deque[float] = deque(maxlen=max(1, int(per_second)))
        """When the last sends went, as many as one second may hold."""

    async def wait(self, recipient: str) -> None:
        now = self._clock()
        slot = max(now, self._next, self._recipients.get(recipient, 0.0))
        self._next = slot + self._gap
        self._recipients[recipient] = slot + self._interval
        if len(self._recipients) > 10_000:
            self._recipients = {r: t for r, t in self._recipients.items() if t > now}
        if slot > now:
            await self._sleep(slot - now)
        await self._within_the_second()

    async def _within_the_second(self) -> None:
        sent = self._sent
        while len(sent) == sent.maxlen and (wait := sent[0] + 1.0 - self._clock()) > 0:
            await self._sleep(wait)
        sent.append(self._clock())
