"""The reference broadcast store: a dict in one process's memory (the contract suite's
yardstick and the test double). No method awaits, so on one event loop each runs whole: a
claim leases one broadcast to one caller."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from framework.stores.broadcasts import (
    MAX_LISTED,
    SENDING,
    Broadcast,
    BroadcastError,
    BroadcastNotFound,
    Results,
    begun,
    check_broadcast,
    check_id,
    check_listing,
    check_result,
    digest,
    due,
    newest_first,
    tallied,
)

__all__ = ["MemoryBroadcasts"]


class MemoryBroadcasts:
    def __init__(self) -> None:
        self._kept: dict[str, Broadcast] = {}
        self._leases: dict[str, tuple[str, float]] = {}
        """broadcast id -> (its holder, until when)."""
        self._counted: set[tuple[str, str, str]] = set()
        """(broadcast id, conversation's digest, kind) of every result counted."""
        self._counters: dict[str, Counter[str]] = {}

    async def create(self, broadcast: Broadcast) -> Broadcast:
        check_broadcast(broadcast)
        if broadcast.id in self._kept:
            raise BroadcastError(f"a broadcast {broadcast.id!r} exists already")
        self._kept[broadcast.id] = broadcast
        return broadcast

    async def get(self, broadcast_id: str) -> Broadcast | None:
        return self._kept.get(check_id(broadcast_id))

    async def of_bot(self, bot: str, limit: int = MAX_LISTED) -> list[Broadcast]:
        check_listing(bot, limit)
        return newest_first((b for b in self._kept.values() if b.bot == bot), limit)

    async def change(
        self, broadcast_id: str, how: Callable[[Broadcast], Broadcast], owner: str = ""
    ) -> Broadcast | None:
        kept = self._kept.get(check_id(broadcast_id))
        if kept is None:
            raise BroadcastNotFound(f"no broadcast {broadcast_id!r}")
        if owner and self._leases.get(broadcast_id, ("", 0.0))[0] != owner:
            return None
        changed = self._kept[broadcast_id] = check_broadcast(how(kept))
        if owner:
            del self._leases[broadcast_id]
        return changed

    async def claim(self, owner: str, now: float, lease: float) -> Broadcast | None:
        free = [b for b in self._kept.values() if self._leases.get(b.id, ("", 0.0))[1] < now]
        wanted = [b for b in free if due(b, now)] + [b for b in free if b.status == SENDING]
        if not wanted:
            return None
        claimed = self._kept[wanted[0].id] = begun(now)(wanted[0])
        self._leases[claimed.id] = (owner, now + lease)
        return claimed

    async def count(self, broadcast_id: str, who: str, kind: str, reason: str = "") -> bool:
        counter, counted = check_result(kind, reason, who), (check_id(broadcast_id), who, kind)
        if broadcast_id not in self._kept or counted in self._counted:
            return False
        self._counted.add(counted)
        self._counters.setdefault(broadcast_id, Counter())[counter] += 1
        return True

    async def results(self, broadcast_id: str) -> Results:
        return tallied(self._counters.get(check_id(broadcast_id), Counter()))

    async def forget_results(self, bot: str, conversation: str) -> int:
        marks = {(b.id, digest(b.id, conversation)) for b in self._kept.values() if b.bot == bot}
        forgotten = {counted for counted in self._counted if counted[:2] in marks}
        self._counted -= forgotten
        return len(forgotten)

    async def close(self) -> None:
        """Nothing to release."""
