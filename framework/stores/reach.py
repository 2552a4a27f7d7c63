"""The reach store protocol: which conversations a bot's broadcasts reached, and when — what
the sending rules of framework/broadcasts/ need to know of each contact.

- **Marketing sent**: the marketing broadcasts that reached a conversation, by broadcast id
  (the per-contact frequency cap counts those of the last days). Keyed by broadcast, so a page
  handed out again after a worker died is the same record, never a second one.
- **Held back**: WhatsApp refused a marketing message with 131049 (Meta's per-user marketing
  limit); marketing leaves the conversation alone until then.
- **Reached on a channel**: the unique conversations a bot reached on a channel in a moving
  window (WhatsApp's daily messaging limit of unique customers), counted and taken atomically,
  so two workers sending two broadcasts of one bot never reach more than the limit together.
- **Once**: "set if absent" marks, a digest -> a short value, each kept until its own end
  (`once`): which conversation of a contact gets a broadcast or a notification, and that a
  notification's key was handed out (framework/broadcasts/once.py). Both are digests made with
  the notice's id, never a customer's id or session key, so they name nobody: they are neither
  exported nor erased, and end by time alone. `ordered` sets such a mark to the next number of
  the bot's own count instead (ORDER_WIDTH digits, so that text compares as numbers): which of
  a contact's conversations was given a broadcast first (framework/runtime/notice_once.py).

A conversation's other records name the customer (its session key): `kept` exports them and
`forget` erases them (framework/privacy/).

Time is an argument of every call (no store reads a clock): Unix seconds (UTC), as in every
store. Entries older than KEPT are dropped when their conversation is written again.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from framework.errors import ThekeError
from framework.stores import checks

__all__ = [
    "KEPT",
    "MAX_CONVERSATIONS",
    "MAX_ONCE",
    "ORDER_COUNTER",
    "ORDER_WIDTH",
    "Kept",
    "Marks",
    "ReachError",
    "ReachStore",
    "check_broadcast_id",
    "check_marked",
    "check_once",
    "check_one",
    "check_ordered",
    "check_page",
    "check_take",
    "mark_digest",
    "numbered",
    "stand_in",
]

KEPT = 400 * 86400.0
"""Seconds a marketing send is kept for the frequency cap (its longest window is 365 days)."""
MAX_CONVERSATIONS = 5000
"""Conversations one call names at most (a broadcast's page)."""
MAX_CONVERSATION = 1024
MAX_ONCE = 366 * 86400.0
"""Seconds a `once` mark is kept at most."""
_DIGEST = re.compile(r"[0-9a-f]{16,64}")
_VALUE = re.compile(r"[A-Za-z0-9:._-]{1,64}")
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_CHANNEL = re.compile(r"[a-z_]{1,32}")


class ReachError(ThekeError, ValueError):
    """A call the rules refuse (a bot name, a conversation, a time or a limit out of bounds);
    the message says which. Not a StoreError: trying again changes nothing."""


@dataclass(frozen=True, slots=True)
class Marks:
    """What the store knows of one conversation for marketing."""

    sent: Mapping[str, float] = field(default_factory=dict)
    """Marketing broadcast id -> when it reached the conversation (those asked for)."""
    held_until: float = 0.0
    """Until when WhatsApp's per-user marketing limit holds it back (0: never held)."""


@dataclass(frozen=True, slots=True)
class Kept:
    """Everything the store holds of one conversation: what an export shows."""

    sent: Mapping[str, float]
    """Every marketing broadcast id kept -> when it reached the conversation."""
    held_until: float
    """Until when WhatsApp's per-user marketing limit holds it back (0: never held)."""
    reached: Mapping[str, float]
    """Channel -> when a broadcast last reached the conversation there: it counts in the
    channel's moving window while that time is in it."""


def mark_digest(*parts: str) -> str:
    """32 hex digits of SHA-256 over `parts`: a mark's digest or value, naming nobody
    (framework/broadcasts/once.py, framework/runtime/notice_once.py)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def stand_in() -> str:
    """A name no conversation has (a session key has two colons), for the place a forgotten
    conversation leaves in a channel's window."""
    return f"erased-{uuid.uuid4().hex}"


def _conversation(conversation: object) -> str:
    if not isinstance(conversation, str) or not 0 < len(conversation) <= MAX_CONVERSATION:
        raise ReachError(f"{checks.shown(conversation)} is not a conversation's session key")
    return conversation


def check_one(bot: object, conversation: object) -> tuple[str, str]:
    """A bot and one conversation, or ReachError."""
    return checks.bot_name(bot, ReachError), _conversation(conversation)


def check_page(bot: object, conversations: object, at: object) -> tuple[str, list[str], float]:
    """A bot, conversations (distinct, at most MAX_CONVERSATIONS) and a time, or ReachError."""
    name = checks.bot_name(bot, ReachError)
    if not isinstance(conversations, list | tuple) or len(conversations) > MAX_CONVERSATIONS:
        raise ReachError(f"a call names a list of at most {MAX_CONVERSATIONS} conversations")
    for conversation in conversations:
        _conversation(conversation)
    if len(set(conversations)) < len(conversations):
        raise ReachError("a conversation is named twice")
    return name, list(conversations), checks.moment(at, "a time", ReachError)


def check_broadcast_id(broadcast: object) -> str:
    if not isinstance(broadcast, str) or not _ID.fullmatch(broadcast):
        raise ReachError(f"{checks.shown(broadcast)} is not a broadcast id")
    return broadcast


def check_once(
    bot: object, marks: object, at: object, until: object
) -> tuple[str, dict[str, str], float, float]:
    """The arguments of `once`, or ReachError."""
    name = checks.bot_name(bot, ReachError)
    if not isinstance(marks, Mapping) or len(marks) > MAX_CONVERSATIONS:
        raise ReachError(f"a call sets at most {MAX_CONVERSATIONS} marks, digest -> value")
    for digest, value in marks.items():
        if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
            raise ReachError(f"{checks.shown(digest)} is no digest (16 to 64 hex digits)")
        if not isinstance(value, str) or not _VALUE.fullmatch(value):
            raise ReachError(f"{checks.shown(value)} is no mark's value (1 to 64 of A-Za-z0-9:._-)")
    at = checks.moment(at, "a time", ReachError)
    until = checks.moment(until, "until", ReachError)
    if not at < until <= at + MAX_ONCE:
        raise ReachError(f"a mark is kept after its time, at most {MAX_ONCE / 86400:.0f} days")
    return name, dict(marks), at, until


ORDER_WIDTH = 12
"""Digits of an `ordered` mark's number."""
ORDER_COUNTER = "0" * 32
"""The digest under which a backend keeps a bot's last `ordered` number (no notice's digest:
a SHA-256 of zeros is as likely as a guessed key), kept MAX_ONCE after its last use."""


def numbered(n: int) -> str:
    """An `ordered` mark's value: `n` in ORDER_WIDTH digits."""
    return f"{n:0{ORDER_WIDTH}d}"


def check_ordered(
    bot: object, digest: object, at: object, until: object
) -> tuple[str, str, float, float]:
    """The arguments of `ordered`, or ReachError."""
    if not isinstance(digest, str) or digest == ORDER_COUNTER:
        raise ReachError("`ordered` names one digest, not the counter's")
    name, _, at, until = check_once(bot, {digest: "x"}, at, until)
    return name, digest, at, until


def check_marked(bot: object, digests: object, at: object) -> tuple[str, list[str], float]:
    """The arguments of `marked`, or ReachError."""
    if not isinstance(digests, list | tuple):
        raise ReachError("a call names a list of digests")
    moment = checks.moment(at, "a time", ReachError)
    name, marks, _, _ = check_once(bot, dict.fromkeys(digests, "x"), moment, moment + 1)
    return name, list(marks), moment


def check_take(
    bot: object, channel: object, conversations: object, since: object, at: object, limit: object
) -> tuple[str, str, list[str], float, float, int]:
    """The arguments of `reach`, or ReachError."""
    name, names, at = check_page(bot, conversations, at)
    if not isinstance(channel, str) or not _CHANNEL.fullmatch(channel):
        raise ReachError(f"{checks.shown(channel)} is not a channel")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ReachError(f"a limit is a whole number from 0, not {checks.shown(limit)}")
    return name, channel, names, checks.moment(since, "since", ReachError), at, limit


class ReachStore(Protocol):
    async def marks(self, bot: str, conversations: Sequence[str], since: float) -> dict[str, Marks]:
        """For each of `conversations` the store knows something of: the marketing sent to it
        at or after `since`, and its hold."""
        ...

    async def marketed(
        self, bot: str, broadcast: str, conversations: Sequence[str], at: float
    ) -> None:
        """The marketing broadcast reached `conversations` at `at` (a conversation it reached
        before keeps the first time)."""
        ...

    async def hold(self, bot: str, conversation: str, until: float) -> None:
        """WhatsApp held a marketing message to the conversation back: marketing leaves it
        alone until `until` (a later hold kept before stays)."""
        ...

    async def reach(
        self,
        bot: str,
        channel: str,
        conversations: Sequence[str],
        since: float,
        at: float,
        limit: int,
    ) -> int:
        """Take `conversations` in order against the channel's limit of unique conversations
        reached at or after `since`, atomically: one reached since then is free, a new one fits
        while fewer than `limit` were. How many of them fit (the first ones: it stops at the
        first that does not); those are reached at `at` now."""
        ...

    async def once(
        self, bot: str, marks: Mapping[str, str], at: float, until: float
    ) -> dict[str, str]:
        """Each of `marks` (a digest -> its value) set, atomically per digest, unless the digest
        holds a value already that is kept past `at`; those set are kept until `until`. The
        value each of the digests holds now (the one set before wins over this call's)."""
        ...

    async def marked(self, bot: str, digests: Sequence[str], at: float) -> dict[str, str]:
        """The value of each of `digests` kept past `at` (one without is left out)."""
        ...

    async def ordered(self, bot: str, digest: str, at: float, until: float) -> str:
        """The digest's value kept past `at`; else, atomically, the bot's next number
        (`numbered`), set to it until `until`. Of two calls at once each gets its own number:
        the order in which the store took them."""
        ...

    async def kept(self, bot: str, conversation: str) -> Kept | None:
        """Everything the store holds of the conversation (GDPR art. 15), entries older than
        KEPT or a window that were not dropped yet included; None when nothing."""
        ...

    async def forget(self, bot: str, conversation: str) -> int:
        """The conversation erased (GDPR art. 17), atomically: its marketing sent and its hold
        deleted, and its entry in each channel's window taken over by a `stand_in` with the
        same time. How many records of it there were (each broadcast, the hold, each channel).

        The stand-in keeps the daily limit's count exact: Meta counted the customer when they
        were reached and counts them for the rest of its moving window whatever Theke forgets,
        so dropping the entry would let the business reach one more customer than Meta allows.
        The stand-in names no one and leaves the window with its time; should the customer be
        reached again meanwhile, they count twice (short of the limit, never past it)."""
        ...

    async def close(self) -> None: ...
