"""Connecting to Redis (one server, or a Redis Cluster): a bounded pool, and Redis failures
turned into StoreError with advice (never with data), for every Redis store.

Store URLs: redis://[user:password@]host:port/db (rediss:// with TLS) for
one Redis; redis+cluster://[user:password@]host:port[,host:port...] (rediss+cluster:// with
TLS) for a Redis Cluster: the nodes listed are where the client starts to learn the cluster,
it finds the others itself; a cluster has only database 0. Query options (e.g.
?ssl_cert_reqs=none) pass on to redis-py as for redis://.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextvars import ContextVar
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import BlockingConnectionPool, Redis, RedisCluster
from redis.asyncio.cluster import ClusterNode, ClusterPipeline
from redis.asyncio.connection import AbstractConnection, ConnectionPoolInterface
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.driver_info import DriverInfo
from redis.exceptions import (
    AuthenticationError,
    ClusterError,
    RedisClusterException,
    RedisError,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.typing import EncodableT

from framework.optional import optional_module
from framework.stores.session_store import StoreError

__all__ = [
    "CLUSTER_SCHEMES",
    "BoundedCluster",
    "Client",
    "HeldConnection",
    "address_of",
    "bounded_client",
    "guarded",
]

P = ParamSpec("P")
R = TypeVar("R")

Client = Redis | RedisCluster
"""One Redis or a Redis Cluster: the stores use only what both offer."""

CLUSTER_SCHEMES = ("redis+cluster://", "rediss+cluster://")


class OnRedis(Protocol):
    address: str
    """Where Redis is (host:port, a socket path, or a cluster's nodes), for error messages."""


S = TypeVar("S", bound=OnRedis)


def _advice(error: Exception, address: str) -> str:
    """What a Redis failure means and what to do about it; never the data it carried."""
    if isinstance(error, AuthenticationError):
        return f"Redis at {address} refused the login; check the store URL's password"
    if isinstance(error, RedisClusterException) and isinstance(
        error.__cause__, (RedisConnectionError, RedisTimeoutError)
    ):
        error = error.__cause__  # no node of the cluster answered
    if isinstance(error, (RedisConnectionError, RedisTimeoutError)):
        if "No connection available" in str(error):
            return (
                f"every connection to Redis at {address} stayed busy; raise "
                "max_connections or run fewer turns at once"
            )
        return f"Redis at {address} does not answer: {type(error).__name__}; is it running?"
    if isinstance(error, (RedisClusterException, ClusterError)):
        return (
            f"the Redis Cluster at {address} cannot serve ({type(error).__name__}); check that "
            "CLUSTER INFO says cluster_state:ok on every node (one Redis takes redis://)"
        )
    code = (str(error).split() or ["error"])[0]
    return (
        f"Redis at {address} refused an operation ({code}); check that it is a writable "
        "primary with free memory (maxmemory)"
    )


def guarded(
    method: Callable[Concatenate[S, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, R]]:
    """Redis failures become StoreError (the turn can be retried), with advice, without data."""

    @functools.wraps(method)
    async def guarded(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(self, *args, **kwargs)
        except (RedisError, RedisClusterException) as error:
            raise StoreError(_advice(error, self.address)) from error

    return guarded


def address_of(client: Client) -> str:
    """Where the client connects (a cluster: the nodes it starts from), for error messages."""
    if isinstance(client, RedisCluster):
        return ",".join(sorted(node.name for node in client.startup_nodes))
    kwargs = client.connection_pool.connection_kwargs
    return str(kwargs.get("path") or f"{kwargs.get('host')}:{kwargs.get('port')}")


def bounded_client(url: str, max_connections: int = 50, timeout: float = 5.0) -> Client:
    """A client on a bounded pool: callers wait up to `timeout` for a connection (a burst
    queues instead of failing), a dead Redis fails fast, and a dropped connection (a restarted
    Redis) is retried once on a new one. A redis+cluster:// URL gives a cluster client with
    the same bounds (per node). The name and version every connection tells Redis (CLIENT
    SETINFO) are looked up once here: redis-py looks up its version in the installed packages'
    metadata for every new connection of a pool (2.4 ms each, 50 of them in a burst)."""
    options: dict[str, Any] = {
        "socket_timeout": timeout,
        "socket_connect_timeout": min(timeout, 1.5),
        "decode_responses": True,
        "retry": Retry(ExponentialBackoff(cap=0.2, base=0.05), 1, (RedisConnectionError,)),
        "driver_info": DriverInfo(),
    }
    if url.startswith(CLUSTER_SCHEMES):
        return _bounded_cluster(url, max_connections, timeout, options)
    pool = BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=timeout, **options
    )
    pool.connection_class = packing(pool.connection_class)  # TCP, TLS, a socket: as the URL says
    return Redis.from_pool(pool)


hiredis: Any = optional_module("hiredis")
"""hiredis when it is installed (the `fast` extra), else None (tests set it to None)."""


class PackedCommands(AbstractConnection):
    """Commands packed in C by hiredis, as redis-py's synchronous client packs them: its asyncio
    client packs every argument in Python: 12.6 % of a Redis turn's instructions in the server
    with 50 customers (benchmarks/README.md, 2026-12-04 late). The same bytes (str as UTF-8,
    int and float as their repr); whatever hiredis refuses (a bool, None, a bytearray) goes to
    redis-py's own packing, which packs it or refuses it as before."""

    def pack_command(self, *args: EncodableT) -> list[bytes]:
        encoder = self.encoder
        if hiredis is None or (encoder.encoding, encoder.encoding_errors) != ("utf-8", "strict"):
            return super().pack_command(*args)
        first = args[0]
        if isinstance(first, str):  # "CONFIG GET": the words go as arguments of their own
            args = (*first.encode().split(), *args[1:])
        elif isinstance(first, bytes) and b" " in first:
            args = (*first.split(), *args[1:])
        try:
            return [hiredis.pack_command(args)]
        except TypeError:
            return super().pack_command(*args)


def packing(connection: type[AbstractConnection]) -> type[AbstractConnection]:
    """`connection` packing its commands by hiredis (PackedCommands)."""
    return type(f"Packed{connection.__name__}", (PackedCommands, connection), {})


class HeldConnection:
    """Pipelines of one sender (a store's round trips, one at a time) on one connection of a
    Redis client's pool, taken at the first and kept until `release`. redis-py's pipeline
    takes a connection from the pool and gives it back for every round trip, and reads each
    reply under a timeout of its own: with the session store's calls it was a fifth of the
    instructions a Redis turn spent in redis-py. Here the replies of a round trip are read
    under one timeout (the client's socket timeout), an error reply takes its command's place
    (as with `execute(raise_on_error=False)`), and a dropped connection is tried once more
    on a new one (the client's retry), as a pipeline is."""

    def __init__(self, client: Redis) -> None:
        self._pool: ConnectionPoolInterface = client.connection_pool
        self._connection: AbstractConnection | None = None

    async def pipeline(self, commands: Sequence[Sequence[EncodableT]]) -> list[Any]:
        if self._connection is None:
            self._connection = await self._pool.get_connection()
        connection = self._connection
        return await connection.retry.call_with_retry(
            lambda: _replies(connection, commands), lambda _: connection.disconnect()
        )

    async def release(self) -> None:
        """Give the connection back to the pool (the sender has nothing more to send)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            await self._pool.release(connection)


class _Parser(Protocol):
    """What every parser of redis-py's asyncio connections has (RESP2, RESP3, hiredis)."""

    async def read_response(self, disable_decoding: bool = False) -> Any: ...


async def _replies(
    connection: AbstractConnection, commands: Sequence[Sequence[EncodableT]]
) -> list[Any]:
    """The replies of a pipeline, read by the connection's parser under one timeout: the
    connection's `read_response` adds ~1 µs a reply around it (a timeout of its own, the
    address formatted for an error message that is rarely raised). As there, an error reply
    is a ResponseError in place of its reply, and a failed read disconnects (what is left of
    the replies would be read by the next command): a lost connection is a ConnectionError
    (the retry takes a new one), a reply late beyond the socket timeout a TimeoutError."""
    await connection.send_packed_command(connection.pack_commands(commands))
    read = cast(_Parser, connection._parser).read_response
    replies: list[Any] = []
    try:
        async with asyncio.timeout(connection.socket_timeout):
            for _ in commands:
                replies.append(await read())
    except BaseException as error:
        await connection.disconnect(nowait=True)
        if isinstance(error, TimeoutError):
            raise RedisTimeoutError("Timeout reading the replies of a pipeline") from None
        if isinstance(error, OSError):
            raise RedisConnectionError(
                f"Error reading the replies of a pipeline: {error}"
            ) from error
        raise
    return replies


def _seed(address: str, url: str) -> tuple[str, int]:
    host, colon, port = address.rpartition(":")
    if not colon:
        return address.strip("[]"), 6379
    if not port.isdigit() or not host:
        raise StoreError(f"{url!r}: a cluster node is host:port, not {address!r}")
    return host.strip("[]"), int(port)


def _bounded_cluster(
    url: str, max_connections: int, timeout: float, options: dict[str, Any]
) -> RedisCluster:
    scheme = url.split("+", 1)[0]
    parts = urlsplit(f"{scheme}://{url.split('://', 1)[1]}")
    login, at, nodes = parts.netloc.rpartition("@")
    if not nodes or parts.path.strip("/") not in ("", "0"):
        raise StoreError(
            "a Redis Cluster URL is redis+cluster://host:port[,host:port...] (database 0 only)"
        )
    seeds = [_seed(node, url) for node in nodes.split(",")]
    first = urlunsplit((scheme, f"{login}{at}{nodes.split(',')[0]}", "", parts.query, ""))
    others = [ClusterNode(host, port) for host, port in seeds[1:]]
    return BoundedCluster.from_url(
        first,
        startup_nodes=others,
        max_connections=max_connections,
        wait=timeout,
        **options,
    )


_HOLDING: ContextVar[bool] = ContextVar("theke_redis_turn", default=False)
"""The current task holds one of a BoundedCluster's turns (a pipeline that follows a
redirection sends a command while it holds its own)."""


class BoundedCluster(RedisCluster):
    """A RedisCluster whose callers wait up to `wait` seconds for a turn when
    `max_connections` commands or pipelines are under way (RedisCluster alone fails at once
    when a node has no free connection): none of them needs more than one connection per
    node, so no node is asked for more."""

    def __init__(self, *args: Any, wait: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._turns = asyncio.Semaphore(kwargs.get("max_connections", 100))
        self._wait = wait

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        if _HOLDING.get():
            yield
            return
        try:
            async with asyncio.timeout(self._wait):
                await self._turns.acquire()
        except TimeoutError as error:
            raise RedisConnectionError("No connection available.") from error
        holding = _HOLDING.set(True)
        try:
            yield
        finally:
            _HOLDING.reset(holding)
            self._turns.release()

    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        async with self.turn():
            if self.get_default_node() is None:
                # RedisCluster picks a command's node before it learns the cluster: the first
                # commands would go to random nodes, and their redirections close every
                # connection (those of the other first commands too)
                await self.initialize()
            return await super().execute_command(*args, **kwargs)

    def pipeline(
        self, transaction: Any | None = None, shard_hint: Any | None = None
    ) -> ClusterPipeline:
        if shard_hint:
            return super().pipeline(transaction, shard_hint)  # refused, as RedisCluster does
        return _BoundedPipeline(self, transaction)


class _BoundedPipeline(ClusterPipeline):
    def __init__(self, client: BoundedCluster, transaction: Any | None) -> None:
        super().__init__(client, transaction)
        self._bounded = client
        self._event_dispatcher = client._event_dispatcher  # what redis-py's commands expect

    async def execute(
        self, raise_on_error: bool = True, allow_redirections: bool = True
    ) -> list[Any]:
        async with self._bounded.turn():
            return await super().execute(raise_on_error, allow_redirections)
