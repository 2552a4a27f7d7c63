"""Connecting to Redis: a bounded pool, and Redis failures turned into StoreError with advice
(never with data), for every Redis store."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import AuthenticationError, ConnectionError, RedisError, TimeoutError

from framework.stores.session_store import StoreError

__all__ = ["bounded_client", "guarded"]

P = ParamSpec("P")
R = TypeVar("R")


class OnRedis(Protocol):
    address: str
    """Where the Redis server is (host:port or a socket path), for error messages."""


S = TypeVar("S", bound=OnRedis)


def guarded(
    method: Callable[Concatenate[S, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, R]]:
    """Redis failures become StoreError (the turn can be retried), with advice, without data."""

    @functools.wraps(method)
    async def guarded(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(self, *args, **kwargs)
        except AuthenticationError as error:
            raise StoreError(
                f"Redis at {self.address} refused the login; check the store URL's password"
            ) from error
        except (ConnectionError, TimeoutError) as error:
            if "No connection available" in str(error):
                raise StoreError(
                    f"every connection to Redis at {self.address} stayed busy; raise "
                    "max_connections or run fewer turns at once"
                ) from error
            raise StoreError(
                f"Redis at {self.address} does not answer: {type(error).__name__}; is it running?"
            ) from error
        except RedisError as error:
            code = (str(error).split() or ["error"])[0]
            raise StoreError(
                f"Redis at {self.address} refused an operation ({code}); check that it is a "
                "writable primary with free memory (maxmemory)"
            ) from error

    return guarded


def bounded_client(url: str, max_connections: int = 50, timeout: float = 5.0) -> Redis:
    """A client on a bounded pool: callers wait up to `timeout` for a connection (a burst
    queues instead of failing), a dead Redis fails fast, and a dropped connection (a restarted
    Redis) is retried once on a new one."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=timeout,
        socket_timeout=timeout,
        socket_connect_timeout=min(timeout, 1.5),
        decode_responses=True,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 1, (ConnectionError,)),
    )
    return Redis.from_pool(pool)
