"""The contact store's rules, the same in every backend: what a name may be, and how a change
applies to a contact (`changed`, pure: a backend reads, applies and writes in one atomic step).

Tags are framework/tags.py's short names, answers framework/answers.py's. A language is a code
such as `de` or `pt-BR`, a time zone an IANA name Python's zoneinfo knows, a channel a
lowercase name.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from framework.answers import ANSWER_NAME_RULE, MAX_ANSWER, MAX_ANSWERS, NAME
from framework.stores import checks
from framework.stores.contacts import MAX_PAGE, Contact, ContactChange, ContactError
from framework.tags import MAX_TAGS, TAG, TAG_RULE

__all__ = [
    "CHANNEL",
    "LANG",
    "MAX_CONVERSATION",
    "changed",
    "check_answers",
    "check_change",
    "check_many",
    "check_one",
    "check_page",
    "check_tag",
    "check_timezone",
    "new_id",
]

LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
CHANNEL = re.compile(r"[a-z_]{1,32}")
_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+-]{0,30}(/[A-Za-z0-9_+-]{1,30}){0,2}")
MAX_CONVERSATION = 1024


def check_tag(tag: object) -> str:
    return checks.matching(tag, TAG, ContactError, TAG_RULE)


@cache
def check_timezone(name: str) -> str:
    """An IANA time zone name (Europe/Berlin), or ContactError."""
    if not isinstance(name, str) or not _ZONE.fullmatch(name):
        raise ContactError(f"{checks.shown(name)} is not a time zone: an IANA name, Europe/Berlin")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ContactError(f"{name!r} is no time zone Theke knows: Europe/Berlin, UTC …") from None
    return name


def _tags(tags: object) -> tuple[str, ...]:
    if not isinstance(tags, tuple | list) or len(tags) > MAX_TAGS:
        raise ContactError(f"a change names a list of at most {MAX_TAGS} tags")
    return tuple(check_tag(tag) for tag in tags)


def check_answers(answers: object) -> tuple[tuple[str, str], ...]:
    """(name, value) pairs of answers' shape, or ContactError: at most MAX_ANSWERS, each name
    an answer's name, each value 1 to MAX_ANSWER characters on one line."""
    if not isinstance(answers, tuple | list) or len(answers) > MAX_ANSWERS:
        raise ContactError(f"a change names a list of at most {MAX_ANSWERS} answers")
    return tuple(_answer(pair) for pair in answers)


def _answer(pair: object) -> tuple[str, str]:
    if not isinstance(pair, tuple | list) or len(pair) != 2:
        raise ContactError("an answer is a pair: its name and its text")
    name = checks.matching(pair[0], NAME, ContactError, ANSWER_NAME_RULE)
    value = checks.bounded_text(f"the answer {name!r}", pair[1], MAX_ANSWER, ContactError, "kept")
    if not value.strip() or any(ord(char) < 32 for char in value):
        raise ContactError(f"the answer {name!r} is empty or not on one line")
    return name, value


def check_change(change: object) -> ContactChange:
    """A change whose every name is of the right shape, or ContactError."""
    if not isinstance(change, ContactChange):
        raise ContactError("a contact's change is a ContactChange")
    if change.seen_on:
        checks.matching(change.seen_on, CHANNEL, ContactError, "a channel: lowercase letters")
    if change.lang:
        checks.matching(change.lang, LANG, ContactError, "a language code: de, en, pt-BR")
    if change.timezone:
        check_timezone(change.timezone)
    _tags(change.add), _tags(change.remove)
    answers = check_answers(change.answers)
    return replace(change, answers=answers)


def _conversation(conversation: object) -> str:
    if (
        not isinstance(conversation, str)
        or not 0 < len(conversation) <= MAX_CONVERSATION
        or conversation.count(":") < 2
    ):
        raise ContactError(
            f"{checks.shown(conversation)} is not a conversation: bot:channel:customer"
        )
    return conversation


def check_one(bot: object, conversation: object) -> tuple[str, str]:
    return checks.bot_name(bot, ContactError), _conversation(conversation)


def check_many(bot: object, conversations: object) -> tuple[str, list[str]]:
    name = checks.bot_name(bot, ContactError)
    if not isinstance(conversations, list | tuple) or len(conversations) > MAX_PAGE:
        raise ContactError(f"a call names a list of at most {MAX_PAGE} conversations")
    return name, [_conversation(conversation) for conversation in conversations]


def check_page(bot: object, after: object, limit: object) -> tuple[str, str, int]:
    name = checks.bot_name(bot, ContactError)
    if not isinstance(after, str) or len(after) > MAX_CONVERSATION:
        raise ContactError("after: the last conversation of the previous page")
    return name, after, checks.page_size(limit, MAX_PAGE, "contacts", ContactError)


def new_id() -> str:
    """A contact's id: never a conversation's key, so the two cannot be mixed up."""
    return f"c{uuid.uuid4().hex[:16]}"


def _later(kept: float, at: float) -> float:
    return max(kept, at)


def _sorted_tags(kept: Iterable[str], change: ContactChange) -> tuple[str, ...]:
    tags = (set(kept) - set(change.remove)) | set(change.add)
    if len(tags) > MAX_TAGS:
        raise ContactError(
            f"a contact holds at most {MAX_TAGS} tags; untag some before tagging more"
        )
    return tuple(sorted(tags))


def _answers(kept: Mapping[str, str], change: ContactChange) -> dict[str, str]:
    answers = {**kept, **dict(change.answers)}
    if len(answers) > MAX_ANSWERS:
        raise ContactError(f"a contact keeps at most {MAX_ANSWERS} answers")
    return dict(sorted(answers.items()))


def changed(
    contact: Contact | None,
    bot: str,
    conversation: str,
    change: ContactChange,
    at: float,
    made_id: str,
) -> Contact:
    """`change` applied to `contact` (a new one with the id `made_id` when None)."""
    at = checks.moment(at, "a contact's time", ContactError)
    kept = contact or Contact(made_id, bot, (conversation,), first_seen=at)
    inbound = dict(kept.inbound)
    if change.seen_on:
        inbound[change.seen_on] = _later(inbound.get(change.seen_on, 0.0), at)
    return replace(
        kept,
        lang=change.lang or kept.lang,
        timezone=change.timezone or kept.timezone,
        tags=_sorted_tags(kept.tags, change),
        first_seen=min(kept.first_seen, at) if kept.first_seen else at,
        last_seen=_later(kept.last_seen, at) if change.seen_on else kept.last_seen,
        inbound=inbound,
        last_order=_later(kept.last_order, at) if change.ordered else kept.last_order,
        answers=_answers(kept.answers, change),
    )
