"""One contact as the business reads it (`GET /admin/contacts/{key}`, the contact's page): what
the contact store knows, each of its conversations with its channel, when the customer last
wrote there and — on WhatsApp — until when the 24-hour window is open, and each conversation's
consents now and its whole ledger, oldest first. Plain data; nothing here changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from framework.stores.consents import Consent, ConsentStore
from framework.stores.contacts import Contact, ContactStore
from framework.stores.records import SessionKey

__all__ = ["LEDGER", "WINDOW", "Conversation", "Shown", "shown"]

WINDOW = 24 * 3600.0
"""WhatsApp's customer-service window: free-form messages within a day of the customer's."""
LEDGER = 1000
"""Ledger entries shown a conversation at most (as many as the export: the store's most)."""


@dataclass(frozen=True, slots=True)
class Conversation:
    key: SessionKey
    last_wrote: float
    """When the customer last wrote on this channel (0: never)."""
    current: list[Consent]
    """The latest entry per purpose, by purpose."""
    ledger: list[Consent]

    @property
    def window_until(self) -> float | None:
        """WhatsApp's window's end (None elsewhere, or before the customer wrote)."""
        if self.key.channel != "whatsapp" or not self.last_wrote:
            return None
        return self.last_wrote + WINDOW

    def to_json(self) -> dict[str, Any]:
        return {
            "conversation": str(self.key),
            "channel": self.key.channel,
            "customer": self.key.customer,
            "last_wrote": self.last_wrote or None,
            "window_until": self.window_until,
            "consents": {entry.purpose: entry.to_json() for entry in self.current},
            "ledger": [entry.to_json() for entry in self.ledger],
        }


@dataclass(frozen=True, slots=True)
class Shown:
    key: SessionKey
    """The conversation asked for."""
    contact: Contact | None
    """None: the customer never wrote (a consent imported for them, say)."""
    conversations: list[Conversation]

    @property
    def known(self) -> bool:
        """Whether the stores know anything of it: it wrote, or agreed to something."""
        return self.contact is not None or any(each.ledger for each in self.conversations)

    def to_json(self) -> dict[str, Any]:
        return {
            "conversation": str(self.key),
            "contact": None if self.contact is None else self.contact.to_json(),
            "conversations": [each.to_json() for each in self.conversations],
        }


async def shown(contacts: ContactStore, consents: ConsentStore, key: SessionKey) -> Shown:
    """The contact of `key` with every conversation it joins (only `key` when it has none)."""
    contact = (await contacts.many(key.bot, [str(key)])).get(str(key))
    joined = contact.conversations if contact is not None else (str(key),)
    inbound = contact.inbound if contact is not None else {}
    conversations = []
    for conversation in joined:
        each = SessionKey.parse(conversation)
        current = await consents.current(key.bot, conversation)
        conversations.append(
            Conversation(
                each,
                inbound.get(each.channel, 0.0),
                [current[purpose] for purpose in sorted(current)],
                await consents.history(key.bot, conversation, LEDGER),
            )
        )
    return Shown(key, contact, conversations)
