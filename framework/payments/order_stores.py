"""Opening the order store that lives beside a session store, from the same URL.

The URL kinds are the runtime's (framework/runtime/stores.py): memory://, sqlite:///path (the
same file, a relative path taken from `root`) and redis://host:port/db (the same server).
"""

from __future__ import annotations

from pathlib import Path

from framework.payments.memory_orders import MemoryOrders
from framework.payments.order_store import OrderStore
from framework.runtime.stores import store_kind

__all__ = ["open_orders"]


async def open_orders(url: str, root: Path | None = None) -> OrderStore:
    kind = store_kind(url)
    if kind == "memory":
        return MemoryOrders()
    if kind == "sqlite":
        from framework.payments.sqlite_orders import SqliteOrders

        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_absolute() and root is not None:
            path = root / path
        return await SqliteOrders.open(path)
    from framework.payments.redis_orders import RedisOrders

    return RedisOrders.from_url(url)
