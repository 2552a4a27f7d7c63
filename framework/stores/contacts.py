"""The contact store protocol: what a bot knows of a customer beyond one conversation's state —
language, time zone, tags, the answers its flows keep (`note:`), when they were first and last
seen, when they last wrote on each channel (WhatsApp's 24-hour window) and when they last paid
an order.

A contact has an id of its own (`c` and 16 hex digits), apart from the conversations it holds:
each conversation (a session key `bot:channel:customer`) starts as a contact of its own, and
the customer joins their conversations on several channels into one (`offer` a link code in
one, `link` with it in another; contact_links.py has the rules) and splits one off again
(`unlink`). A contact holds at most one conversation per channel.

Every change is one `update` with a `ContactChange` (contact_rules.py applies it, the same in
every backend), so a turn changes its contact in at most one store call. Time is an argument of
every call (no store reads a clock): Unix seconds (UTC), as in every store. Names that enter
from outside (tags, answers, a language, a time zone, a channel) are checked: ContactError says
what is wrong and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from framework.errors import ThekeError
from framework.tags import MAX_TAGS

__all__ = [
    "ALREADY",
    "LINKED",
    "MAX_PAGE",
    "MAX_TAGS",
    "SAME_CHANNEL",
    "UNKNOWN",
    "Contact",
    "ContactChange",
    "ContactError",
    "ContactStore",
    "Link",
]

MAX_PAGE = 1000
"""Contacts one call returns or names at most."""


class ContactError(ThekeError, ValueError):
    """A change or a call the rules refuse (a tag, answer, language, time zone, channel or page
    out of bounds, too many tags or answers); the message says which. Not a StoreError: trying
    again changes nothing."""


@dataclass(frozen=True, slots=True)
class Contact:
    id: str
    bot: str
    conversations: tuple[str, ...]
    """The session keys of the customer's conversations with the bot (sorted; one per
    channel)."""
    lang: str = ""
    """The language the bot last spoke with them ("": not known yet)."""
    timezone: str = ""
    """Their IANA time zone ("": not known, the business's applies: `zone_or`)."""
    tags: tuple[str, ...] = ()
    """Short names the business's flows gave them (sorted, at most MAX_TAGS)."""
    first_seen: float = 0.0
    last_seen: float = 0.0
    """When they last wrote (0: never yet, only tagged or ordered)."""
    inbound: Mapping[str, float] = field(default_factory=dict)
    """Channel -> when they last wrote there (WhatsApp's 24-hour window opens then)."""
    last_order: float = 0.0
    """When they last paid an order (0: never)."""
    answers: Mapping[str, str] = field(default_factory=dict)
    """Answer name -> the answer as text, kept by the flows' `note:` steps (framework/answers.py:
    at most MAX_ANSWERS)."""

    def zone_or(self, default: str) -> str:
        """Their time zone, or the business's when theirs is not known."""
        return self.timezone or default

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "bot": self.bot,
            "conversations": list(self.conversations),
            "lang": self.lang,
            "timezone": self.timezone,
            "tags": list(self.tags),
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "inbound": dict(self.inbound),
            "last_order": self.last_order,
            "answers": dict(sorted(self.answers.items())),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Contact:
        return cls(
            id=data["id"],
            bot=data["bot"],
            conversations=tuple(data["conversations"]),
            lang=data.get("lang", ""),
            timezone=data.get("timezone", ""),
            tags=tuple(data.get("tags", ())),
            first_seen=float(data.get("first_seen", 0.0)),
            last_seen=float(data.get("last_seen", 0.0)),
            inbound={k: float(v) for k, v in data.get("inbound", {}).items()},
            last_order=float(data.get("last_order", 0.0)),
            answers={str(k): str(v) for k, v in data.get("answers", {}).items()},
        )


@dataclass(frozen=True, slots=True)
class ContactChange:
    """What one turn (or the business) changes of a contact; empty fields change nothing."""

    seen_on: str = ""
    """The channel the customer wrote on now: last seen and that channel's window move."""
    lang: str = ""
    timezone: str = ""
    add: tuple[str, ...] = ()
    """Tags given (after `remove` is applied, a tag in both is kept)."""
    remove: tuple[str, ...] = ()
    ordered: bool = False
    """They paid an order now."""
    answers: tuple[tuple[str, str], ...] = ()
    """(name, value) answers kept (`note:`), each in place of the one of its name."""

    def __bool__(self) -> bool:
        kept = (self.seen_on, self.lang, self.timezone, self.add, self.remove, self.answers)
        return any(kept) or self.ordered


LINKED, ALREADY, UNKNOWN, SAME_CHANNEL = "linked", "already", "unknown", "same_channel"
"""What a `link` did: joined the two conversations; nothing, as they were one contact already;
nothing, as no code of the bot is that (never given, expired, used); nothing, as the contact
would hold two conversations of one channel."""


@dataclass(frozen=True, slots=True)
class Link:
    outcome: str
    contact: Contact | None = None
    """The contact joined (LINKED), or the one the conversation belongs to already (ALREADY)."""


class ContactStore(Protocol):
    async def update(
        self, bot: str, conversation: str, change: ContactChange, at: float
    ) -> Contact:
        """The change applied to the conversation's contact atomically (a new contact, first
        seen `at`, when it has none); the contact as kept. Times only move forward (a turn
        replayed changes nothing twice). ContactError, nothing written, when the change is
        refused (a bad name, more than MAX_TAGS tags or MAX_ANSWERS answers)."""
        ...

    async def many(self, bot: str, conversations: Sequence[str]) -> dict[str, Contact]:
        """The contacts of those of `conversations` (at most MAX_PAGE) that have one, by
        conversation."""
        ...

    async def page(self, bot: str, after: str = "", limit: int = 100) -> list[Contact]:
        """The bot's contacts ordered by conversation, those whose conversation comes after
        `after` (the last of the previous page), at most `limit`; a contact with several
        conversations is listed once per conversation."""
        ...

    async def forget(self, bot: str, conversation: str) -> int:
        """The conversation taken from its contact (GDPR art. 17) with its link code, and the
        contact deleted when it holds no other; how many contact records were deleted (0 or
        1). Erasing a whole contact is `forget` of each of its conversations."""
        ...

    async def offer(
        self, bot: str, conversation: str, code: str, expires: float, at: float
    ) -> None:
        """Keep `code` (a link code's SHA-256, 64 hex digits) as the conversation's link code
        until `expires`, in place of any code it had (one a conversation); the bot's codes
        whose time is over are dropped."""
        ...

    async def link(self, bot: str, conversation: str, code: str, at: float) -> Link:
        """The conversation that offered `code` and `conversation` joined into one contact
        (contact_links.joined) and the code used up, in one atomic step; any other outcome
        changes nothing."""
        ...

    async def unlink(self, bot: str, conversation: str, at: float) -> Contact | None:
        """The conversation split off its contact into a contact of its own
        (contact_links.parted), atomically; that new contact, or None when the conversation's
        contact holds no other conversation (nothing to split)."""
        ...

    async def close(self) -> None: ...
