"""What the agent stores share, so that they cannot disagree: the checks and limits of what
enters, the steps that change an agent, the sign-in throttle, the sessions' tokens, and the
JSON all of it is kept as.

A change of an agent is a `Change`: a pure function from the kept agent to the one to keep. A
store loads the agent, applies it and keeps the result in one atomic step (memory with no
await in between, SQLite in one transaction on the file's thread, Redis with a
compare-and-set script). A change that ends the agent's sessions gives it a new `epoch`.

Everything from outside is checked before a store is asked: names and bots by their rules,
free text bounded (lone surrogates become U+FFFD), times finite. `verify` and `session` never
refuse what they are given: a name that cannot be one, or a token that cannot be one, is just
not found (a sign-in form shows "wrong name or password" whatever was typed).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, replace

from framework.stores import agent_passwords as passwords
from framework.stores import checks
from framework.stores.agents import (
    ATTEMPT_WINDOW,
    LOCKOUT,
    MAX_ATTEMPTS,
    ROLES,
    Agent,
    AgentError,
    AgentExists,
    AgentNotFound,
    SignedIn,
    TooManyAttempts,
)
from framework.stores.json_text import dump

__all__ = [
    "MAX_BOTS",
    "MAX_DISPLAY",
    "MAX_TTL",
    "MIN_TTL",
    "Change",
    "Kept",
    "Tries",
    "attempted",
    "check_ttl",
    "disabling",
    "dumped",
    "ending_sessions",
    "exists",
    "key_of",
    "load",
    "login_key",
    "moment",
    "new_account",
    "not_found",
    "refused_until",
    "repassword",
    "signed_in",
    "starting",
    "token_digest",
    "too_many",
    "verifying",
]

MAX_DISPLAY = 100
"""Characters of a display name."""
MAX_BOTS = 100
"""Bots one agent may be limited to."""
MIN_TTL, MAX_TTL = 60.0, 7 * 24 * 3600.0
"""Seconds a session may last."""
MAX_TOKEN = 128
"""Characters of a token `session` looks up (secrets.token_urlsafe(32) gives 43)."""


Change = Callable[[Agent], Agent]
"""A change of a kept agent: the agent in, the one to keep out (or an AgentError)."""


def moment(now: object) -> float:
    return checks.moment(now, "an agent store's time", AgentError)


def key_of(name: object) -> str:
    """Where an agent is kept: its checked name in lowercase (names are ASCII)."""
    return checks.agent_name(name, AgentError).lower()


def login_key(name: object) -> str | None:
    """A sign-in's name as a key; None for what cannot be a name (it is just not found)."""
    return name.lower() if isinstance(name, str) and checks.AGENT_NAME.fullmatch(name) else None


def check_ttl(ttl: object) -> float:
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not MIN_TTL <= ttl <= MAX_TTL:
        raise AgentError(
            f"a session lasts {MIN_TTL:.0f} to {MAX_TTL:.0f} seconds, not {checks.shown(ttl)}"
        )
    return float(ttl)


def not_found(name: str) -> AgentNotFound:
    return AgentNotFound(
        f"there is no agent {checks.shown(name)}; `theke agents list` shows who there is"
    )


def exists(name: str) -> AgentExists:
    return AgentExists(
        f"there is an agent {checks.shown(name)} already (names are one whatever their case); "
        "pick another name, or remove that agent first"
    )


def _bots(bots: object) -> tuple[str, ...]:
    if not isinstance(bots, list | tuple):
        raise AgentError(f"an agent's bots are a list of bot names, not {checks.shown(bots)}")
    if len(bots) > MAX_BOTS:
        raise AgentError(f"an agent may be limited to {MAX_BOTS} bots at most; list none: all")
    return tuple(dict.fromkeys(checks.bot_name(bot, AgentError) for bot in bots))


def _checked(agent: object, now: float) -> Agent:
    """A new agent's fields, checked; created now."""
    if not isinstance(agent, Agent):
        raise AgentError(f"add takes an Agent, not {type(agent).__name__}")
    if agent.role not in ROLES:
        raise AgentError(f"an agent's role is {' or '.join(ROLES)}, not {checks.shown(agent.role)}")
    if not isinstance(agent.disabled, bool):
        raise AgentError(f"disabled is True or False, not {checks.shown(agent.disabled)}")
    advice = "an agent's display name has; shorten it"
    return Agent(
        name=checks.agent_name(agent.name, AgentError),
        display=checks.bounded_text(
            "the display name", agent.display, MAX_DISPLAY, AgentError, advice
        ),
        bots=_bots(agent.bots),
        role=agent.role,
        created_at=now,
        disabled=agent.disabled,
        epoch=secrets.token_hex(8),
    )


async def new_account(agent: Agent, password: str, now: float) -> Agent:
    """The agent to keep: its fields and password checked, the password hashed."""
    new = _checked(agent, moment(now))
    return replace(new, password_hash=await passwords.hashed(password))


