"""Stores for the contract suite: memory, sqlite (a temporary file), redis (a real server) and
redis-cluster (a real three-node Redis Cluster, tests/runtime/cluster.py).

Redis is `REDIS_URL` when set, else a throwaway `redis-server` on a free port started for the
test run; the cluster likewise (`REDIS_CLUSTER_URL`). Each test gets its own key prefix, so
tests never see each other's data.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis

from framework.stores.memory.sessions import MemoryStore
from framework.stores.records import StoreLimits
from framework.stores.session_store import Store
from tests.runtime.cluster import cluster_url
from tests.runtime.processes import free_port

STORES = ["memory", "sqlite", "redis", "redis-cluster"]


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed and REDIS_URL is not set")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def redis_url_for(kind: str, request: pytest.FixtureRequest) -> str:
    """The Redis a store kind runs on: the server, the cluster, or none ("")."""
    if kind == "redis":
        return str(request.getfixturevalue("redis_url"))
    return cluster_url(request.config) if kind == "redis-cluster" else ""


def url_for_workers(kind: str, request: pytest.FixtureRequest) -> str:
    """The Redis for `theke run` worker processes, under a key prefix of this test's own
    (`?prefix=` of the store URL): neither an earlier test's sessions and timers nor another
    test run on the same Redis reach this test's workers."""
    url = redis_url_for(kind, request)
    if not url:
        return url
    prefix = f"workers-{uuid.uuid4().hex[:12]}"
    if kind == "redis":
        request.addfinalizer(lambda: _delete_keys(url, f"{prefix}:*"))
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}prefix={prefix}"


def _delete_keys(url: str, pattern: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter(match=pattern, count=1000):
            client.delete(key)
    finally:
        client.close()


async def open_test_store(kind: str, tmp_path: Path, redis_url: str, limits: StoreLimits) -> Store:
    if kind == "memory":
        return MemoryStore(limits)
    if kind == "sqlite":
        from framework.stores.sqlite.sessions import SqliteStore

        return await SqliteStore.open(str(tmp_path / "state.db"), limits)
    from framework.stores.redis.sessions import RedisStore

    return RedisStore.from_url(redis_url, limits, prefix=f"test-{uuid.uuid4().hex[:8]}")


@pytest.fixture(params=STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def limits() -> StoreLimits:
    return StoreLimits()


@pytest.fixture
async def store(
    store_kind: str, tmp_path: Path, request: pytest.FixtureRequest, limits: StoreLimits
) -> AsyncIterator[Store]:
    opened = await open_test_store(store_kind, tmp_path, redis_url_for(store_kind, request), limits)
    yield opened
    await opened.close()
