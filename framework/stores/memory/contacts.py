"""The reference contact store: dicts in one process's memory (the contract suite's yardstick
and the test double). No method awaits, so on one event loop each runs whole."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace

from framework.stores.contact_rules import (
    changed,
    check_change,
    check_many,
    check_one,
    check_page,
    new_id,
)
from framework.stores.contacts import Contact, ContactChange

__all__ = ["MemoryContacts"]


class MemoryContacts:
    def __init__(self) -> None:
        self._contacts: dict[tuple[str, str], Contact] = {}
        """(bot, contact id) -> the contact."""
        self._ids: dict[tuple[str, str], str] = {}
        """(bot, conversation) -> its contact's id."""

    async def update(
        self, bot: str, conversation: str, change: ContactChange, at: float
    ) -> Contact:
        bot, conversation = check_one(bot, conversation)
        contact_id = self._ids.get((bot, conversation))
        kept = None if contact_id is None else self._contacts[bot, contact_id]
        made = changed(kept, bot, conversation, check_change(change), at, new_id())
        self._contacts[bot, made.id] = made
        self._ids[bot, conversation] = made.id
        return made

    async def many(self, bot: str, conversations: Sequence[str]) -> dict[str, Contact]:
        bot, names = check_many(bot, conversations)
        found = {}
        for conversation in names:
            contact_id = self._ids.get((bot, conversation))
            if contact_id is not None:
                found[conversation] = self._contacts[bot, contact_id]
        return found

    async def page(self, bot: str, after: str = "", limit: int = 100) -> list[Contact]:
        bot, after, limit = check_page(bot, after, limit)
        names = sorted(conversation for of, conversation in self._ids if of == bot)
        chosen = names[bisect_right(names, after) :][:limit]
        return [self._contacts[bot, self._ids[bot, conversation]] for conversation in chosen]

    async def forget(self, bot: str, conversation: str) -> int:
        bot, conversation = check_one(bot, conversation)
        contact_id = self._ids.pop((bot, conversation), None)
        if contact_id is None:
            return 0
        contact = self._contacts.pop((bot, contact_id))
        rest = tuple(c for c in contact.conversations if c != conversation)
        if rest:
            self._contacts[bot, contact_id] = replace(contact, conversations=rest)
            return 0
        return 1

    async def close(self) -> None:
        """Nothing to release."""
