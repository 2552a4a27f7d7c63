"""Opening a store from its URL: memory://, sqlite:///path, redis://host:port/db."""

from __future__ import annotations

from pathlib import Path

from framework.runtime.memory import MemoryStore
from framework.runtime.records import StoreLimits
from framework.runtime.store import Store, StoreError

__all__ = ["open_store", "store_kind"]


def store_kind(url: str) -> str:
    for prefix, kind in (("memory://", "memory"), ("sqlite:///", "sqlite"), ("redis", "redis")):
        if url.startswith(prefix):
            return kind
    scheme = url.split(":", 1)[0]
    raise StoreError(f"unknown store {scheme!r}: use memory://, sqlite:///file or redis://")


async def open_store(url: str, limits: StoreLimits, root: Path | None = None) -> Store:
    """Relative SQLite paths are taken from `root` (the workspace folder)."""
    kind = store_kind(url)
    if kind == "memory":
        return MemoryStore(limits)
    if kind == "sqlite":
        from framework.runtime.sqlite import SqliteStore

        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_absolute() and root is not None:
            path = root / path
        return await SqliteStore.open(str(path), limits)
    from framework.runtime.redis import RedisStore

    return RedisStore.from_url(url, limits)
