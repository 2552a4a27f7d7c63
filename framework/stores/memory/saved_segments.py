"""The reference saved segment store: a dict in one process's memory (the contract suite's
yardstick and the test double). No method awaits, so each runs whole."""

from __future__ import annotations

from framework.stores.saved_segments import (
    MAX_LISTED,
    MAX_PER_BOT,
    SavedSegment,
    TooManySegments,
    check_bot,
    check_listing,
    check_name,
    replacing,
)

__all__ = ["MemorySavedSegments"]


class MemorySavedSegments:
    def __init__(self) -> None:
        self._kept: dict[str, dict[str, SavedSegment]] = {}
        """Bot -> name -> its saved segment."""

    async def save(self, segment: SavedSegment) -> SavedSegment:
        kept = self._kept.setdefault(check_bot(segment.bot), {})
        old = kept.get(check_name(segment.name))
        if old is None and len(kept) >= MAX_PER_BOT:
            raise TooManySegments.of(segment.bot)
        kept[segment.name] = replacing(old, segment)
        return kept[segment.name]

    async def get(self, bot: str, name: str) -> SavedSegment | None:
        return self._kept.get(check_bot(bot), {}).get(check_name(name))

    async def of_bot(self, bot: str, limit: int = MAX_LISTED) -> list[SavedSegment]:
        bot, limit = check_listing(bot, limit)
        kept = self._kept.get(bot, {})
        return [kept[name] for name in sorted(kept)[:limit]]

    async def delete(self, bot: str, name: str) -> bool:
        return self._kept.get(check_bot(bot), {}).pop(check_name(name), None) is not None

    async def close(self) -> None:
        return None
