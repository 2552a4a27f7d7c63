"""What the consent stores share, so that they cannot disagree: the checks and limits of what
enters, the holding rule, what a STOP withdraws, and the JSON an entry is kept as.

Everything from outside is checked before a store is asked (a ConsentError that says what to
do, never all of a huge value): a 10 MB text is refused at once; lone surrogates in free text
and in a conversation become U+FFFD (so one spelled with a broken emoji is found again by the
same spelling); times are seconds since the epoch (no NaN, no infinity).

The holding rule (`holding`): a grant makes the conversation a holder of its purpose from that
grant's time and in its language, unless it holds it already (then it stays as it was, the
grant only appended to the ledger); a withdrawal ends the holding (a withdrawal of a purpose
not held changes nothing but the ledger); a pending entry (double opt-in: asked, not
confirmed) changes nothing of it. The Redis store keeps the same rule in Lua
(redis/consents.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from framework.stores import checks
from framework.stores.consents import (
    GRANTED,
    NOTIFY,
    PENDING,
    WITHDRAWN,
    Consent,
    ConsentError,
    Holder,
)
from framework.stores.json_text import dump

__all__ = [
    "MAX_CHANNEL",
    "MAX_CONVERSATION",
    "MAX_HELD_PURPOSES",
    "MAX_HISTORY",
    "MAX_HOLDERS",
    "MAX_LANG",
    "MAX_SOURCE",
    "MAX_TEXT",
    "MAX_TOPIC",
    "PURPOSE",
    "PURPOSE_RULE",
    "Stop",
    "check_bot",
    "check_entry",
    "check_held",
    "check_history",
    "check_holders",
    "check_key",
    "check_stop",
    "dumped",
    "ended_grants",
    "grouped",
    "holding",
    "load",
]

MAX_CONVERSATION = 1024
"""Characters of a conversation (its session key)."""
MAX_TOPIC = 200
"""Characters of a notification topic (after `notify:`)."""
MAX_TEXT = 4096
"""Characters of what the customer was shown, or said to stop."""
MAX_CHANNEL = 32
MAX_SOURCE = 200
MAX_LANG = 16
MAX_HISTORY = 1000
"""Entries one `history` call returns at most."""
MAX_HOLDERS = 5000
MAX_HELD_PURPOSES = 20
"""Purposes one `held` call asks about at most."""
"""Holders one `holders` call returns at most (a broadcast pages through the rest)."""

PURPOSE = re.compile(rf"marketing|{NOTIFY}[A-Za-z0-9:._-]{{1,{MAX_TOPIC}}}")
PURPOSE_RULE = (
    f"a purpose: marketing, or {NOTIFY}<topic> (1 to {MAX_TOPIC} letters, digits and :._-)"
)
_PREFIX = re.compile(rf"[A-Za-z0-9:._-]{{0,{len(NOTIFY) + MAX_TOPIC}}}")
_PREFIX_RULE = f"a purposes' prefix: '' (all), marketing, {NOTIFY} or the start of a purpose"


def _text(what: str, value: object, most: int) -> str:
    return checks.bounded_text(what, value, most, ConsentError, "a consent keeps; shorten it")


def moment(value: object) -> float:
    return checks.moment(value, "a consent's time", ConsentError)


def check_bot(bot: object) -> str:
    return checks.bot_name(bot, ConsentError)


def _conversation(value: object) -> str:
    conversation = _text("the conversation", value, MAX_CONVERSATION)
    if not conversation:
        raise ConsentError("a consent needs its conversation: the session key it was given in")
    return conversation


def check_key(bot: object, conversation: object) -> tuple[str, str]:
    """A conversation's bot and session key, checked (the key as the stores keep it)."""
    return check_bot(bot), _conversation(conversation)


def _purpose(value: object) -> str:
    return checks.matching(value, PURPOSE, ConsentError, PURPOSE_RULE)


def check_entry(entry: object) -> Consent:
    """The entry as the ledger keeps it, or a ConsentError saying what is wrong."""
    if not isinstance(entry, Consent):
        raise ConsentError(f"a consent store records a Consent, not {type(entry).__name__}")
    if entry.state not in (GRANTED, WITHDRAWN, PENDING):
        raise ConsentError(
            f"a consent's state is granted, withdrawn or pending, not {checks.shown(entry.state)}"
        )
    bot, conversation = check_key(entry.bot, entry.conversation)
    at = moment(entry.at)
    return Consent(
        bot=bot,
        conversation=conversation,
        purpose=_purpose(entry.purpose),
        state=entry.state,
        text=_text("the text", entry.text, MAX_TEXT),
        channel=_text("the channel", entry.channel, MAX_CHANNEL),
        source=_text("the source", entry.source, MAX_SOURCE),
        at=at,
        lang=_text("the language", entry.lang, MAX_LANG),
        until=_until(entry, at),
        asked=_text("the question asked", entry.asked, MAX_TEXT),
        asked_at=_asked_at(entry, at),
    )


def _until(entry: Consent, at: float) -> float | None:
    """A pending entry's end, after its time; no other entry has one."""
    if entry.state != PENDING:
        if entry.until is not None:
            raise ConsentError("only a pending consent has an end (until); leave it out")
        return None
    until = moment(entry.until)
    if until <= at:
        raise ConsentError("a pending consent ends (until) after it was asked (at)")
    return until


