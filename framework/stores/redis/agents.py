"""Agents in the session store's Redis, under the same key prefix.

Keys, all in the hash tag `{%agents}` (one Redis Cluster slot for the workspace's agents,
never a session's: a session key's tag has its `%` escaped, and agent names hold no braces):

    <prefix>:{%agents}:agents            hash: name in lowercase -> the agent's JSON (with its
                                         hash and epoch; HSETNX-like: names are unique)
    <prefix>:{%agents}:session:<sha256>  string: a session's JSON under its token's SHA-256,
                                         expiring with the session
    <prefix>:{%agents}:tries:<name>      string: the name's sign-in attempts, expiring when
                                         they no longer matter

A change reads the agent's JSON (HGET), applies the change in Python (agent_rules.py, shared
with the other stores) and keeps the result with PUT, which writes only if the JSON is still
the one read (else it is read and decided again); an attempt is counted the same way on its
tries with SWAP. So of fifty attempts at once from many workers, exactly MAX_ATTEMPTS are
checked. Sessions are not indexed per agent: a change that ends them gives the agent a new
epoch, and a session of an older epoch (or of a removed agent) is refused and deleted when
read, or expires. The TTLs only collect garbage: what is live is decided by the times the
calls pass. Redis failures become StoreError, as in the other Redis stores.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Awaitable, Callable
from typing import TypeVar, cast

from framework.stores import agent_rules as rules
from framework.stores.agents import ATTEMPT_WINDOW, DEFAULT_TTL, LOCKOUT, Agent, SignedIn
from framework.stores.redis.connection import Client, address_of, bounded_client, guarded
from framework.stores.session_store import StoreError

__all__ = ["TRIES", "RedisAgents"]

T = TypeVar("T")

TRIES = 100
"""Times a change is decided again because other workers changed the same thing first."""

# KEYS agents; ARGV name key, the JSON read ('' none), the JSON to keep ('' none)
# -> 1 kept, 0 changed meanwhile (nothing written)
PUT = """
if (redis.call('HGET', KEYS[1], ARGV[1]) or '') ~= ARGV[2] then return 0 end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1])
else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
return 1
"""

# KEYS tries; ARGV the JSON read ('' none), the JSON to keep, seconds to keep it
# -> 1 kept, 0 changed meanwhile (nothing written)
SWAP = """
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
"""

Decision = Callable[[str | None], tuple[str, T]]
"""From what is kept (None: nothing), what to keep instead ('' nothing) and the outcome."""
Load = Callable[[], Awaitable[str | None]]
Store = Callable[[str, str], Awaitable[bool]]
"""Keep the second JSON if the first is still kept ('' nothing); False when it was not."""
_TRIES_KEPT = math.ceil(max(ATTEMPT_WINDOW, LOCKOUT))
"""Seconds a name's tries are kept after their last change: at most this long they matter."""


