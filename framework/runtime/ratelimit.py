"""Rate limiting by key (a conversation, a client address, a bot), so one flooding sender
cannot starve the others: O(1) per message and bounded in memory, however many keys there are.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["CAPACITY", "RateLimiter"]

CAPACITY = 200_000
"""Keys kept at most (35 MB at most in all: benchmarks/ratelimit.py). Past it the key seen least
recently is forgotten: it starts afresh with a full burst when it comes back."""


class RateLimiter:
    """A token bucket per key: `burst` messages at once, refilled at `per_minute`.

    Kept as the generic cell rate algorithm, one float per key: the moment its bucket will be
    full again (`due`). Keys are ordered by when they were last seen, so the ones whose bucket
    is full again — which carry no information — are dropped from the front, a few per call.
    Kept in each worker's memory: with N workers a sender gets at most N times the rate,
    which still bounds a flood without a round trip to the store for every message.
    """

    def __init__(
        self,
        per_minute: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        capacity: int = CAPACITY,
    ) -> None:
        self._interval = 60.0 / per_minute
        self._span = self._interval * burst
        """A bucket's whole depth in time: `burst` messages' worth of refill."""
        self._clock, self._capacity = clock, capacity
        self._due: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._due)

    def knows(self, key: str) -> bool:
        """Whether `key` has sent recently enough that its bucket is not yet full again."""
        due = self._due.get(key)
        return due is not None and due > self._clock()

    def wait(self, key: str) -> float:
        """0.0 and a message counted when `key` may send now; else the seconds until it may."""
        now = self._clock()
        self._forget(now)
        due = max(self._due.get(key, now), now)
        if due + self._interval - now > self._span:
            return due + self._interval - now - self._span
        self._due[key] = due + self._interval
        self._due.move_to_end(key)
        if len(self._due) > self._capacity:
            self._due.popitem(last=False)
        return 0.0

    def allow(self, key: str) -> bool:
        return self.wait(key) == 0.0

    def retry_after(self, key: str) -> float:
        now = self._clock()
        due = max(self._due.get(key, now), now)
        return max(0.0, due + self._interval - now - self._span)

    def refund(self, key: str) -> None:
        """Give back the message `wait` counted (it was a duplicate, processed once already)."""
        due = self._due.get(key)
        if due is not None:
            self._due[key] = due - self._interval

    def _forget(self, now: float) -> None:
        """Drop keys from the front (least recently seen) while their bucket is full again: at
        most those added since, so O(1) per call over time. A key whose bucket is full sits
        behind a fuller one for at most a bucket's span before it goes too."""
        due = self._due
        for _ in range(2):  # two per call: the table shrinks faster than one call adds
            if not due:
                return
            key, moment = next(iter(due.items()))
            if moment > now:
                return
            del due[key]
