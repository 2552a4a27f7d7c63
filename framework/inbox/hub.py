"""Live updates of the agent inbox: one in-process hub that every open inbox page listens to.

Changes reach the hub two ways:

- at once, from the handoff service of this worker (`Handoffs.listeners`): a conversation
  joins the queue, is claimed, released, written to, returned or closed;
- every POLL seconds while a page listens, from the stores (`Poller`): the queues and held
  conversations of every bot, compared with the last look, and the logs and states (`peek`)
  of the conversations held by a person or open on a page. That is how a page hears what
  another worker changed (several workers on Redis), what a customer wrote to a held
  conversation and a person's change of its cart or slots once its turn applied it: the project
  has no cross-worker publisher (runtime/publishing.py is the business events' outbox, not a
  pub/sub), so the store is the common ground, looked at every two seconds.

A change is only a hint ("look again at this conversation"): a page fetches what it shows
anew, so a change heard twice (here and by the poll) costs one more fetch, never a wrong page.
The first look since pages listen (or after a look that failed halfway) has nothing to compare
with, so it tells every bot's pages to look again (`recheck`): what changed between a page's own
fetch and that look would otherwise be learned by the poll and told to nobody.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from framework.stores.handoffs import Handoff, HandoffStore
from framework.stores.session_store import Store

__all__ = ["POLL", "Change", "Hub", "Poller"]

POLL = 2.0
"""Seconds between two looks at the stores while a page listens."""
BACKLOG = 100
"""Changes a page's socket may lag behind; a slower one misses some (its next fetch is whole)."""
LOG_PAGE = 100


@dataclass(frozen=True, slots=True)
class Change:
    bot: str
    session: str
    what: str
    """queued, claimed, said, changed, released, withdrawn, returned, closed, timeout (the
    handoff service), gone (left the store, seen by the poll), message (the log grew, or a
    turn changed the state)."""
    agent: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Hub:
    def __init__(self) -> None:
        self._listeners: set[asyncio.Queue[Change]] = set()
        self.watched: Counter[str] = Counter()
        """Conversations (session keys) open on a page here: their logs are looked at too."""

    @property
    def listening(self) -> bool:
        return bool(self._listeners)

    def publish(self, change: Change) -> None:
        for queue in self._listeners:
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(change)

    def heard(self, handoff: Handoff, what: str) -> None:
        """A `Handoffs` listener."""
        self.publish(Change(handoff.bot, handoff.session, what, handoff.agent))

    @contextlib.contextmanager
    def listen(self) -> Iterator[asyncio.Queue[Change]]:
        queue: asyncio.Queue[Change] = asyncio.Queue(BACKLOG)
        self._listeners.add(queue)
        try:
            yield queue
        finally:
            self._listeners.discard(queue)


Seen = tuple[str, str, float]
"""What the poll compares of a handoff: its state, its agent, when it joined the queue."""


class Poller:
    """What the stores say changed since the last look, published to the hub."""

    def __init__(self, hub: Hub, handoffs: HandoffStore, sessions: Store, bots: Iterable[str]):
        self.hub, self._handoffs, self._sessions = hub, handoffs, sessions
        self._bots = tuple(bots)
        self._seen: dict[tuple[str, str], Seen] | None = None
        """None until the first look since pages listen: that look learns and says recheck."""
        self._seqs: dict[str, int] = {}
        self._turns: dict[str, object] = {}
        """The turns each looked-at conversation had (its state changes without a log line
        when a person's change of its cart or slots is applied)."""

    async def look(self) -> None:
        if not self.hub.listening:
            self._seen, self._seqs, self._turns = None, {}, {}
            return
        try:
            await self._look()
        except BaseException:
            self._seen = None  # half-learned: the next look starts over and says recheck
            raise

    async def _look(self) -> None:
        now, primed = await self._handoff_states(), self._seen is not None
        if self._seen is not None:
            self._compare(self._seen, now)
        held = {session for (_, session), (state, _, _) in now.items() if state == "claimed"}
        await self._read_logs(held | set(self.hub.watched), primed)
        self._seen = now
        if not primed:
            for bot in self._bots:
                self.hub.publish(Change(bot, "", "recheck"))

    async def _handoff_states(self) -> dict[tuple[str, str], Seen]:
        found: dict[tuple[str, str], Seen] = {}
        for bot in self._bots:
            for handoff in [
                *await self._handoffs.queue(bot, 1000),
                *await self._handoffs.held(bot),
            ]:
                found[bot, handoff.session] = (handoff.state, handoff.agent, handoff.queued_at)
        return found

    def _compare(
        self, before: dict[tuple[str, str], Seen], now: dict[tuple[str, str], Seen]
    ) -> None:
        for (bot, session), (state, agent, _) in now.items():
            if before.get((bot, session)) != now[bot, session]:
                self.hub.publish(Change(bot, session, state, agent))
        for bot, session in before.keys() - now.keys():
            self.hub.publish(Change(bot, session, "gone"))

    async def _read_logs(self, sessions: set[str], primed: bool) -> None:
        """A conversation newly held or open since the first look may have grown between its
        change and this look: it is told too (a page fetching once more costs little); the
        first look's recheck covers them all."""
        self._seqs = {key: seq for key, seq in self._seqs.items() if key in sessions}
        self._turns = {key: turns for key, turns in self._turns.items() if key in sessions}
        for key in sessions:
            known = key in self._turns
            grew, turned = await self._grew(key), await self._turned(key)
            if (grew or turned) and (known or primed):
                self.hub.publish(Change(key.split(":", 1)[0], key, "message"))

    async def _grew(self, key: str) -> bool:
        entries = await self._sessions.log(key, after=self._seqs.get(key, 0), limit=LOG_PAGE)
        if entries:
            self._seqs[key] = int(entries[-1].get("seq", 0))
        return bool(entries)

    async def _turned(self, key: str) -> bool:
        peeked = await self._sessions.peek(key)
        turns = None if peeked is None else peeked.session.get("turns")
        known, before, self._turns[key] = key in self._turns, self._turns.get(key), turns
        return not known or before != turns
