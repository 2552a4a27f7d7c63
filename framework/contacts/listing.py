"""A bot's contacts listed by what the business asks for — a tag (all of several), a language,
a channel — page by page, on top of the contact store's `page` (written once for every
backend: a store pages by conversation and knows nothing of filters).

A list goes through the contacts in conversation order and stops when it has `limit` that
match, or after SCANNED without, so a rare tag costs a bounded read per call; `after` of the
result is where the next call goes on ("" when the end was reached).
"""

from __future__ import annotations

from dataclasses import dataclass

from framework.stores.contacts import Contact, ContactStore

__all__ = ["PAGE", "SCANNED", "Listed", "Wanted", "listed"]

PAGE = 500
"""Contacts read from the store at once."""
SCANNED = 100_000
"""Contacts one list reads at most before it gives back what it found."""


@dataclass(frozen=True, slots=True)
class Wanted:
    """Which contacts a list shows (empty fields: any)."""

    tags: tuple[str, ...] = ()
    """Every one of these."""
    lang: str = ""
    channel: str = ""

    def admits(self, contact: Contact) -> bool:
        channels = {c.split(":", 2)[1] for c in contact.conversations if c.count(":") >= 2}
        return (
            set(self.tags).issubset(contact.tags)
            and (not self.lang or contact.lang == self.lang)
            and (not self.channel or self.channel in channels)
        )


@dataclass(frozen=True, slots=True)
class Listed:
    contacts: list[Contact]
    after: str
    """The conversation the next page starts after ("": there is no more)."""


async def listed(
    store: ContactStore, bot: str, wanted: Wanted, after: str = "", limit: int = 50
) -> Listed:
    found: list[Contact] = []
    scanned = 0
    while scanned < SCANNED:
        page = await store.page(bot, after, PAGE)
        for contact in page:
            after = _conversation_of(contact, after)
            scanned += 1
            if wanted.admits(contact):
                found.append(contact)
                if len(found) == limit:
                    return Listed(found, after)
        if len(page) < PAGE:
            return Listed(found, "")
    return Listed(found, after)


def _conversation_of(contact: Contact, after: str) -> str:
    """The conversation a contact was listed under: the first of its after `after`."""
    return min((c for c in contact.conversations if c > after), default=after)
