"""The reference contact store: dicts in one process's memory (the contract suite's yardstick
and the test double). No method awaits, so on one event loop each runs whole."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace

from framework.stores.contact_links import (
    check_code,
    check_moments,
    joined,
    link_outcome,
    parted,
)
from framework.stores.contact_rules import (
    changed,
    check_change,
    check_many,
    check_one,
    check_page,
    new_id,
)
from framework.stores.contacts import LINKED, UNKNOWN, Contact, ContactChange, Link

__all__ = ["MemoryContacts"]


class MemoryContacts:
    def __init__(self) -> None:
        self._contacts: dict[tuple[str, str], Contact] = {}
        """(bot, contact id) -> the contact."""
        self._ids: dict[tuple[str, str], str] = {}
        """(bot, conversation) -> its contact's id."""
        self._codes: dict[tuple[str, str], tuple[str, float]] = {}
        """(bot, a link code's hash) -> the conversation that offered it, until when."""
        self._code_of: dict[tuple[str, str], str] = {}
        """(bot, conversation) -> the hash of the link code it offered."""

    def _of(self, bot: str, conversation: str) -> Contact | None:
        contact_id = self._ids.get((bot, conversation))
        return None if contact_id is None else self._contacts[bot, contact_id]

    def _keep(self, contact: Contact) -> None:
        self._contacts[contact.bot, contact.id] = contact
        for conversation in contact.conversations:
            self._ids[contact.bot, conversation] = contact.id

    def _drop_code(self, bot: str, conversation: str) -> None:
        code = self._code_of.pop((bot, conversation), None)
        if code is not None:
            self._codes.pop((bot, code), None)

    async def update(
        self, bot: str, conversation: str, change: ContactChange, at: float
    ) -> Contact:
        bot, conversation = check_one(bot, conversation)
        made = changed(
            self._of(bot, conversation), bot, conversation, check_change(change), at, new_id()
        )
        self._keep(made)
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

    async def offer(
        self, bot: str, conversation: str, code: str, expires: float, at: float
    ) -> None:
        bot, conversation = check_one(bot, conversation)
        code, (expires, at) = check_code(code), check_moments(expires, at)
        for (of, old), (offering, until) in list(self._codes.items()):
            if until <= at:
                del self._codes[of, old], self._code_of[of, offering]
        self._drop_code(bot, conversation)
        self._codes[bot, code] = (conversation, expires)
        self._code_of[bot, conversation] = code

    async def link(self, bot: str, conversation: str, code: str, at: float) -> Link:
        bot, conversation = check_one(bot, conversation)
        code, (at,) = check_code(code), check_moments(at)
        offering, until = self._codes.get((bot, code), ("", 0.0))
        if not offering or until <= at:
            return Link(UNKNOWN)
        offered, taker = self._of(bot, offering), self._of(bot, conversation)
        outcome = link_outcome(offered, offering, taker, conversation)
        if outcome != LINKED:
            return Link(outcome, taker)
        made = joined(offered, offering, taker, conversation, bot, at, (new_id(), new_id()))
        for gone in (offered, taker):
            if gone is not None and gone.id != made.id:
                del self._contacts[bot, gone.id]
        self._keep(made)
        self._drop_code(bot, offering)
        return Link(LINKED, made)

    async def unlink(self, bot: str, conversation: str, at: float) -> Contact | None:
        bot, conversation = check_one(bot, conversation)
        (at,) = check_moments(at)
        contact = self._of(bot, conversation)
        if contact is None or len(contact.conversations) < 2:
            return None
        rest, alone = parted(contact, conversation, at, new_id())
        self._keep(rest)
        self._keep(alone)
        return alone

    async def forget(self, bot: str, conversation: str) -> int:
        bot, conversation = check_one(bot, conversation)
        self._drop_code(bot, conversation)
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
