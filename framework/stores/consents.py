"""The consent ledger protocol: who agreed to hear what from a bot, when, how and in which
words — and who took it back.

Every grant and every withdrawal is an entry of its own, kept as it happened (never edited,
never deleted except when the person's data is erased): a business shows a regulator or a
customer exactly what was shown and when. A conversation's current consent for a purpose is
its latest entry for that purpose.

Double opt-in (a bot's `consents: {double_opt_in: …}`): the customer's yes to the question is
a `pending` entry (the question's text and time, and `until`, when it lapses), which makes
nobody a holder; only their confirmation before `until` appends the grant, which keeps the
confirmation's text and time as its own (`text`, `at`) and the question's beside them
(`asked`, `asked_at`). A STOP withdraws a pending purpose too, so a later yes confirms nothing.
A pending entry that lapses stays as it was written: time alone makes it void.

Purposes: `marketing` (offers, newsletters: a marketing template on WhatsApp), and
`notify:<topic>` for updates the customer asked for (`notify:flight:LH1234:2026-12-10`: a
utility template). A business-initiated message needs the matching consent: the notify API
and broadcasts ask `holders`, and the runtime asks `held` again as the notice is said and as
it leaves (runtime/notice_consent.py). A notice about the customer's own transaction (their
booking's reminder: `transaction:booking`) is no purpose of the ledger: it needs none.

A conversation is the session key (`bot:channel:customer`) it was given in; its channel and
the customer's id there say where messages go. Time is an argument of every call (no store
reads a clock), so tests drive it: Unix seconds (UTC), as in every store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from framework.errors import ThekeError

__all__ = [
    "BOOKING",
    "GRANTED",
    "MARKETING",
    "NOTIFY",
    "PENDING",
    "TRANSACTION",
    "TRANSACTIONAL",
    "WITHDRAWN",
    "Consent",
    "ConsentError",
    "ConsentStore",
    "Holder",
]

MARKETING = "marketing"
NOTIFY = "notify:"
"""The prefix of a notification topic's purpose: `notify:flight:LH1234:2026-12-10`."""
TRANSACTION = "transaction:"
"""The prefix of a notice's purpose when it is about the customer's own transaction: a
utility message of something they started, which goes after a STOP too (docs/contacts.md)."""
BOOKING = TRANSACTION + "booking"
"""A booking's reminder, move or cancellation, told to the conversation that booked it."""
TRANSACTIONAL = frozenset({BOOKING})
"""Every notice purpose of a transaction: the one table the runtime lets pass without the
ledger."""
GRANTED, WITHDRAWN = "granted", "withdrawn"
PENDING = "pending"
"""Double opt-in: the customer said yes to the question and has not confirmed it yet."""


class ConsentError(ThekeError, ValueError):
    """An entry the rules refuse (a purpose, text or source out of bounds); the message says
    which. Not a StoreError: trying again changes nothing."""


_DOUBLE_OPT_IN = ("until", "asked", "asked_at")


@dataclass(frozen=True, slots=True)
class Consent:
    """One entry of the ledger."""

    bot: str
    conversation: str
    """The session key the consent was given in (bot:channel:customer)."""
    purpose: str
    """`marketing` or `notify:<topic>` (letters, digits and `:._-`, at most 200 characters)."""
    state: str
    """granted, withdrawn, or pending (double opt-in: asked, not yet confirmed)."""
    text: str
    """Exactly what the customer was shown (naming the business), or what they said to stop."""
    channel: str
    source: str
    """Where: `flow:<flow>` (a step in the chat), `stop` (the customer's STOP), `channel`
    (WhatsApp's user_preferences, a block), `import:<evidence>`, `agent:<name>`."""
    at: float
    lang: str = ""
    until: float | None = None
    """A pending entry's end: its confirmation must come by then (None on every other)."""
    asked: str = ""
    """A grant confirmed by double opt-in: the question the customer first said yes to, word
    for word (`text` is then the confirmation they were shown)."""
    asked_at: float | None = None
    """When they said yes to `asked` (`at` is when they confirmed)."""

    def to_json(self) -> dict[str, Any]:
        """Its fields; those of double opt-in only when set (an entry of a single opt-in
        reads as it always did)."""
        data = asdict(self)
        for name in _DOUBLE_OPT_IN:
            if data[name] in (None, ""):
                del data[name]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Consent:
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Holder:
    """A conversation whose latest entry for a purpose is a grant."""

    conversation: str
    since: float
    """The time of the grant that made it a holder (a grant again while holding changes
    nothing here)."""
    lang: str
    """That grant's language."""


class ConsentStore(Protocol):
    async def record(self, entry: Consent) -> Consent:
        """Append an entry (checked: ConsentError); the entry as kept (a lone surrogate in
        any of its text as U+FFFD). A grant for a purpose already granted, or a withdrawal of
        one not granted, is appended too (the ledger keeps what happened) and `current` shows
        it (it is the latest entry), but it changes nothing of `holders`: a holder stays one
        since its first grant. A pending entry changes nothing of `holders` either."""
        ...

    async def current(self, bot: str, conversation: str) -> dict[str, Consent]:
        """Purpose → the latest entry, for every purpose the conversation ever had."""
        ...

    async def history(self, bot: str, conversation: str, limit: int = 200) -> list[Consent]:
        """The conversation's entries, oldest (first written) first, at most `limit`."""
        ...

    async def holders(
        self, bot: str, purpose: str, after: str = "", limit: int = 1000
    ) -> list[Holder]:
        """The conversations whose latest entry for `purpose` is a grant, ordered by
        conversation, those after `after` (the last one of the previous page), at most
        `limit`: a broadcast or a notification walks them page by page."""
        ...

    async def held(
        self, bot: str, conversations: Sequence[str], purposes: Sequence[str]
    ) -> dict[str, frozenset[str]]:
        """Of `conversations` (at most 5000), which of `purposes` (at most 20) each holds now
        (its latest entry a grant), by conversation; one holding none of them is left out. A
        broadcast's segment (`consents:`) asks it for a page of holders at once."""
        ...

    async def withdraw_all(
        self,
        bot: str,
        conversation: str,
        text: str,
        channel: str,
        source: str,
        at: float,
        purposes_prefix: str = "",
    ) -> list[Consent]:
        """Withdraw every purpose currently granted or pending (starting with
        `purposes_prefix`, "" for all) in one atomic step: the customer's STOP. The
        withdrawals written, by purpose, each in the language of the entry it withdraws;
        none (and nothing written) when nothing is granted or pending, so of two STOPs at
        once only one writes each withdrawal."""
        ...

    async def erase(self, bot: str, conversation: str) -> int:
        """Delete every entry of the conversation (the person's data erased), from the
        ledger, `current` and `holders` alike; how many entries there were."""
        ...

    async def close(self) -> None: ...
