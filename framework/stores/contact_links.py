"""How a customer's conversations join into one contact and part again: pure rules, the same
in every backend (a backend reads, applies one of these and writes in one atomic step).

Joining (`link`): the conversation that offered the code and the one that typed it, with
whatever contacts they hold, become one contact: the conversations of both, the tags of both,
the answers of both (of an answer both kept, the one of the contact seen last), the earliest
first seen, the latest last seen, last order and window of each channel, the
language and time zone of the contact seen last (or the other's, when it has none). The id
kept is the one of the contact seen first. A contact holds at most one conversation per
channel: a join that would give it two is refused (SAME_CHANNEL), and so is one beyond
MAX_TAGS tags or MAX_ANSWERS answers (ContactError: untag some first).

Parting (`unlink`): the conversation gets a contact of its own with its channel's window, the
language and time zone; the tags, the answers, the last order and the other channels stay with
the contact.
"""

from __future__ import annotations

import re
from dataclasses import replace

from framework.answers import MAX_ANSWERS
from framework.stores import checks
from framework.stores.contact_rules import changed
from framework.stores.contacts import (
    ALREADY,
    LINKED,
    MAX_TAGS,
    SAME_CHANNEL,
    Contact,
    ContactChange,
    ContactError,
)

__all__ = [
    "CODE",
    "channel_of",
    "check_code",
    "check_moments",
    "joined",
    "link_outcome",
    "parted",
]

CODE = re.compile(r"[0-9a-f]{64}")
"""A link code as a store keeps it: its SHA-256 in hex (the code itself is never stored)."""


def check_code(code: object) -> str:
    return checks.matching(code, CODE, ContactError, "a link code's SHA-256 (64 hex digits)")


def channel_of(conversation: str) -> str:
    return conversation.split(":", 2)[1]


def _or_new(contact: Contact | None, bot: str, conversation: str, at: float, made: str) -> Contact:
    return contact or changed(None, bot, conversation, ContactChange(), at, made)


def link_outcome(offered: Contact | None, offering: str, taker: Contact | None, taking: str) -> str:
    """LINKED when the two may join, else why not (ALREADY, SAME_CHANNEL)."""
    if offering != taking and offered and taker and offered.id == taker.id:
        return ALREADY
    ours = {channel_of(c) for c in (offered.conversations if offered else (offering,))}
    theirs = {channel_of(c) for c in (taker.conversations if taker else (taking,))}
    return SAME_CHANNEL if ours & theirs else LINKED


def joined(
    offered: Contact | None,
    offering: str,
    taker: Contact | None,
    taking: str,
    bot: str,
    at: float,
    made_ids: tuple[str, str],
) -> Contact:
    """The one contact of both (a contact made first, with one of `made_ids`, for a
    conversation that has none). ContactError when it would hold more than MAX_TAGS tags or
    MAX_ANSWERS answers."""
    one = _or_new(offered, bot, offering, at, made_ids[0])
    two = _or_new(taker, bot, taking, at, made_ids[1])
    first = one if one.first_seen <= two.first_seen else two
    newer, older = (one, two) if one.last_seen > two.last_seen else (two, one)
    tags = set(one.tags) | set(two.tags)
    if len(tags) > MAX_TAGS:
        raise ContactError(f"the joined contact would hold more than {MAX_TAGS} tags")
    answers = {**older.answers, **newer.answers}
    if len(answers) > MAX_ANSWERS:
        raise ContactError(f"the joined contact would keep more than {MAX_ANSWERS} answers")
    inbound = dict(one.inbound)
    for channel, seen in two.inbound.items():
        inbound[channel] = max(inbound.get(channel, 0.0), seen)
    return Contact(
        id=first.id,
        bot=bot,
        conversations=tuple(sorted({*one.conversations, *two.conversations})),
        lang=newer.lang or older.lang,
        timezone=newer.timezone or older.timezone,
        tags=tuple(sorted(tags)),
        first_seen=min(one.first_seen, two.first_seen),
        last_seen=max(one.last_seen, two.last_seen),
        inbound=inbound,
        last_order=max(one.last_order, two.last_order),
        answers=dict(sorted(answers.items())),
    )


def parted(contact: Contact, conversation: str, at: float, made_id: str) -> tuple[Contact, Contact]:
    """(the contact without the conversation, the conversation's own new contact); the
    contact holds another conversation (the caller checks)."""
    channel = channel_of(conversation)
    seen = contact.inbound.get(channel, 0.0)
    inbound = {c: t for c, t in contact.inbound.items() if c != channel}
    rest = replace(
        contact,
        conversations=tuple(c for c in contact.conversations if c != conversation),
        inbound=inbound,
        last_seen=max(inbound.values(), default=0.0),
    )
    alone = Contact(
        id=made_id,
        bot=contact.bot,
        conversations=(conversation,),
        lang=contact.lang,
        timezone=contact.timezone,
        first_seen=seen or at,
        last_seen=seen,
        inbound={channel: seen} if seen else {},
    )
    return rest, alone


def check_moments(*moments: object) -> tuple[float, ...]:
    return tuple(checks.moment(m, "a link's time", ContactError) for m in moments)
