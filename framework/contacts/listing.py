"""A bot's contacts listed by what the business asks for — tags (all of several), a consent
purpose held, a language, a channel, seen since a time, a text searched — page by page, on top
of the contact store's `page` (written once for every backend: a store pages by conversation
and knows nothing of filters). `theke contacts list`, `GET /admin/contacts` and the contacts
page all list through here.

A list goes through the contacts in conversation order and stops when it has `limit` that
match, or after SCANNED without, so a rare tag costs a bounded read per call; `after` of the
result is where the next call goes on ("" when the end was reached). A purpose asks the
consent ledger once per page read (`held`, for every conversation of the page's contacts): a
contact holds it when any of its conversations does. A contact that joins several
conversations is listed once, under its first.
"""

from __future__ import annotations

from dataclasses import dataclass

from framework.stores.consents import ConsentStore
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
    purpose: str = ""
    """A consent purpose one of its conversations holds now (`marketing`, `notify:<topic>`)."""
    seen_since: float = 0.0
    """Wrote at this time (Unix seconds) or later."""
    search: str = ""
    """A text in a conversation's customer id (the phone number, the Telegram or web chat id)
    or in a noted answer (a name or a city a flow keeps), case aside."""

    def admits(self, contact: Contact) -> bool:
        """Everything but the purpose, which the ledger answers (`listed`)."""
        channels = {c.split(":", 2)[1] for c in contact.conversations if c.count(":") >= 2}
        return (
            set(self.tags).issubset(contact.tags)
            and (not self.lang or contact.lang == self.lang)
            and (not self.channel or self.channel in channels)
            and (not self.seen_since or contact.last_seen >= self.seen_since)
            and (not self.search or self._found_in(contact))
        )

    def _found_in(self, contact: Contact) -> bool:
        wanted = self.search.casefold()
        ids = (c.split(":", 2)[-1] for c in contact.conversations)
        return any(wanted in text.casefold() for text in (*ids, *contact.answers.values()))


@dataclass(frozen=True, slots=True)
class Listed:
    contacts: list[Contact]
    after: str
    """The conversation the next page starts after ("": there is no more)."""


async def listed(
    store: ContactStore,
    bot: str,
    wanted: Wanted,
    after: str = "",
    limit: int = 50,
    consents: ConsentStore | None = None,
) -> Listed:
    """A page of the contacts `wanted` admits; `consents` is needed when it names a purpose."""
    if wanted.purpose and consents is None:
        raise ValueError("listing by a purpose needs the consent ledger")
    found: list[Contact] = []
    scanned = 0
    while scanned < SCANNED:
        page = await store.page(bot, after, PAGE)
        holding = await _holding(consents, bot, wanted.purpose, page)
        for contact in page:
            after = _conversation_of(contact, after)
            scanned += 1
            if _first(contact, after) and wanted.admits(contact) and holding(contact):
                found.append(contact)
                if len(found) == limit:
                    return Listed(found, after)
        if len(page) < PAGE:
            return Listed(found, "")
    return Listed(found, after)


async def _holding(
    consents: ConsentStore | None, bot: str, purpose: str, page: list[Contact]
) -> _Holds:
    if not purpose or consents is None:
        return _Holds(None)
    conversations = sorted({c for contact in page for c in contact.conversations})
    holders: set[str] = set()
    for start in range(0, len(conversations), HELD_AT_ONCE):
        held = await consents.held(bot, conversations[start : start + HELD_AT_ONCE], [purpose])
        holders.update(held)
    return _Holds(frozenset(holders))


HELD_AT_ONCE = 5000
"""Conversations one `held` call names at most (the ledger's limit)."""


@dataclass(frozen=True, slots=True)
class _Holds:
    holders: frozenset[str] | None
    """The conversations holding the purpose (None: no purpose asked)."""

    def __call__(self, contact: Contact) -> bool:
        return self.holders is None or not self.holders.isdisjoint(contact.conversations)


def _first(contact: Contact, conversation: str) -> bool:
    """Whether the store listed the contact under its first conversation: a contact of several
    conversations comes once per conversation (`ContactStore.page`) and is listed once."""
    return conversation == min(contact.conversations, default=conversation)


def _conversation_of(contact: Contact, after: str) -> str:
    """The conversation a contact was listed under: the first of its after `after`."""
    return min((c for c in contact.conversations if c > after), default=after)