async def repassword(password: str) -> Change:
    """The change to a new password (hashed now): every session of the agent ends."""
    kept = await passwords.hashed(password)
    return lambda agent: replace(agent, password_hash=kept, epoch=secrets.token_hex(8))


def disabling(disabled: object) -> Change:
    if not isinstance(disabled, bool):
        raise AgentError(f"disabled is True or False, not {checks.shown(disabled)}")

    def change(agent: Agent) -> Agent:
        if not disabled:
            return replace(agent, disabled=False)
        return replace(agent, disabled=True, epoch=secrets.token_hex(8))

    return change


def ending_sessions(agent: Agent) -> Agent:
    """The change that ends every session of the agent."""
    return replace(agent, epoch=secrets.token_hex(8))


def dumped(agent: Agent) -> str:
    """The JSON an agent is kept as: with its hash and epoch."""
    return dump({**asdict(agent), "bots": list(agent.bots)})


def load(kept: str) -> Agent:
    data = json.loads(kept)
    return Agent(**{**data, "bots": tuple(data["bots"])})


# -- the sign-in throttle -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tries:
    """A name's sign-in attempts that have not succeeded, and till when it is locked."""

    times: tuple[float, ...] = ()
    locked_until: float = 0.0

    def kept_until(self) -> float:
        """When these tries no longer matter (a store may forget them then)."""
        return max((self.locked_until, *(at + ATTEMPT_WINDOW for at in self.times)))

    def dumped(self) -> str:
        return dump({"times": list(self.times), "locked_until": self.locked_until})

    @classmethod
    def load(cls, kept: str) -> Tries:
        data = json.loads(kept)
        return cls(tuple(data["times"]), data["locked_until"])


def refused_until(tries: Tries | None, now: float) -> float | None:
    """When the name opens again, while it is locked; None when it may try."""
    return tries.locked_until if tries is not None and tries.locked_until > now else None


def attempted(tries: Tries | None, now: float) -> Tries:
    """The tries after one more at `now`: the MAX_ATTEMPTS-th within ATTEMPT_WINDOW locks the
    name for LOCKOUT (it is still checked: if it succeeds, all is forgiven)."""
    recent = () if tries is None else tuple(at for at in tries.times if at > now - ATTEMPT_WINDOW)
    times = (*recent, now)
    if len(times) >= MAX_ATTEMPTS:
        return Tries((), now + LOCKOUT)
    return Tries(times)


def too_many(until: float, now: float) -> TooManyAttempts:
    wait = until - now
    return TooManyAttempts(
        f"too many sign-in attempts for this name; try again in {wait / 60:.0f} minutes, or "
        "have an admin set a new password (`theke agents password NAME`)",
        wait,
    )


async def verifying(
    name: object,
    password: object,
    now: float,
    attempt: Callable[[str, float], Awaitable[None]],
    find: Callable[[str], Awaitable[Agent | None]],
    forgive: Callable[[str], Awaitable[None]],
) -> Agent | None:
    """A store's `verify` over its own steps: count the attempt (TooManyAttempts while the
    name is locked), find the agent, check the password (one hash whether there is an agent
    or not), and forgive the name's attempts when it succeeded."""
    key, at = login_key(name), moment(now)
    agent = None
    if key is not None:
        await attempt(key, at)
        agent = await find(key)
    right = await passwords.password_matches(
        None if agent is None else agent.password_hash, password
    )
    if key is None or agent is None or not right or agent.disabled:
        return None
    await forgive(key)
    return agent


# -- sessions --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Kept:
    """A session as a store keeps it, under its token's digest (never the token)."""

    key: str
    """Its agent's key."""
    epoch: str
    csrf: str
    started_at: float
    expires_at: float

    def dumped(self) -> str:
        return dump(asdict(self))

    @classmethod
    def load(cls, kept: str) -> Kept:
        return cls(**json.loads(kept))


def token_digest(token: object) -> str | None:
    """The SHA-256 (hex) a session is kept under; None for what cannot be a token."""
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN or not token.isascii():
        return None
    return _digest(token)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def starting(agent: Agent | None, name: str, now: float, ttl: float) -> tuple[str, str, str, Kept]:
    """A new session of the agent: its token, its CSRF token, the token's digest and what is
    kept. AgentNotFound without an agent, AgentError for a disabled one."""
    if agent is None:
        raise not_found(name)
    if agent.disabled:
        raise AgentError(
            f"the agent {checks.shown(agent.name)} is disabled; enable it to sign in "
            "(`theke agents enable NAME`)"
        )
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    kept = Kept(agent.name.lower(), agent.epoch, csrf, now, now + ttl)
    return token, csrf, _digest(token), kept


def signed_in(kept: Kept | None, agent: Agent | None, now: float) -> SignedIn | None:
    """The session, when it is live: not expired, and its agent still there, enabled and of
    the session's epoch. None means a store drops what it kept."""
    if kept is None or agent is None or kept.expires_at <= now:
        return None
    if agent.disabled or agent.epoch != kept.epoch:
        return None
    return SignedIn(agent, kept.csrf, kept.started_at, kept.expires_at)
