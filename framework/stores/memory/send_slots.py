"""The sending schedule in one process (framework/stores/send_slots.py)."""

from __future__ import annotations

import time
from collections.abc import Callable

from framework.stores.send_slots import Slot

__all__ = ["LocalSlots"]


class LocalSlots:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._next: dict[str, float] = {}
        """Sender -> when its next free slot is."""

    async def take(self, sender: str, gap: float, most: float) -> Slot:
        now = self._clock()
        slot = max(now, self._next.get(sender, 0.0))
        if slot - now > most:
            return Slot(slot - now, taken=False)
        self._next[sender] = slot + gap
        return Slot(slot - now, taken=True)

    async def close(self) -> None:
        return None
