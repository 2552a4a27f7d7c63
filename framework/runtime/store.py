"""The store protocol: everything the runtime needs to keep turns exactly-once.

A store holds, per session: the state, the customer's remembered values (profile), an inbox
of items in arrival order with their ids for dedupe, a lease that serializes turns across
processes, a sequenced log of the conversation (the outbox every channel reads from), the
results of processed items (for retried webhooks) and timers. One `Commit` changes all of a
turn's data at once; a commit by a worker whose lease has expired is refused (fencing).
"""

from __future__ import annotations

from typing import Protocol

from framework.errors import ThekeError
from framework.runtime.records import Claim, Commit, InboxItem, LogEntry

__all__ = ["Store", "StoreError"]


class StoreError(ThekeError, ConnectionError):
    """The store cannot be reached or refused an operation; the turn can be retried."""


class Store(Protocol):
    async def enqueue(self, key: str, item: InboxItem) -> bool:
        """Append to the session's inbox unless its id was seen; False for a duplicate."""
        ...

    async def claim(self, key: str, owner: str, lease: float) -> Claim | None:
        """Lease the session and load it with its next inbox item; None when leased elsewhere."""
        ...

    async def commit(self, claim: Claim, commit: Commit) -> bool:
        """Apply a turn atomically and release the lease; False when the lease was lost."""
        ...

    async def release(self, claim: Claim) -> None:
        """Give the lease back without changing anything."""
        ...

    async def result(self, key: str, item_id: str) -> list[LogEntry] | None:
        """The log entries a processed item produced; None while it is not processed.

        Kept as a reference into the log: entries trimmed from the log or gone with its
        history are no longer returned.
        """
        ...

    async def log(self, key: str, after: int, limit: int = 100) -> list[LogEntry]:
        """The session's log entries with a sequence number above `after`, oldest first."""
        ...

    async def fire_timers(self, now: float, limit: int = 100) -> list[str]:
        """Move due timers into their sessions' inboxes; the keys that got an item."""
        ...

    async def pending(self, limit: int = 100) -> list[str]:
        """Sessions whose inbox is not empty (to recover turns a dead worker left)."""
        ...

    async def ping(self) -> None:
        """Raise StoreError when the store does not answer."""
        ...

    async def close(self) -> None: ...
