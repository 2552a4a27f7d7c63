"""The reference ticket store: plain dicts in one process's memory (the contract suite's
yardstick and the test double). No method awaits, so on one event loop each runs whole: two
changes to one ticket never interleave, and numbers are never given twice."""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from framework.stores.ticket_rules import (
    MAX_NUMBER,
    Change,
    check_query,
    commenting,
    could_exist,
    existing,
    matches,
    moving,
    opened,
)
from framework.stores.tickets import FIRST_NUMBER, NewTicket, Ticket

__all__ = ["MemoryTickets"]


class MemoryTickets:
    def __init__(self) -> None:
        self._tickets: dict[tuple[str, int], Ticket] = {}
        self._last: dict[str, int] = {}
        """bot -> the last number it gave."""
        self._keys: dict[tuple[str, str], int] = {}
        """(bot, key) -> the number of the ticket opened with that key."""

    async def create(self, ticket: NewTicket, now: float) -> Ticket:
        draft = opened(ticket, now)
        known = self._keys.get((draft.bot, draft.key)) if draft.key else None
        if known is not None:
            return self._tickets[draft.bot, known]
        number = self._last[draft.bot] = self._last.get(draft.bot, FIRST_NUMBER - 1) + 1
        if draft.key:
            self._keys[draft.bot, draft.key] = number
        stored = self._tickets[draft.bot, number] = draft.changed(number=number)
        return stored

    def _find(self, bot: str, number: int) -> Ticket | None:
        return self._tickets.get((bot, number)) if could_exist(bot, number) else None

    async def get(self, bot: str, number: int) -> Ticket | None:
        return self._find(bot, number)

    async def list(
        self,
        bot: str,
        statuses: AbstractSet[str] | None = None,
        conversation: str | None = None,
        limit: int = 50,
        before_number: int | None = None,
    ) -> list[Ticket]:
        conversation = check_query(bot, statuses, conversation, limit, before_number)
        below = MAX_NUMBER if before_number is None else before_number
        found = [
            ticket
            for (of, number), ticket in self._tickets.items()
            if of == bot and number < below and matches(ticket, statuses, conversation)
        ]
        return sorted(found, key=lambda ticket: ticket.number, reverse=True)[:limit]

    def _change(self, bot: str, number: int, change: Change) -> Ticket:
        new = self._tickets[bot, number] = change(existing(self._find(bot, number), bot, number))
        return new

    async def comment(
        self, bot: str, number: int, by: str, text: str, public: bool, now: float
    ) -> Ticket:
        return self._change(bot, number, commenting(by, text, public, now))

    async def set_status(
        self, bot: str, number: int, status: str, by: str, now: float, note: str | None = None
    ) -> Ticket:
        return self._change(bot, number, moving(status, by, now, note))

    async def erase_conversation(self, bot: str, conversation: str) -> int:
        gone = [
            n
            for (of, n), t in self._tickets.items()
            if of == bot and t.conversation == conversation
        ]
        for number in gone:
            del self._tickets[bot, number]
        self._keys = {k: n for k, n in self._keys.items() if k[0] != bot or n not in gone}
        return len(gone)

    async def close(self) -> None:
        """Nothing to release."""
