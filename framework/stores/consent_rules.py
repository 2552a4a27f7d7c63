"""What the consent stores share, so that they cannot disagree: the checks and limits of what
enters, the holding rule, what a STOP withdraws, and the JSON an entry is kept as.

Everything from outside is checked before a store is asked (a ConsentError that says what to
do, never all of a huge value): a 10 MB text is refused at once; lone surrogates in free text
and in a conversation become U+FFFD (so one spelled with a broken emoji is found again by the
same spelling); times are seconds since the epoch (no NaN, no infinity).

The holding rule (`holding`): a grant makes the conversation a holder of its purpose from that
grant's time and in its language, unless it holds it already (then it stays as it was, the
grant only appended to the ledger); a withdrawal ends the holding (a withdrawal of a purpose
not held changes nothing but the ledger). The Redis store keeps the same rule in Lua
(redis/consents.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from framework.stores import checks
from framework.stores.consents import GRANTED, NOTIFY, WITHDRAWN, Consent, ConsentError, Holder
from framework.stores.json_text import dump

__all__ = [
    "MAX_CHANNEL",
    "MAX_CONVERSATION",
    "MAX_HISTORY",
    "MAX_HOLDERS",
    "MAX_LANG",
    "MAX_SOURCE",
    "MAX_TEXT",
    "MAX_TOPIC",
    "Stop",
    "check_bot",
    "check_entry",
    "check_history",
    "check_holders",
    "check_key",
    "check_stop",
    "dumped",
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
"""Holders one `holders` call returns at most (a broadcast pages through the rest)."""

_PURPOSE = re.compile(rf"marketing|{NOTIFY}[A-Za-z0-9:._-]{{1,{MAX_TOPIC}}}")
_PURPOSE_RULE = (
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
    return checks.matching(value, _PURPOSE, ConsentError, _PURPOSE_RULE)


def check_entry(entry: object) -> Consent:
    """The entry as the ledger keeps it, or a ConsentError saying what is wrong."""
    if not isinstance(entry, Consent):
        raise ConsentError(f"a consent store records a Consent, not {type(entry).__name__}")
    if entry.state not in (GRANTED, WITHDRAWN):
        raise ConsentError(
            f"a consent's state is granted or withdrawn, not {checks.shown(entry.state)}"
        )
    bot, conversation = check_key(entry.bot, entry.conversation)
    return Consent(
        bot=bot,
        conversation=conversation,
        purpose=_purpose(entry.purpose),
        state=entry.state,
        text=_text("the text", entry.text, MAX_TEXT),
        channel=_text("the channel", entry.channel, MAX_CHANNEL),
        source=_text("the source", entry.source, MAX_SOURCE),
        at=moment(entry.at),
        lang=_text("the language", entry.lang, MAX_LANG),
    )


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
        granted, by purpose: each in the language of the grant it withdraws."""
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
            if latest.state == GRANTED and purpose.startswith(self.prefix)
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
    (None: not a holder)."""
    if entry.state == WITHDRAWN:
        return None
    return held or Holder(entry.conversation, entry.at, entry.lang)


def dumped(entry: Consent) -> str:
    """The JSON an entry is kept as."""
    return dump(asdict(entry))


def load(kept: str) -> Consent:
    return Consent.from_json(json.loads(kept))
