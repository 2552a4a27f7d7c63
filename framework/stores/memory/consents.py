"""The reference consent ledger: plain dicts and sorted lists in one process's memory (the
contract suite's yardstick and the test double). No method awaits, so on one event loop each
runs whole: a STOP's withdrawals are written together, and of two STOPs at once the second
finds nothing granted.

A purpose's holders are kept sorted by conversation (as SQLite's index and Redis's sorted set
keep them), so a page of `holders` is a bisection and a slice, however many there are."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from framework.stores import consent_rules as rules
from framework.stores.consents import Consent, Holder

__all__ = ["MemoryConsents"]


class MemoryConsents:
    def __init__(self) -> None:
        self._ledger: dict[tuple[str, str], list[Consent]] = {}
        """(bot, conversation) -> its entries, oldest first."""
        self._current: dict[tuple[str, str], dict[str, Consent]] = {}
        """(bot, conversation) -> purpose -> its latest entry."""
        self._holders: dict[tuple[str, str], dict[str, Holder]] = {}
        """(bot, purpose) -> conversation -> its holding."""
        self._sorted: dict[tuple[str, str], list[str]] = {}
        """(bot, purpose) -> its holders' conversations, sorted."""

    def _hold(self, bot: str, purpose: str, holder: Holder | None, conversation: str) -> None:
        """The conversation's holding of the purpose becomes `holder` (None: none)."""
        index = (bot, purpose)
        held, ordered = self._holders.setdefault(index, {}), self._sorted.setdefault(index, [])
        if conversation in held:
            del held[conversation]
            del ordered[bisect.bisect_left(ordered, conversation)]
        if holder is not None:
            held[conversation] = holder
            bisect.insort(ordered, conversation)
        if not held:
            del self._holders[index], self._sorted[index]

    def _append(self, entry: Consent) -> Consent:
        key = (entry.bot, entry.conversation)
        self._ledger.setdefault(key, []).append(entry)
        self._current.setdefault(key, {})[entry.purpose] = entry
        was = self._holders.get((entry.bot, entry.purpose), {}).get(entry.conversation)
        now = rules.holding(was, entry)
        if now is not was:
            self._hold(entry.bot, entry.purpose, now, entry.conversation)
        return entry

    async def record(self, entry: Consent) -> Consent:
        return self._append(rules.check_entry(entry))

    async def current(self, bot: str, conversation: str) -> dict[str, Consent]:
        return dict(self._current.get(rules.check_key(bot, conversation), {}))

    async def history(self, bot: str, conversation: str, limit: int = 200) -> list[Consent]:
        bot, conversation, limit = rules.check_history(bot, conversation, limit)
        return self._ledger.get((bot, conversation), [])[:limit]

    async def holders(
        self, bot: str, purpose: str, after: str = "", limit: int = 1000
    ) -> list[Holder]:
        bot, purpose, after, limit = rules.check_holders(bot, purpose, after, limit)
        ordered = self._sorted.get((bot, purpose), [])
        start = bisect.bisect_right(ordered, after)
        held = self._holders.get((bot, purpose), {})
        return [held[conversation] for conversation in ordered[start : start + limit]]

    async def held(
        self, bot: str, conversations: Sequence[str], purposes: Sequence[str]
    ) -> dict[str, frozenset[str]]:
        bot, names, wanted = rules.check_held(bot, conversations, purposes)
        return rules.grouped(
            (conversation, purpose)
            for purpose in wanted
            for conversation in names
            if conversation in self._holders.get((bot, purpose), {})
        )

    async def withdraw_all(
        self,
        bot: str,
        conversation: str,
        text: str,
        channel: str,
        source: str,
        at: float,
        purposes_prefix: str = "",
    ) -> list[Consent]:
        stop = rules.check_stop(bot, conversation, text, channel, source, at, purposes_prefix)
        current = self._current.get((stop.bot, stop.conversation), {})
        return [self._append(entry) for entry in stop.withdrawals(current)]

    async def erase(self, bot: str, conversation: str) -> int:
        key = rules.check_key(bot, conversation)
        for purpose in self._current.pop(key, {}):
            self._hold(key[0], purpose, None, key[1])
        return len(self._ledger.pop(key, []))

    async def close(self) -> None:
        """Nothing to release."""