def _asked_at(entry: Consent, at: float) -> float | None:
    """When a confirmed grant's question was answered: with its text, never after the
    confirmation; only a grant has one."""
    if entry.asked_at is None and not entry.asked:
        return None
    if entry.state != GRANTED or entry.asked_at is None or not entry.asked:
        raise ConsentError(
            "only a grant confirmed by double opt-in keeps the question (asked) and when it "
            "was answered (asked_at), both together"
        )
    asked_at = moment(entry.asked_at)
    if asked_at > at:
        raise ConsentError("a consent is confirmed (at) after its question was answered")
    return asked_at


def check_history(bot: object, conversation: object, limit: object) -> tuple[str, str, int]:
    """A `history` call's arguments, checked."""
    bot, conversation = check_key(bot, conversation)
    return bot, conversation, checks.page_size(limit, MAX_HISTORY, "entries", ConsentError)


def check_holders(
    bot: object, purpose: object, after: object, limit: object
) -> tuple[str, str, str, int]:
    """A `holders` call's arguments, checked ("" for `after`: from the first)."""
    bot, purpose = check_bot(bot), _purpose(purpose)
    after = _text("after", after, MAX_CONVERSATION)
    return bot, purpose, after, checks.page_size(limit, MAX_HOLDERS, "holders", ConsentError)


def check_held(
    bot: object, conversations: object, purposes: object
) -> tuple[str, list[str], list[str]]:
    """A `held` call's arguments, checked (each purpose once)."""
    if not isinstance(conversations, list | tuple) or len(conversations) > MAX_HOLDERS:
        raise ConsentError(f"a call names a list of at most {MAX_HOLDERS} conversations")
    if not isinstance(purposes, list | tuple) or len(purposes) > MAX_HELD_PURPOSES:
        raise ConsentError(f"a call names a list of at most {MAX_HELD_PURPOSES} purposes")
    return (
        check_bot(bot),
        [_conversation(conversation) for conversation in conversations],
        list(dict.fromkeys(_purpose(purpose) for purpose in purposes)),
    )


def grouped(holdings: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """(conversation, purpose held) pairs as `held` answers: purposes by conversation."""
    found: dict[str, set[str]] = {}
    for conversation, purpose in holdings:
        found.setdefault(conversation, set()).add(purpose)
    return {conversation: frozenset(held) for conversation, held in found.items()}


@dataclass(frozen=True, slots=True)
class Stop:
    """A `withdraw_all` call, checked: what each of its withdrawals says, of which purposes."""

    bot: str
    conversation: str
    text: str
    channel: str
    source: str
    at: float
    prefix: str

    def withdrawals(self, current: Mapping[str, Consent]) -> list[Consent]:
        """The withdrawals of the purposes `current` (the conversation's latest entries) shows
        granted or pending (a later confirmation finds it withdrawn), by purpose: each in the
        language of the entry it withdraws."""
        return [
            Consent(
                self.bot,
                self.conversation,
                purpose,
                WITHDRAWN,
                self.text,
                self.channel,
                self.source,
                self.at,
                latest.lang,
            )
            for purpose, latest in sorted(current.items())
            if latest.state in (GRANTED, PENDING) and purpose.startswith(self.prefix)
        ]


def check_stop(
    bot: object,
    conversation: object,
    text: object,
    channel: object,
    source: object,
    at: object,
    purposes_prefix: object,
) -> Stop:
    """A `withdraw_all` call's arguments, checked."""
    bot, conversation = check_key(bot, conversation)
    return Stop(
        bot,
        conversation,
        _text("the text", text, MAX_TEXT),
        _text("the channel", channel, MAX_CHANNEL),
        _text("the source", source, MAX_SOURCE),
        moment(at),
        checks.matching(purposes_prefix, _PREFIX, ConsentError, _PREFIX_RULE),
    )


def holding(held: Holder | None, entry: Consent) -> Holder | None:
    """THE rule: the holding of the entry's purpose after the entry, `held` the one before
    (None: not a holder). A pending entry (double opt-in, not yet confirmed) changes nothing."""
    if entry.state == WITHDRAWN:
        return None
    if entry.state == PENDING:
        return held
    return held or Holder(entry.conversation, entry.at, entry.lang)


def dumped(entry: Consent) -> str:
    """The JSON an entry is kept as."""
    return dump(entry.to_json())


def load(kept: str) -> Consent:
    return Consent.from_json(json.loads(kept))


def ended_grants(history: list[Consent]) -> list[Consent]:
    """The withdrawals of `history` (a conversation's entries, oldest first) that ended a
    grant — not those that ended a pending yes (double opt-in, never confirmed), which
    nothing may grant again."""
    before: dict[str, str] = {}
    ended: list[Consent] = []
    for entry in history:
        if entry.state == WITHDRAWN and before.get(entry.purpose) == GRANTED:
            ended.append(entry)
        if entry.state != PENDING or before.get(entry.purpose) != GRANTED:
            before[entry.purpose] = entry.state
    return ended
