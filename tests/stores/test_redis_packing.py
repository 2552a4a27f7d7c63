"""Redis commands packed by hiredis (stores/redis/connection.py): the bytes redis-py's own
packing sends, and what hiredis refuses packed or refused as redis-py does."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio.connection import Connection, SSLConnection, UnixDomainSocketConnection
from redis.exceptions import DataError

from framework.stores.redis import connection
from framework.stores.redis.connection import bounded_client, packing

pytest.importorskip("hiredis")  # in the `fast` extra, locked in requirements/dev.txt

COMMANDS: list[tuple[Any, ...]] = [
    ("EVALSHA", "f" * 40, 2, "theke:{pizza:rest:ada}:seen", "k2", "id", '{"t":"Grüße 😀"}'),
    ("SET", b"key", b"a b", memoryview(b"view"), bytearray(b"array")),
    ("ZADD", "z", 0.1, 1e20, -5, 2**70, float("inf")),
    ("CONFIG GET", "maxmemory"),
    (b"CONFIG GET", "maxmemory"),
]


@pytest.fixture(params=["hiredis", "python"])
def packed(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Connection:
    if request.param == "python":
        monkeypatch.setattr(connection, "hiredis", None)
    return packing(Connection)()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_command_is_packed_as_redis_py_packs_it(
    packed: Connection, command: tuple[Any, ...]
) -> None:
    assert b"".join(packed.pack_command(*command)) == b"".join(
        bytes(part) for part in Connection().pack_command(*command)
    )


def test_a_pipeline_is_packed_as_redis_py_packs_it(packed: Connection) -> None:
    assert b"".join(packed.pack_commands(COMMANDS)) == b"".join(
        bytes(part) for part in Connection().pack_commands(COMMANDS)
    )


@pytest.mark.parametrize("value", [True, None, object()])
def test_what_redis_py_refuses_is_refused(packed: Connection, value: Any) -> None:
    with pytest.raises(DataError):
        packed.pack_command("SET", "key", value)


def test_a_text_that_is_no_utf8_is_refused(packed: Connection) -> None:
    with pytest.raises(UnicodeEncodeError):
        packed.pack_command("SET", "key", "\ud800")


def test_another_encoding_is_left_to_redis_py() -> None:
    latin = packing(Connection)(encoding="latin-1")
    assert latin.pack_command("SET", "k", "é") == Connection(encoding="latin-1").pack_command(
        "SET", "k", "é"
    )


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("redis://127.0.0.1:6379/11", Connection),
        ("rediss://127.0.0.1:6379/11", SSLConnection),
        ("unix:///tmp/redis.sock", UnixDomainSocketConnection),
    ],
)
async def test_every_kind_of_connection_packs_by_hiredis(url: str, kind: type) -> None:
    client = bounded_client(url)
    try:
        made = client.connection_pool.connection_class
        assert issubclass(made, kind) and issubclass(made, connection.PackedCommands)
    finally:
        await client.aclose()
