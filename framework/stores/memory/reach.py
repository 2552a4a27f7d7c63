"""The reference reach store: dicts in one process's memory (the contract suite's yardstick
and the test double). No method awaits, so on one event loop each runs whole: `reach` counts
and takes in one go."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from framework.stores.reach import (
    KEPT,
    Kept,
    Marks,
    check_broadcast_id,
    check_marked,
    check_once,
    check_one,
    check_ordered,
    check_page,
    check_take,
    numbered,
    stand_in,
)

__all__ = ["MemoryReach"]


class MemoryReach:
    def __init__(self) -> None:
        self._sent: dict[tuple[str, str], dict[str, float]] = {}
        """(bot, conversation) -> marketing broadcast id -> when."""
        self._held: dict[tuple[str, str], float] = {}
        self._reached: dict[tuple[str, str], dict[str, float]] = {}
        """(bot, channel) -> conversation -> when it was last reached."""
        self._once: dict[tuple[str, str], tuple[str, float]] = {}
        """(bot, digest) -> its value and until when it is kept."""
        self._numbers: dict[str, int] = {}
        """Bot -> the last number `ordered` gave (this process's count never ends)."""

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

    async def once(
        self, bot: str, marks: Mapping[str, str], at: float, until: float
    ) -> dict[str, str]:
        bot, marks, at, until = check_once(bot, marks, at, until)
        self._once = {key: kept for key, kept in self._once.items() if kept[1] > at}
        for digest, value in marks.items():
            self._once.setdefault((bot, digest), (value, until))
        return {digest: self._once[bot, digest][0] for digest in marks}

    async def marked(self, bot: str, digests: Sequence[str], at: float) -> dict[str, str]:
        bot, names, at = check_marked(bot, digests, at)
        found = {digest: self._once.get((bot, digest), ("", 0.0)) for digest in names}
        return {digest: value for digest, (value, until) in found.items() if until > at}

    async def ordered(self, bot: str, digest: str, at: float, until: float) -> str:
        bot, digest, at, until = check_ordered(bot, digest, at, until)
        value, kept = self._once.get((bot, digest), ("", 0.0))
        if kept > at:
            return value
        self._numbers[bot] = self._numbers.get(bot, 0) + 1
        self._once[bot, digest] = (numbered(self._numbers[bot]), until)
        return self._once[bot, digest][0]

    async def kept(self, bot: str, conversation: str) -> Kept | None:
        key = check_one(bot, conversation)
        sent, held = self._sent.get(key, {}), self._held.get(key, 0.0)
        reached = {
            channel: found[key[1]]
            for (of, channel), found in self._reached.items()
            if of == key[0] and key[1] in found
        }
        return Kept(dict(sent), held, reached) if sent or held or reached else None

    async def forget(self, bot: str, conversation: str) -> int:
        key = check_one(bot, conversation)
        count = len(self._sent.pop(key, {})) + (self._held.pop(key, None) is not None)
        instead = stand_in()
        for (of, _), found in self._reached.items():
            if of == key[0] and key[1] in found:
                found[instead] = found.pop(key[1])
                count += 1
        return count

    async def close(self) -> None:
        """Nothing to release."""
