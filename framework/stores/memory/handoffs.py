"""The reference handoff store: plain dicts and lists in one process's memory (the contract
suite's yardstick and the test double). No method awaits, so on one event loop each runs
whole: of two claims of one conversation, the second sees the first's agent."""

from __future__ import annotations

from framework.stores import handoff_rules as rules
from framework.stores.handoffs import CLAIMED, Handoff

__all__ = ["MemoryHandoffs"]


class MemoryHandoffs:
    def __init__(self, *, max_queue: int = rules.MAX_QUEUE) -> None:
        self._max_queue = rules.check_cap(max_queue)
        self._handoffs: dict[str, dict[str, Handoff]] = {}
        """bot -> session -> its handoff that has not ended."""
        self._queues: dict[str, list[str]] = {}
        """bot -> the session keys in its queue, the next one first."""

    def _of(self, bot: str) -> tuple[dict[str, Handoff], list[str]]:
        """The bot's handoffs and queue (nothing kept for a bot only read)."""
        return self._handoffs.get(bot, {}), self._queues.get(bot, [])

    def _apply(self, bot: str, session: str, step: rules.Step) -> Handoff:
        handoffs, queue = self._handoffs.setdefault(bot, {}), self._queues.setdefault(bot, [])
        new, where = rules.decide(handoffs.get(session), step)
        if where is None:
            return new
        if where == rules.BACK:
            if len(queue) >= self._max_queue:
                raise rules.queue_full(bot, self._max_queue)
            queue.append(session)
        elif where == rules.FRONT:
            queue.insert(0, session)
        elif session in queue:
            queue.remove(session)
        if where == rules.GONE:
            del handoffs[session]
        else:
            handoffs[session] = new
        return new

    async def request(
        self, bot: str, session: str, reason: str, channel: str, lang: str, now: float
    ) -> Handoff:
        return self._apply(bot, session, rules.requesting(bot, session, reason, channel, lang, now))

    async def position(self, bot: str, session: str) -> int | None:
        bot, session = rules.check_key(bot, session)
        queue = self._of(bot)[1]
        return queue.index(session) + 1 if session in queue else None

    async def queue(self, bot: str, limit: int = 100) -> list[Handoff]:
        handoffs, queue = self._of(rules.check_bot(bot))
        return [handoffs[session] for session in queue[: rules.check_page(limit)]]

    async def held(self, bot: str, agent: str | None = None) -> list[Handoff]:
        bot, agent = rules.check_holder(bot, agent)
        handoffs = self._of(bot)[0].values()
        found = [h for h in handoffs if h.state == CLAIMED and agent in (None, h.agent)]
        return sorted(found, key=rules.held_order)

    async def claim(self, bot: str, session: str, agent: str, now: float) -> Handoff:
        return self._apply(bot, session, rules.claiming(bot, session, agent, now))

    async def release(self, bot: str, session: str, agent: str, now: float) -> Handoff:
        return self._apply(bot, session, rules.releasing(bot, session, agent, now))

    async def end(
        self, bot: str, session: str, agent: str | None, outcome: str, now: float
    ) -> Handoff:
        return self._apply(bot, session, rules.ending(bot, session, agent, outcome, now))

    async def expired(self, bot: str, older_than: float, limit: int = 100) -> list[Handoff]:
        before, limit = rules.moment(older_than), rules.check_page(limit)
        handoffs, queue = self._of(rules.check_bot(bot))
        waiting = (handoffs[session] for session in queue)
        return sorted((h for h in waiting if h.queued_at < before), key=rules.waiting_order)[:limit]

    async def get(self, bot: str, session: str) -> Handoff | None:
        bot, session = rules.check_key(bot, session)
        return self._of(bot)[0].get(session)

    async def counts(self, bot: str) -> dict[str, int]:
        handoffs, queue = self._of(rules.check_bot(bot))
        return {"queued": len(queue), "claimed": len(handoffs) - len(queue)}

    async def close(self) -> None:
        """Nothing to release."""
