"""Slow, stalled, oversized and abandoned requests cost the server nothing lasting.

The attacks, over real sockets: a body that trickles in (or stops) after its headers held a
handler open for as long as the client liked; a declared Content-Length of 10 MB was read up to
the limit before being refused; headers sent a byte at a time (slowloris) kept the connection
for an hour (aiohttp's keep-alive default), so such connections piled up. Now the server's
settings (`limits.header_timeout`, `limits.body_timeout`, here shortened so the tests are quick)
close them, and a client that gives up mid-body is one line in the log.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from framework.app import create_app
from framework.edge.limits import server_options
from framework.flows import load_bot
from framework.stores.memory.sessions import MemoryStore
from framework.stores.session_store import Store
from framework.workspace import Workspace, read_workspace
from tests.runtime.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
COUNTER = ROOT / "tests" / "runtime" / "bots" / "counter"
HEADER_TIMEOUT = 0.5
BODY_TIMEOUT = 0.5
PATIENCE = 15.0
"""How long a test waits for the server to act: far beyond the timeouts, far below the old
behaviour (an hour)."""
HEAD = (
    "POST /webhooks/rest/webhook HTTP/1.1\r\nHost: shop\r\n"
    "Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
)


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Served]:
    store = MemoryStore()

    async def opener() -> Store:
        return store

    workspace = Workspace(
        root=tmp_path,
        bots=(COUNTER,),
        header_timeout=HEADER_TIMEOUT,
        body_timeout=BODY_TIMEOUT,
    )
    app = create_app(workspace, {"counter": load_bot(COUNTER)}, store=opener)
    runner = web.AppRunner(app, **server_options(workspace.header_timeout))  # as `theke run`
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield Served(runner, port)
    await runner.cleanup()


@dataclass(frozen=True)
class Served:
    runner: web.AppRunner
    port: int


async def connect(server: Served) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", server.port)


async def answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """The server's answer: status, headers and the body of its Content-Length. Not read up
    to the connection's end: a client still trickling when the server closes gets a reset
    (the server's lingering read is over), and a reset drops what a read-to-the-end held."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), PATIENCE)
    status_line, *lines = head[:-4].decode().split("\r\n")
    headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines)}
    length = int(headers.get("content-length", "0"))
    body = await asyncio.wait_for(reader.readexactly(length), PATIENCE)
    return int(status_line.split()[1]), headers, body


async def test_a_stalled_body_gets_408_and_the_connection_is_closed(server: Served) -> None:
    reader, writer = await connect(server)
    writer.write(HEAD.format(length=100).encode() + b'{"sender": "a')
    await writer.drain()
    status, headers, body = await answer(reader)  # before: no answer, ever
    assert status == 408
    assert headers["connection"] == "close"
    assert "limits.body_timeout" in json.loads(body)["error"]
    writer.close()


async def test_a_trickling_body_gets_408(server: Served) -> None:
    reader, writer = await connect(server)
    writer.write(HEAD.format(length=10_000).encode())

    async def trickle() -> None:
        for _ in range(int(PATIENCE / 0.05)):
            writer.write(b" ")  # a byte now and then: each read finds something
            await writer.drain()
            await asyncio.sleep(0.05)

    dripping = asyncio.ensure_future(trickle())
    try:
        status, _, _ = await answer(reader)
    finally:
        dripping.cancel()
    assert status == 408
    writer.close()


async def test_a_declared_length_above_the_limit_is_refused_before_reading(
    server: Served,
) -> None:
    reader, writer = await connect(server)
    writer.write(HEAD.format(length=10 * 1024 * 1024).encode())  # and not one byte of it
    await writer.drain()
    status, headers, body = await answer(reader)  # before: waited for 64 KB that never came
    assert status == 413
    assert headers["connection"] == "close"
    assert "limits.max_body" in json.loads(body)["error"]
    writer.close()


async def test_slow_headers_are_cut_off_and_do_not_pile_up(server: Served) -> None:
    """Slowloris: many connections, each sending its headers a byte at a time."""
    request = b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: shop\r\nX-Padding: " + b"a" * 1000

    async def slowloris() -> bool:
        reader, writer = await connect(server)
        try:
            for byte in request:
                writer.write(bytes([byte]))
                await writer.drain()
                if await _closed(reader, 0.05):
                    return True
            return False
        except ConnectionError:
            return True
        finally:
            writer.close()

    closed = await asyncio.wait_for(asyncio.gather(*(slowloris() for _ in range(30))), PATIENCE)
    assert all(closed)
    handler = server.runner.server
    assert handler is not None and handler.connections == []


async def test_an_idle_connection_is_closed(server: Served) -> None:
    reader, writer = await connect(server)
    assert await asyncio.wait_for(reader.read(), PATIENCE) == b""  # closed, nothing said
    writer.close()


async def _closed(reader: asyncio.StreamReader, wait: float) -> bool:
    try:
        return await asyncio.wait_for(reader.read(1), wait) == b""
    except TimeoutError:
        return False


async def test_an_aborted_request_is_one_line_in_the_log(
    server: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _reader, writer = await connect(server)
    writer.write(HEAD.format(length=1000).encode() + b'{"sender": "a')
    await writer.drain()
    await asyncio.sleep(0.1)
    writer.close()  # the client gives up
    for _ in range(100):
        if "request aborted by the client" in caplog.text:
            break
        await asyncio.sleep(0.02)
    aborted = [r for r in caplog.records if r.getMessage() == "request aborted by the client"]
    assert len(aborted) == 1 and aborted[0].levelno == logging.INFO
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING] == []


async def test_a_body_in_time_is_served(server: Served) -> None:
    reader, writer = await connect(server)
    body = json.dumps({"sender": "a", "message": "hi"}).encode()
    writer.write(HEAD.format(length=len(body)).encode().replace(b"\r\n\r\n", b"\r\n"))
    writer.write(b"Connection: close\r\n\r\n" + body)
    status, _, _ = await answer(reader)
    assert status == 200
    writer.close()


def test_the_timeouts_are_read_from_flows_yaml(tmp_path: Path) -> None:
    (tmp_path / "flows.yaml").write_text(
        f"bots: [{COUNTER}]\nlimits: {{header_timeout: 5s, body_timeout: 1m}}\n"
    )
    workspace, problems = read_workspace(tmp_path)
    assert problems == [] and workspace is not None
    assert (workspace.header_timeout, workspace.body_timeout) == (5.0, 60.0)
    defaults = Workspace(root=tmp_path, bots=(COUNTER,))
    assert defaults.header_timeout <= 30 and defaults.body_timeout <= 30
    (tmp_path / "flows.yaml").write_text(f"bots: [{COUNTER}]\nlimits: {{body_timeout: 2h}}\n")
    assert read_workspace(tmp_path)[0] is None  # an hour-long body is no limit
