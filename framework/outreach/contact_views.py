"""What the contacts pages show: a bot's contacts as the admin API lists them (by tags, a
consent purpose held, language, channel, seen since, a text searched; framework/contacts/
listing.py, the query checked by asking.py), a page at a time, and the links between the pages.
Plain data for the templates; nothing here changes anything.

The filters travel as GET parameters (a filtered view can be bookmarked), named as the admin
API names them; the form's one Tags field may hold several tags apart by spaces or commas, and
a repeated `tag` works as in the API. The form shows the filters as they were typed, also when
one of them is wrong.

A contact's language, time zone, tags, noted answers, when it was seen and the last message
per channel come from the contact store (framework/stores/contacts.py), which the app keeps
under CONTACT_STORE for these pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from aiohttp import web
from multidict import MultiMapping

from framework.contacts.asking import Asked
from framework.contacts.listing import listed
from framework.stores.consents import ConsentStore
from framework.stores.contacts import Contact, ContactStore
from framework.stores.records import SessionKey

__all__ = ["CONTACT_STORE", "PAGE", "Filters", "Listing", "Row", "contact_href", "listing", "pairs"]

CONTACT_STORE = web.AppKey("outreach_contacts", ContactStore)
"""The deployment's contact store, for these pages (framework/app.py keeps it here)."""
PAGE = 25
"""Contacts a page lists."""
LIST = "/inbox/contacts"
DONE = "done"
_APART = re.compile(r"[\s,]+")


def contact_href(key: str) -> str:
    return f"{LIST}/{quote(key, safe='')}"


@dataclass(frozen=True, slots=True)
class Filters:
    """The list's filters as the form sent them (the text typed, not yet checked)."""

    bot: str
    tags: str = ""
    purpose: str = ""
    lang: str = ""
    channel: str = ""
    seen_since: str = ""
    q: str = ""
    after: str = ""

    @classmethod
    def of(cls, bot: str, query: MultiMapping[str]) -> Filters:
        def last(name: str) -> str:  # as asking.py reads a name given twice
            return query.getall(name, [""])[-1]

        return cls(
            bot,
            tags=" ".join(query.getall("tag", [])).strip(),
            purpose=last("purpose"),
            lang=last("lang"),
            channel=last("channel"),
            seen_since=last("seen_since"),
            q=last("q"),
            after=last("after"),
        )

    @property
    def narrowed(self) -> bool:
        return any((self.tags, self.purpose, self.lang, self.channel, self.seen_since, self.q))

    @property
    def cleared(self) -> str:
        """The list's first page without filters."""
        return Filters(self.bot).link()

    def link(self, after: str = "", **extra: str) -> str:
        """This list's address: its page after `after` ("" the first), with `extra` added."""
        query = {
            "bot": self.bot,
            "tag": self.tags,
            "purpose": self.purpose,
            "lang": self.lang,
            "channel": self.channel,
            "seen_since": self.seen_since,
            "q": self.q,
            "after": after,
        }
        return f"{LIST}?" + urlencode({k: v for k, v in (query | extra).items() if v})


def pairs(query: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The query as asking.py takes it: each tag of a Tags field its own `tag`, without the
    page's own `done` (what the page was sent back after)."""
    return [
        (name, part)
        for name, value in query
        if name != DONE
        for part in (_APART.split(value.strip()) if name == "tag" else (value,))
    ]


@dataclass(frozen=True, slots=True)
class Row:
    contact: Contact
    keys: list[SessionKey]
    """Its conversations, the first linked to its page."""

    @property
    def href(self) -> str:
        return contact_href(str(self.keys[0]))


@dataclass(slots=True)
class Listing:
    rows: list[Row] = field(default_factory=list)
    after: str = ""
    """Where the next page starts ("" when this is the last)."""

    @property
    def stopped(self) -> bool:
        """The list read its most contacts without filling the page: the next page goes on."""
        return bool(self.after) and len(self.rows) < PAGE


async def listing(
    contacts: ContactStore, consents: ConsentStore, bot: str, query: Asked
) -> Listing:
    """A page of the bot's contacts the query admits."""
    found = await listed(contacts, bot, query.wanted, query.after, PAGE, consents)
    rows = [Row(c, [SessionKey.parse(k) for k in c.conversations]) for c in found.contacts]
    return Listing(rows, found.after)