class RedisAgents:
    def __init__(self, client: Client, prefix: str = "theke"):
        if "{" in prefix or "}" in prefix:
            raise ValueError("a Redis key prefix cannot contain { or }")
        self._redis = client
        self.address = address_of(client)
        self._tag = f"{prefix}:{{%agents}}"
        self._agents = f"{self._tag}:agents"
        self._put = client.register_script(PUT)
        self._swap = client.register_script(SWAP)

    @classmethod
    def from_url(
        cls, url: str, prefix: str = "theke", *, max_connections: int = 20, timeout: float = 5.0
    ) -> RedisAgents:
        return cls(bounded_client(url, max_connections, timeout), prefix)

    async def _decided(self, load: Load, store: Store, decide: Decision[T], what: str) -> T:
        """Load, decide and store (compare-and-set) until no other worker came between."""
        for _ in range(TRIES):
            kept = await load()
            keep, outcome = decide(kept)
            if await store(kept or "", keep):
                return outcome
        raise StoreError(f"{what} changed {TRIES} times while it was decided; try again")

    def _changing(self, name: str, change: rules.Change | None) -> Decision[Agent]:
        """The decision that applies `change` to the agent (None: removes it)."""

        def decide(kept: str | None) -> tuple[str, Agent]:
            if kept is None:
                raise rules.not_found(name)
            if change is None:
                return "", rules.load(kept)
            new = change(rules.load(kept))
            return rules.dumped(new), new

        return decide

    async def _change(self, name: str, change: rules.Change | None) -> Agent:
        key = rules.key_of(name)

        async def load() -> str | None:
            return cast(str | None, await self._redis.hget(self._agents, key))

        async def store(read: str, keep: str) -> bool:
            return bool(await self._put(keys=[self._agents], args=[key, read, keep]))

        return await self._decided(load, store, self._changing(name, change), "the agent")

    async def _find(self, key: str) -> Agent | None:
        kept = cast(str | None, await self._redis.hget(self._agents, key))
        return None if kept is None else rules.load(kept)

    @guarded
    async def add(self, agent: Agent, password: str, now: float) -> Agent:
        new = await rules.new_account(agent, password, now)
        if not await self._put(keys=[self._agents], args=[new.name.lower(), "", rules.dumped(new)]):
            raise rules.exists(new.name)
        return new

    @guarded
    async def remove(self, name: str) -> Agent:
        return await self._change(name, None)

    @guarded
    async def get(self, name: str) -> Agent | None:
        return await self._find(rules.key_of(name))

    @guarded
    async def list(self) -> builtins.list[Agent]:
        found = cast(dict[str, str], await self._redis.hgetall(self._agents))
        return [rules.load(found[key]) for key in sorted(found)]

    @guarded
    async def set_password(self, name: str, password: str) -> Agent:
        rules.key_of(name)
        return await self._change(name, await rules.repassword(password))

    @guarded
    async def set_disabled(self, name: str, disabled: bool) -> Agent:
        return await self._change(name, rules.disabling(disabled))

    async def _attempt(self, key: str, now: float) -> None:
        where = f"{self._tag}:tries:{key}"

        async def load() -> str | None:
            return cast(str | None, await self._redis.get(where))

        async def store(read: str, keep: str) -> bool:
            return bool(await self._swap(keys=[where], args=[read, keep, _TRIES_KEPT]))

        def decide(kept: str | None) -> tuple[str, None]:
            tries = None if kept is None else rules.Tries.load(kept)
            until = rules.refused_until(tries, now)
            if until is not None:
                raise rules.too_many(until, now)
            return rules.attempted(tries, now).dumped(), None

        await self._decided(load, store, decide, "the sign-in attempts")

    async def _forgive(self, key: str) -> None:
        await self._redis.delete(f"{self._tag}:tries:{key}")

    @guarded
    async def verify(self, name: str, password: str, now: float) -> Agent | None:
        return await rules.verifying(name, password, now, self._attempt, self._find, self._forgive)

    @guarded
    async def start_session(
        self, name: str, now: float, ttl: float = DEFAULT_TTL
    ) -> tuple[str, str]:
        at, ttl, key = rules.moment(now), rules.check_ttl(ttl), rules.key_of(name)
        token, csrf, digest, kept = rules.starting(await self._find(key), name, at, ttl)
        await self._redis.set(f"{self._tag}:session:{digest}", kept.dumped(), ex=math.ceil(ttl))
        return token, csrf

    @guarded
    async def session(self, token: str, now: float) -> SignedIn | None:
        at, digest = rules.moment(now), rules.token_digest(token)
        if digest is None:
            return None
        where = f"{self._tag}:session:{digest}"
        found = cast(str | None, await self._redis.get(where))
        kept = None if found is None else rules.Kept.load(found)
        live = rules.signed_in(kept, None if kept is None else await self._find(kept.key), at)
        if live is None and kept is not None:
            await self._redis.delete(where)
        return live

    @guarded
    async def end_session(self, token: str) -> None:
        digest = rules.token_digest(token)
        if digest is not None:
            await self._redis.delete(f"{self._tag}:session:{digest}")

    @guarded
    async def end_sessions(self, name: str) -> None:
        await self._change(name, rules.ending_sessions)

    async def close(self) -> None:
        await self._redis.aclose()
