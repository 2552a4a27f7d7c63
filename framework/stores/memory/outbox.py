"""The reference outbox: dicts in one process's memory (the contract suite's yardstick and the
test double). No method awaits, so each runs whole on one event loop."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from framework.stores.outbox import KEEP_DONE, Claimed, Entry

__all__ = ["MemoryOutbox"]


class MemoryOutbox:
    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        """Pending and given-up entries by key."""
        self._streams: dict[str, deque[str]] = {}
        """stream -> keys of its pending entries, oldest first."""
        self._due: dict[str, float] = {}
        """stream -> when its head may be handed out (a lease's end while leased)."""
        self._leases: dict[str, str] = {}
        self._dead: dict[str, float] = {}
        self._done: dict[str, float] = {}
        """Delivered keys -> when they are forgotten."""

    def _append(self, entry: Entry, now: float) -> None:
        self._entries[entry.key] = entry
        queue = self._streams.setdefault(entry.stream, deque())
        queue.append(entry.key)
        if len(queue) == 1:
            self._due[entry.stream] = now

    async def add(self, entries: Sequence[Entry], now: float) -> int:
        self._done = {key: until for key, until in self._done.items() if until > now}
        new = [e for e in entries if e.key not in self._entries and e.key not in self._done]
        for entry in new:
            self._append(entry.changed(since=now, attempts=0, error="", done_at=0.0), now)
        return len(new)

    async def claim(self, now: float, lease: float, limit: int, token: str) -> list[Claimed]:
        due = sorted((at, stream) for stream, at in self._due.items() if at <= now)[:limit]
        claimed = []
        for _at, stream in due:
            self._due[stream], self._leases[stream] = now + lease, token
            claimed.append(Claimed(self._entries[self._streams[stream][0]], token))
        return claimed

    def _holds(self, claimed: Claimed) -> bool:
        stream = claimed.entry.stream
        queue = self._streams.get(stream)
        held = self._leases.get(stream) == claimed.token
        return held and queue is not None and bool(queue) and queue[0] == claimed.entry.key

    def _next(self, stream: str, now: float) -> None:
        """The head is done: the stream's next entry is due, or the stream is empty."""
        self._streams[stream].popleft()
        del self._leases[stream]
        if self._streams[stream]:
            self._due[stream] = now
        else:
            del self._streams[stream], self._due[stream]

    async def delivered(self, claimed: Claimed, now: float) -> bool:
        if not self._holds(claimed):
            return False
        del self._entries[claimed.entry.key]
        self._done[claimed.entry.key] = now + KEEP_DONE
        self._next(claimed.entry.stream, now)
        return True

    async def retry_later(self, claimed: Claimed, due: float, error: str) -> bool:
        if not self._holds(claimed):
            return False
        entry = self._entries[claimed.entry.key]
        self._entries[entry.key] = entry.changed(attempts=entry.attempts + 1, error=error)
        del self._leases[entry.stream]
        self._due[entry.stream] = due
        return True

    async def give_up(self, claimed: Claimed, now: float, error: str) -> bool:
        if not self._holds(claimed):
            return False
        entry = self._entries[claimed.entry.key]
        attempts = entry.attempts + 1
        self._entries[entry.key] = entry.changed(attempts=attempts, error=error, done_at=now)
        self._dead[entry.key] = now
        self._next(entry.stream, now)
        return True

    async def undeliverable(self, limit: int = 50) -> list[Entry]:
        latest = sorted(self._dead.items(), key=lambda item: (item[1], item[0]), reverse=True)
        return [self._entries[key] for key, _at in latest[:limit]]

    async def requeue(self, keys: Sequence[str], now: float) -> int:
        again = [key for key in dict.fromkeys(keys) if key in self._dead]
        for key in again:
            del self._dead[key]
            entry = self._entries.pop(key)
            self._append(entry.changed(since=now, attempts=0, error="", done_at=0.0), now)
        return len(again)

    async def close(self) -> None:
        """Nothing to release."""
