"""What the store contract suites share: where a test's stores of each kind live, one opener
for several stores on the same data (as a deployment's workers open them), and the cleanup of
a test's Redis keys (on a single server and on the run's three-node cluster alike)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pytest

from framework.stores.opening import StoreURL
from framework.stores.redis.connection import bounded_client
from tests.payments.test_order_store import REDIS_URL
from tests.runtime.cluster import cluster_url
from tests.stores.test_ticket_store import with_query

__all__ = ["KINDS", "delete_keys", "store_url", "stores_of"]

KINDS = ["memory", "sqlite", "redis", "redis-cluster"]


class Closing(Protocol):
    async def close(self) -> None: ...


S = TypeVar("S", bound=Closing)


async def delete_keys(url: str, prefix: str) -> None:
    """The keys a test wrote under its prefix, one at a time (a cluster's are on many nodes)."""
    client = bounded_client(url)
    try:
        for found in [k async for k in client.scan_iter(match=f"{prefix}:*", count=1000)]:
            await client.delete(found)
    finally:
        await client.aclose()


def store_url(kind: str, folder: Path, config: pytest.Config, prefix: str) -> str:
    """Where a test's stores of that kind live: a file in its folder, or its Redis prefix."""
    if kind in ("memory", "sqlite"):
        return f"{kind}:///{folder / 'state.db'}"
    return with_query(REDIS_URL if kind == "redis" else cluster_url(config), prefix)


@asynccontextmanager
async def stores_of(
    kind: str, url: str, prefix: str, memory: S, open_url: Callable[[str], Awaitable[Any]]
) -> AsyncIterator[Callable[[], Awaitable[S]]]:
    """Opens stores on one set of data: memory lives in one process, so there it is always
    `memory`; the others are opened from `url` each time. All are closed afterwards, and a
    Redis test's keys deleted."""
    opened: list[S] = []

    async def open_one() -> S:
        if kind == "memory":
            return memory
        opened.append(await open_url(url))
        return opened[-1]

    try:
        yield open_one
    finally:
        for store in opened:
            await store.close()
        if kind.startswith("redis"):
            await delete_keys(StoreURL.parse(url).url, prefix)
