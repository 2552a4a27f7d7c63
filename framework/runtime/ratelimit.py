"""Per-conversation rate limiting, so one flooding customer cannot starve the others."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """A token bucket per key: `burst` messages at once, refilled at `per_minute`.

    Kept in each worker's memory: with N workers a customer gets at most N times the rate,
    which still bounds a flood without a round trip to the store for every message.
    """

    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self._rate, self._burst, self._clock = per_minute / 60.0, float(burst), clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, key: str) -> bool:
        now = self._clock()
        tokens, last = self._buckets.get(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - last) * self._rate)
        if len(self._buckets) > 100_000:
            self._forget_full(now)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1, now)
        return True

    def retry_after(self, key: str) -> float:
        tokens, _last = self._buckets.get(key, (self._burst, 0.0))
        return max(0.0, (1 - tokens) / self._rate) if self._rate else 60.0

    def _forget_full(self, now: float) -> None:
        """Buckets that have refilled completely carry no information."""
        refill = self._burst / self._rate if self._rate else float("inf")
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < refill}
