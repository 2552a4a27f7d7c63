"""The reference reach store: dicts in one process's memory (the contract suite's yardstick
and the test double). No method awaits, so on one event loop each runs whole: `reach` counts
and takes in one go."""

from __future__ import annotations

from collections.abc import Sequence

from framework.stores.reach import KEPT, Marks, check_broadcast_id, check_page, check_take

__all__ = ["MemoryReach"]


class MemoryReach:
    def __init__(self) -> None:
        self._sent: dict[tuple[str, str], dict[str, float]] = {}
        """(bot, conversation) -> marketing broadcast id -> when."""
        self._held: dict[tuple[str, str], float] = {}
        self._reached: dict[tuple[str, str], dict[str, float]] = {}
        """(bot, channel) -> conversation -> when it was last reached."""

    async def marks(self, bot: str, conversations: Sequence[str], since: float) -> dict[str, Marks]:
        bot, names, since = check_page(bot, conversations, since)
        found = {}
        for conversation in names:
            sent = self._sent.get((bot, conversation), {})
            held = self._held.get((bot, conversation), 0.0)
            if sent or held:
                recent = {b: at for b, at in sent.items() if at >= since}
                found[conversation] = Marks(recent, held)
        return found

    async def marketed(
        self, bot: str, broadcast: str, conversations: Sequence[str], at: float
    ) -> None:
        bot, names, at = check_page(bot, conversations, at)
        check_broadcast_id(broadcast)
        for conversation in names:
            kept = self._sent.get((bot, conversation), {})
            fresh = {b: when for b, when in kept.items() if when >= at - KEPT}
            self._sent[bot, conversation] = {broadcast: at} | fresh

    async def hold(self, bot: str, conversation: str, until: float) -> None:
        bot, _, until = check_page(bot, [conversation], until)
        self._held[bot, conversation] = max(until, self._held.get((bot, conversation), 0.0))

    async def reach(
        self,
        bot: str,
        channel: str,
        conversations: Sequence[str],
        since: float,
        at: float,
        limit: int,
    ) -> int:
        bot, channel, names, since, at, limit = check_take(
            bot, channel, conversations, since, at, limit
        )
        kept = self._reached.get((bot, channel), {})
        reached = self._reached[bot, channel] = {c: t for c, t in kept.items() if t >= since}
        for taken, conversation in enumerate(names):
            if conversation not in reached and len(reached) >= limit:
                return taken
            reached[conversation] = max(at, reached.get(conversation, at))
        return len(names)

    async def close(self) -> None:
        """Nothing to release."""
