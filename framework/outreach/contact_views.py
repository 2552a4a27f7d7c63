"""What the contacts pages show, read from the consent ledger the notify API, the broadcasts and
the privacy API use: the conversations holding a purpose (searched, by channel, a page at a
time) and one conversation's ledger. Plain data for the templates; nothing here changes
anything.

The list walks the ledger's `holders` of one purpose, ordered by conversation (the session key
`bot:channel:customer`): a channel is a range of keys, so a channel's page starts at its first
key and ends at its last; a search by the customer's id reads at most SCANNED holders a page
and says where it stopped, so a page costs the same with a million holders.

A contact's language, time zone, tags, noted answers, when it was seen and the last message
per channel come from the contact store (framework/stores/contacts.py), which the app keeps
under CONTACT_STORE for these pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from aiohttp import web

from framework.errors import BadRequest
from framework.stores.consents import MARKETING, NOTIFY, Consent, ConsentStore, Holder
from framework.stores.contacts import Contact as Profile
from framework.stores.contacts import ContactStore
from framework.stores.records import SessionKey

__all__ = [
    "CONTACT_STORE",
    "PAGE",
    "SCANNED",
    "Asked",
    "Contact",
    "Listing",
    "asked",
    "contact",
    "contact_href",
    "listing",
    "profile",
]

CONTACT_STORE = web.AppKey("outreach_contacts", ContactStore)
"""The deployment's contact store, for these pages (framework/app.py keeps it here)."""
PAGE = 25
"""Conversations a page lists."""
SCANNED = 10_000
"""Holders a page reads at most while it searches."""
READ = 1000
"""Holders read from the store at once."""
MAX_SEARCH = 64
LEDGER = 1000
"""Ledger entries a contact's page shows at most (as many as the export: the store's most)."""
_PURPOSE = re.compile(r"[A-Za-z0-9:._-]{1,210}")


def contact_href(key: str) -> str:
    return f"/inbox/contacts/{quote(key, safe='')}"


@dataclass(frozen=True, slots=True)
class Asked:
    """What a contacts page was asked for: the bot, the purpose, the channel ("" any), the
    text searched in the customer's id ("" none), and the conversation the page starts after."""

    bot: str
    purpose: str = MARKETING
    channel: str = ""
    search: str = ""
    after: str = ""

    def link(self, **changes: str) -> str:
        query = {
            "bot": self.bot,
            "purpose": self.purpose,
            "channel": self.channel,
            "q": self.search,
            "after": self.after,
        }
        query |= {"q" if name == "search" else name: value for name, value in changes.items()}
        return "/inbox/contacts?" + urlencode({k: v for k, v in query.items() if v})

    @property
    def start(self) -> str:
        """Where reading the holders starts: after `after`, and not before the channel's keys."""
        first = f"{self.bot}:{self.channel}:" if self.channel else ""
        return max(self.after, first)

    def admits(self, conversation: str) -> bool:
        key = SessionKey.parse(conversation)
        if self.channel and key.channel != self.channel:
            return False
        return self.search.casefold() in key.customer.casefold()


def asked(bot: str, query: dict[str, str], channels: list[str]) -> Asked:
    """The page's query checked: BadRequest naming what is wrong."""
    purpose = query.get("purpose", "").strip() or MARKETING
    valid = purpose == MARKETING or (purpose.startswith(NOTIFY) and len(purpose) > len(NOTIFY))
    if not (valid and _PURPOSE.fullmatch(purpose)):
        raise BadRequest("Purpose: marketing or notify:<topic> (letters, digits and :._-).")
    channel = query.get("channel", "")
    if channel and channel not in channels:
        raise BadRequest(f"Channel: one of {', '.join(channels)}, or any.")
    search = query.get("q", "").strip()
    if len(search) > MAX_SEARCH:
        raise BadRequest(f"Search: at most {MAX_SEARCH} characters of the customer's id.")
    after = query.get("after", "")
    if after and not after.startswith(f"{bot}:"):
        raise BadRequest("after: a conversation of this bot (the page before's last)")
    return Asked(bot, purpose, channel, search, after[:1024])


@dataclass(frozen=True, slots=True)
class Row:
    holder: Holder
    key: SessionKey
    href: str


@dataclass(slots=True)
class Listing:
    rows: list[Row] = field(default_factory=list)
    next_after: str = ""
    """Where the next page starts ("" when this is the last)."""
    stopped: bool = False
    """The search read SCANNED holders and stopped: the next page goes on from there."""


async def listing(consents: ConsentStore, wanted: Asked) -> Listing:
    """A page of the conversations holding `wanted.purpose` that it admits."""
    found, after, scanned = Listing(), wanted.start, 0
    prefix = f"{wanted.bot}:{wanted.channel}:" if wanted.channel else f"{wanted.bot}:"
    while page := await consents.holders(wanted.bot, wanted.purpose, after, READ):
        for holder in page:
            after, scanned = holder.conversation, scanned + 1
            if not holder.conversation.startswith(prefix):
                return found  # past the channel's keys
            if wanted.admits(holder.conversation):
                if len(found.rows) == PAGE:
                    found.next_after = found.rows[-1].holder.conversation
                    return found
                key = SessionKey.parse(holder.conversation)
                found.rows.append(Row(holder, key, contact_href(holder.conversation)))
            if scanned >= SCANNED:
                found.next_after, found.stopped = after, True
                return found
    return found


async def profile(contacts: ContactStore, bot: str, key: str) -> Profile | None:
    """What the contact store knows of the conversation's customer (None: nothing yet)."""
    return (await contacts.many(bot, [key])).get(key)


@dataclass(frozen=True, slots=True)
class Contact:
    """One conversation: its ledger (oldest first), its current consent per purpose, and what
    the contact store knows."""

    key: SessionKey
    href: str
    ledger: list[Consent]
    current: list[Consent]
    profile: Profile | None


async def contact(consents: ConsentStore, contacts: ContactStore, key: SessionKey) -> Contact:
    conversation = str(key)
    current = await consents.current(key.bot, conversation)
    return Contact(
        key,
        contact_href(conversation),
        await consents.history(key.bot, conversation, LEDGER),
        [current[purpose] for purpose in sorted(current)],
        await profile(contacts, key.bot, conversation),
    )
