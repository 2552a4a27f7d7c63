"""The store protocol: everything the runtime needs to keep turns exactly-once.

A store holds, per session: the state, the customer's remembered values (profile), an inbox
of items in arrival order with their ids for dedupe, a lease that serializes turns across
processes, a sequenced log of the conversation (the outbox every channel reads from), the
results of processed items (for retried webhooks), the answers to a turn's requests (so a
replayed turn does not ask twice) and timers. One `Commit` changes all of a
turn's data at once; a commit by a worker whose lease has expired is refused (fencing).

A turn is three calls: `enqueue`, `claim`, `commit`. A claim is only taken when there is an
item to process, and the commit that consumes it also decides what comes next, in the same
atomic step: with more items waiting it keeps the lease and hands on the next one (so a burst
costs one commit per further item), with the inbox empty it releases the lease.
"""

from __future__ import annotations

from typing import Protocol

from framework.errors import ThekeError
from framework.stores.records import Claim, Commit, InboxItem, LogEntry, Peeked

__all__ = ["Store", "StoreError"]


class StoreError(ThekeError, ConnectionError):
    """The store cannot be reached or refused an operation; the turn can be retried."""


class Store(Protocol):
    async def enqueue(self, key: str, item: InboxItem) -> bool:
        """Append to the session's inbox unless its id was seen; False for a duplicate."""
        ...

    async def claim(self, key: str, owner: str, lease: float) -> Claim | None:
        """Lease the session for `lease` seconds and load it with its oldest inbox item.

        None when the session is leased elsewhere or its inbox is empty; then no lease is
        taken, so there is nothing to release and another worker can claim the session as
        soon as an item arrives.
        """
        ...

    async def commit(self, claim: Claim, commit: Commit) -> Claim | bool:
        """Apply a turn atomically, consuming the claim's item; what comes next, in the same step.

        False when the lease was lost or the claim's item is already consumed (a claim commits
        once): nothing is written. Otherwise, with another item waiting, the lease is kept
        (renewed for `claim.lease` seconds) and the claim of that item is returned: the same
        token, the session, profile and seq just committed. With the inbox empty the lease is
        released and the answer is True.
        """
        ...

    async def release(self, claim: Claim) -> None:
        """Give the lease back without changing anything (a claim not processed)."""
        ...

    async def result(self, key: str, item_id: str) -> list[LogEntry] | None:
        """The log entries a processed item produced; None while it is not processed.

        Kept as a reference into the log: entries trimmed from the log or gone with its
        history are no longer returned.
        """
        ...

    async def keep_answer(self, key: str, request_id: str, answer: str) -> None:
        """Keep the answer (JSON text) to one of a turn's requests, before the turn commits: a
        replay of the turn (its worker died) finds it instead of asking again. Kept result_ttl
        and forgotten with the session; keeping it again replaces it. Not fenced by the lease:
        the answer is a fact about the outside world, whoever asked."""
        ...

    async def kept_answer(self, key: str, request_id: str) -> str | None:
        """The answer kept for the request; None when none is (or it expired)."""
        ...

    async def peek(self, key: str) -> Peeked | None:
        """The session's state as the last commit left it (what the next claim would load),
        read without a lease and without writing: a turn in progress is neither waited for nor
        disturbed, and what it is about to commit is not seen yet. None for a session without
        a committed state (unknown, or forgotten session_ttl after its last commit). What
        the agent inbox shows of a conversation; never a basis for a write."""
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

    async def erase(self, key: str) -> bool:
        """Delete everything of the session at once (the person's data erased): state,
        profile, inbox, seen ids, lease, log, results, kept answers and timers, and its place in
        the indexes. Whether there was anything; erasing again changes nothing. A turn under way
        loses its lease: its commit is refused and writes nothing."""
        ...

    async def ping(self) -> None:
        """Raise StoreError when the store does not answer."""
        ...

    async def close(self) -> None: ...
