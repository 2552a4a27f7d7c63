"""The memory store's timer heap: one entry per timer, however often the timer moves."""

from __future__ import annotations

import time

from framework.stores.memory.sessions import MemoryStore
from tests.runtime.test_store_contract import KEY, commit_for, turn


async def test_a_timer_moved_at_every_turn_keeps_one_heap_entry() -> None:
    """Every turn moves a conversation's reminder and expiry later: an entry per move kept
    ~7 M entries after an hour at 1,700 turns/s."""
    store, now = MemoryStore(), time.time()
    for number in range(1, 201):
        timers = {"reminder": now + 600 + number, "expiry": now + 3600 + number}
        await turn(store, number, commit_for(f"m{number}", number, timers=timers))
    assert len(store._due) == 2
    assert await store.fire_timers(now + 900) == [KEY]
    assert len(store._due) == 1
