"""The sending schedule in one process (framework/stores/send_slots.py)."""

from __future__ import annotations

import time
from collections.abc import Callable

from framework.stores.send_slots import Slot, pair_key

__all__ = ["LocalSlots"]


class LocalSlots:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._next: dict[str, float] = {}
        """Sender -> when its next free slot is."""
        self._held: dict[str, float] = {}
        """Sender -> until when the messenger holds it."""
        self._begun: dict[str, dict[str, float]] = {}
        """Sender -> token -> until when that send counts, `window` aside: while in flight,
        when its flight ends at the latest (later than now); once finished, when it did."""
        self._full: dict[tuple[str, str], float] = {}
        """(sender, recipient's digest) -> when the pair's allowance is whole again."""

    async def take(self, sender: str, gap: float, most: float) -> Slot:
        now = self._clock()
        slot = max(now, self._held.get(sender, 0.0), self._next.get(sender, 0.0))
        if slot - now > most:
            return Slot(slot - now, taken=False)
        self._next[sender] = slot + gap
        return Slot(slot - now, taken=True)

    async def start(
        self, sender: str, window: float, most: int, token: str, flight: float
    ) -> float:
        now = self._clock()
        begun = self._begun.setdefault(sender, {})
        begun.pop(token, None)
        if self._held.get(sender, 0.0) > now:
            return self._held[sender] - now
        for gone in [t for t, at in begun.items() if at <= now - window]:
            del begun[gone]
        if len(begun) >= most:
            return max(min(*begun.values(), now) + window - now, 1e-6)
        begun[token] = now + flight
        return 0.0

    async def finish(self, sender: str, token: str) -> None:
        begun = self._begun.get(sender, {})
        if token in begun:
            begun[token] = self._clock()

    async def pair(
        self, sender: str, recipient: str, burst: int, every: float, most: float
    ) -> Slot:
        now, key = self._clock(), (sender, pair_key(recipient))
        full = max(now, self._full.get(key, 0.0))
        wait = max(0.0, full - (burst - 1) * every - now)
        if wait > most:
            return Slot(wait, taken=False)
        self._full[key] = full + every
        if len(self._full) > 10_000:
            self._full = {k: at for k, at in self._full.items() if at > now}
        return Slot(wait, taken=True)

    async def hold(self, sender: str, seconds: float) -> None:
        until = self._clock() + max(seconds, 0.0)
        self._held[sender] = max(until, self._held.get(sender, 0.0))

    async def held(self, sender: str) -> float:
        return max(self._held.get(sender, 0.0) - self._clock(), 0.0)

    async def close(self) -> None:
        return None
