"""A conversation's state as it is now, read without a lease and without writing: what the
agent inbox shows of it (the slots and cart the flow collected, when the customer last wrote).

The store protocol has no such read (a turn loads a session only with a claim, which needs an
inbox item and takes the lease), so this module reads each backend's own keeping of the state,
as framework/stores/*/sessions.py documents it. It is read-only and may be a moment old; a
backend it does not know gives None and the inbox says it cannot show the state.
"""

from __future__ import annotations

import json
from typing import Any

from framework.stores.session_store import Store

__all__ = ["session_state"]

_SQL = "SELECT state FROM sessions WHERE key = ?"


async def session_state(store: Store, key: str) -> dict[str, Any] | None:
    """The conversation's stored state (slots, cart, flags, lang, …); None when it has none or
    the store is of a kind this module cannot read."""
    kept = await _kept(store, key)
    if not kept:
        return None
    state = json.loads(kept)
    return state if isinstance(state, dict) else None


async def _kept(store: Store, key: str) -> str | None:
    from framework.stores.memory.sessions import MemoryStore
    from framework.stores.sqlite.sessions import SqliteStore

    if isinstance(store, MemoryStore):
        found = store._sessions.get(key)
        return None if found is None else found.state
    if isinstance(store, SqliteStore):
        row = await store._call(False, store._row, _SQL, key)
        return None if row is None else row[0]
    return await _redis_kept(store, key)


async def _redis_kept(store: Store, key: str) -> str | None:
    from redis.exceptions import RedisError

    from framework.stores.redis.sessions import RedisStore

    if not isinstance(store, RedisStore):
        return None
    try:
        kept = await store._redis.get(store.session_keys(key).state)
    except RedisError:  # the page shows the rest; the store's own calls report the outage
        return None
    if kept is None:
        return None
    text = kept.decode() if isinstance(kept, bytes) else str(kept)
    return text.partition("|")[2].removeprefix("+") or None
