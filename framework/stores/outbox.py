"""The outbox protocol: business events waiting to be sent to the business's endpoints.

An `Entry` is one event for one subscription (endpoint). Entries of one `stream` (a
subscription and a conversation) are sent in the order they were added: only the oldest
pending entry of a stream is ever handed out, and the next one only once it is delivered or
given up. A worker `claim`s due heads with a lease (a token and a time): no other worker gets
the stream's head until the lease runs out, and only the lease's holder can finish it
(`delivered`, `retry_later`, `give_up`), so two workers never send one event at once and a
worker that died leaves nothing another cannot finish.

`add` is idempotent on `Entry.key`: an entry already pending, given up or delivered (for
`KEEP_DONE` after delivery) is not added again, so whatever emits an event may emit it again
after a crash. Given-up entries stay until `requeue` puts them at the end of their stream.

Time is an argument of every call (no store reads a clock), so tests drive it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Protocol

__all__ = ["KEEP_DONE", "Claimed", "Entry", "Outbox"]

KEEP_DONE = 7 * 86_400.0
"""Seconds a delivered entry's key is remembered, so that emitting it again sends nothing."""


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    """Unique: the event for this subscription."""
    stream: str
    """What orders entries: a subscription and a conversation."""
    url: str
    event: str
    """The event's id (what the receiver deduplicates on)."""
    type: str
    body: str
    """The JSON the endpoint receives, fixed when the event was emitted."""
    created_at: float
    since: float = 0.0
    """When its retry window started: when it was added, or put back by `requeue`."""
    attempts: int = 0
    """Failed attempts so far."""
    error: str = ""
    """Why the last attempt failed."""
    done_at: float = 0.0
    """When it was given up (undeliverable entries)."""

    def changed(self, **changes: Any) -> Entry:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Claimed:
    """An entry handed to a worker, and the lease's token that lets it finish the entry."""

    entry: Entry
    token: str


class Outbox(Protocol):
    async def add(self, entries: Sequence[Entry], now: float) -> int:
        """Append entries to their streams (due now); how many were new."""
        ...

    async def claim(self, now: float, lease: float, limit: int, token: str) -> list[Claimed]:
        """The heads of up to `limit` streams that are due and not leased, leased until
        `now + lease` under `token`; earliest due first."""
        ...

    async def delivered(self, claimed: Claimed, now: float) -> bool:
        """The endpoint took it: the stream's next entry is due. False when the lease was
        lost (another worker holds the stream now) and nothing changed."""
        ...

    async def retry_later(self, claimed: Claimed, due: float, error: str) -> bool:
        """An attempt failed: count it, keep why, and hand the stream out again at `due`."""
        ...

    async def give_up(self, claimed: Claimed, now: float, error: str) -> bool:
        """Never deliverable (or out of time): keep it for the business; the next is due."""
        ...

    async def undeliverable(self, limit: int = 50) -> list[Entry]:
        """Given-up entries, the latest first."""
        ...

    async def requeue(self, keys: Sequence[str], now: float) -> int:
        """Put given-up entries back at the end of their streams, with a new retry window;
        how many were given up and are pending again."""
        ...

    async def close(self) -> None: ...
