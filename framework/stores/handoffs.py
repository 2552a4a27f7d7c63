"""The handoff store protocol: a bot's conversations waiting for a person, or held by one.

A `Handoff` is one conversation's stretch with a person. It is requested (by the human command
or a `handoff:` step) and waits at the end of the bot's queue: QUEUED. An agent claims it:
CLAIMED, the agent holds it and the bot keeps silent. The agent releases it (back to the FRONT
of the queue: it has waited already), or ends it: RETURNED to the bot, or CLOSED. The system
(agent None) ends a handoff too, e.g. when the queue timeout falls back to a ticket offer.

A conversation has at most one handoff that has not ended; an ended one leaves the store (the
caller gets it back from `end`, with its outcome and history, for metrics and events). Every
operation is atomic across workers: of two agents who claim at once exactly one wins, the
other gets HandoffTaken naming the holder. Refusals are HandoffErrors, not StoreErrors: trying
again changes nothing. The rules, the limits and the JSON live in handoff_rules.py, once for
every backend.

Time is an argument of every call (no store reads a clock), so tests drive it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

from framework.errors import NotFound, ThekeError

__all__ = [
    "CLAIMED",
    "CLOSED",
    "ENDINGS",
    "QUEUED",
    "RELEASED",
    "REQUESTED",
    "RETURNED",
    "Handoff",
    "HandoffError",
    "HandoffEvent",
    "HandoffNotFound",
    "HandoffRefused",
    "HandoffStore",
    "HandoffTaken",
    "QueueFull",
]

QUEUED, CLAIMED, RETURNED, CLOSED = "queued", "claimed", "returned", "closed"
"""A handoff's states: waiting for a person, held by one, ended back to the bot, ended."""
ENDINGS = (RETURNED, CLOSED)
"""The outcomes of `end`."""
REQUESTED, RELEASED = "requested", "released"
"""History entries beside claimed, returned and closed."""


class HandoffError(ThekeError, ValueError):
    """A handoff or a change the rules refuse (a limit, a bad name, not the holder); the
    message says which and what to do. Not a StoreError: trying again changes nothing."""


class HandoffNotFound(HandoffError, NotFound):
    """A change to a conversation that is neither queued nor held (never asked for a person,
    or its handoff ended)."""


class HandoffTaken(HandoffError):
    """A claim of a conversation another agent holds: `holder` names that agent."""

    def __init__(self, message: str, holder: str) -> None:
        super().__init__(message)
        self.holder = holder


class HandoffRefused(HandoffError):
    """A release or end by an agent who does not hold the conversation."""


class QueueFull(HandoffError):
    """A request when the bot's queue holds the most conversations it keeps."""


@dataclass(frozen=True, slots=True)
class HandoffEvent:
    """One line of a handoff's history."""

    at: float
    what: str
    """requested, claimed, released, returned or closed."""
    by: str
    """bot (requested), system (ended with no agent) or agent:<name>."""


@dataclass(frozen=True, slots=True)
class Handoff:
    bot: str
    session: str
    """The conversation's session key."""
    reason: str
    """Why a person is wanted ("" when none was given), for the agent and the metrics."""
    channel: str
    lang: str
    state: str
    """queued, claimed, returned or closed."""
    requested_at: float
    queued_at: float
    """When it last joined the queue: requested, or released (the queue timeout counts from
    here, so a released conversation is not timed out the moment an agent lets go of it)."""
    agent: str = ""
    """Who holds it (claimed), who held it last (ended by an agent), else ""."""
    claimed_at: float | None = None
    """When the holder claimed it (None while queued)."""
    ended_at: float | None = None
    history: tuple[HandoffEvent, ...] = ()
    """Oldest first: the request, then the last changes (handoff_rules.MAX_HISTORY at most)."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Handoff:
        history = tuple(HandoffEvent(**event) for event in data["history"])
        return cls(**{**data, "history": history})


class HandoffStore(Protocol):
    async def request(
        self, bot: str, session: str, reason: str, channel: str, lang: str, now: float
    ) -> Handoff:
        """Put the conversation at the end of the bot's queue. Idempotent: one already queued
        or claimed keeps its place or agent and is returned as it is. QueueFull when the queue
        holds the most it keeps."""
        ...

    async def position(self, bot: str, session: str) -> int | None:
        """The conversation's place in the queue, 1 for the next one; None when not queued."""
        ...

    async def queue(self, bot: str, limit: int = 100) -> list[Handoff]:
        """The waiting conversations in queue order, at most `limit` (1 to MAX_PAGE)."""
        ...

    async def held(self, bot: str, agent: str | None = None) -> list[Handoff]:
        """The claimed conversations (only that agent's), the longest held first."""
        ...

    async def claim(self, bot: str, session: str, agent: str, now: float) -> Handoff:
        """Take a queued conversation out of the queue for the agent. Atomic: HandoffTaken
        when another agent holds it, HandoffNotFound when it is not queued; the holder's own
        claim again returns it as it is."""
        ...

    async def release(self, bot: str, session: str, agent: str, now: float) -> Handoff:
        """The holder lets go: back to the front of the queue. HandoffRefused for anyone
        else (or when nobody holds it)."""
        ...

    async def end(
        self, bot: str, session: str, agent: str | None, outcome: str, now: float
    ) -> Handoff:
        """End it (outcome returned or closed) and take it out of the queue or the held
        ones: by its holder, or by the system (agent None) whether queued or held."""
        ...

    async def expired(self, bot: str, older_than: float, limit: int = 100) -> list[Handoff]:
        """Queued conversations that joined the queue before `older_than`, the longest
        waiting first, at most `limit` (for the queue timeout)."""
        ...

    async def get(self, bot: str, session: str) -> Handoff | None:
        """The conversation's handoff that has not ended; None when there is none."""
        ...

    async def counts(self, bot: str) -> dict[str, int]:
        """How many are queued and claimed: {"queued": n, "claimed": m}."""
        ...

    async def close(self) -> None: ...
