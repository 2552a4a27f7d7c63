"""A store that goes away: clear 503s, nothing half-written, recovery when it is back."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.flows import load_bot
from framework.stores.records import StoreLimits
from framework.stores.redis.sessions import RedisStore
from framework.stores.session_store import Store
from framework.workspace import Workspace
from tests.runtime.processes import free_port

COUNTER = Path(__file__).parent / "bots" / "counter"


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None, "redis-server is needed for this test"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.3)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


async def post(client: TestClient, text: str, message_id: str) -> tuple[int, object]:
    response = await client.post(
        "/webhooks/rest/webhook", json={"sender": "ada", "message": text, "message_id": message_id}
    )
    return response.status, await response.json()


async def test_a_redis_outage_gives_503_and_the_server_recovers(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    url = f"redis://127.0.0.1:{redis_server.port}/0"

    async def opener() -> Store:
        return RedisStore.from_url(url, StoreLimits())

    app = create_app(
        Workspace(root=tmp_path, bots=(COUNTER,)), {"counter": load_bot(COUNTER)}, store=opener
    )
    async with TestClient(TestServer(app)) as client:
        assert (await post(client, "hello", "1"))[0] == 200
        redis_server.stop()
        status, body = await post(client, "first", "2")
        assert status == 503
        assert body["error"] == "temporarily unavailable: try again shortly"  # type: ignore[index]
        assert "127.0.0.1" not in str(body) and "redis" not in str(body).lower()
        ready = await client.get("/ready")
        assert ready.status == 503
        assert (await client.get("/health")).status == 200  # the process itself is fine
        redis_server.start()
        deadline = time.monotonic() + 10
        while (await client.get("/ready")).status != 200:
            assert time.monotonic() < deadline, "the server did not recover"
            await asyncio.sleep(0.1)
        status, replies = await post(client, "first", "2")
        assert status == 200
        assert replies  # answered again (this throwaway Redis kept no data across the restart)
