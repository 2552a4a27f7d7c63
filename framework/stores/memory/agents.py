"""The reference agent store: plain dicts in one process's memory (the contract suite's
yardstick and the test double). Between its awaits (only for hashing, on a thread) every
method runs whole, so a change is atomic on one event loop; the agent a change applies to is
read after the hash is made."""

from __future__ import annotations

import builtins

from framework.stores import agent_rules as rules
from framework.stores.agents import DEFAULT_TTL, Agent, SignedIn

__all__ = ["MemoryAgents"]


class MemoryAgents:
    def __init__(self) -> None:
        self._agents: dict[str, Agent] = {}
        """key (the name in lowercase) -> the agent."""
        self._sessions: dict[str, rules.Kept] = {}
        """the token's digest -> the session."""
        self._tries: dict[str, rules.Tries] = {}
        """key -> its sign-in attempts that did not succeed."""

    def _change(self, name: str, change: rules.Change) -> Agent:
        key = rules.key_of(name)
        if key not in self._agents:
            raise rules.not_found(name)
        old = self._agents[key]
        self._agents[key] = new = change(old)
        if new.epoch != old.epoch:
            self._drop_sessions(key)
        return new

    def _drop_sessions(self, key: str) -> None:
        for digest in [d for d, kept in self._sessions.items() if kept.key == key]:
            del self._sessions[digest]

    async def add(self, agent: Agent, password: str, now: float) -> Agent:
        new = await rules.new_account(agent, password, now)
        key = new.name.lower()
        if key in self._agents:
            raise rules.exists(new.name)
        self._agents[key] = new
        return new

    async def remove(self, name: str) -> Agent:
        key = rules.key_of(name)
        if key not in self._agents:
            raise rules.not_found(name)
        self._drop_sessions(key)
        return self._agents.pop(key)

    async def get(self, name: str) -> Agent | None:
        return self._agents.get(rules.key_of(name))

    async def list(self) -> builtins.list[Agent]:
        return [self._agents[key] for key in sorted(self._agents)]

    async def set_password(self, name: str, password: str) -> Agent:
        rules.key_of(name)
        return self._change(name, await rules.repassword(password))

    async def set_disabled(self, name: str, disabled: bool) -> Agent:
        return self._change(name, rules.disabling(disabled))

    async def _attempt(self, key: str, now: float) -> None:
        for old in [k for k, tries in self._tries.items() if tries.kept_until() <= now]:
            del self._tries[old]  # forgotten: nothing to keep them for
        until = rules.refused_until(self._tries.get(key), now)
        if until is not None:
            raise rules.too_many(until, now)
        self._tries[key] = rules.attempted(self._tries.get(key), now)

    async def _find(self, key: str) -> Agent | None:
        return self._agents.get(key)

    async def _forgive(self, key: str) -> None:
        self._tries.pop(key, None)

    async def verify(self, name: str, password: str, now: float) -> Agent | None:
        return await rules.verifying(name, password, now, self._attempt, self._find, self._forgive)

    async def start_session(
        self, name: str, now: float, ttl: float = DEFAULT_TTL
    ) -> tuple[str, str]:
        at, ttl, key = rules.moment(now), rules.check_ttl(ttl), rules.key_of(name)
        token, csrf, digest, kept = rules.starting(self._agents.get(key), name, at, ttl)
        for over in [d for d, old in self._sessions.items() if old.expires_at <= at]:
            del self._sessions[over]
        self._sessions[digest] = kept
        return token, csrf

    async def session(self, token: str, now: float) -> SignedIn | None:
        at, digest = rules.moment(now), rules.token_digest(token)
        kept = None if digest is None else self._sessions.get(digest)
        live = rules.signed_in(kept, None if kept is None else self._agents.get(kept.key), at)
        if live is None and kept is not None and digest is not None:
            del self._sessions[digest]
        return live

    async def end_session(self, token: str) -> None:
        digest = rules.token_digest(token)
        if digest is not None:
            self._sessions.pop(digest, None)

    async def end_sessions(self, name: str) -> None:
        self._change(name, rules.ending_sessions)

    async def close(self) -> None:
        """Nothing to release."""
