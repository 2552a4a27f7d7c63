"""The agent store protocol: the business's people who sign in to the agent inbox, and their
sign-in sessions.

An `Agent` is an account of the workspace (not of one bot): a name, unique whatever its case
("Anna" and "anna" are one agent), what the inbox shows for it, the bots it may work (none
listed: all), its role (agent or admin), its password's hash and whether it is disabled. A
password is kept only as its scrypt hash (agent_passwords.py); it is never in a repr, a log
line or an error message.

`verify` checks a name and password and gives the agent back, or None: for a wrong password,
an unknown name and a disabled agent alike, in the same time (an unknown name costs a hash
too). Sign-in attempts are counted per name in the store, across workers: the
MAX_ATTEMPTS-th within ATTEMPT_WINDOW locks the name for LOCKOUT seconds (TooManyAttempts,
whether the password is right or not); a successful sign-in forgives the earlier ones.

`start_session` gives the browser a token (its cookie) and a CSRF token for its forms; the
store keeps only the token's SHA-256, so a leaked store gives no usable cookie. A session
lasts its `ttl` from the start, without sliding: a stolen cookie works at most that long, and
reading a session never writes. It ends early when its agent is removed, disabled, gets a new
password or has `end_sessions` called: every session of the agent ends at once (the agent's
`epoch` changes, and the sessions of an older epoch are refused and dropped when read).

Refusals are AgentErrors, not StoreErrors: trying again changes nothing. Time is an argument
of every call that needs one (no store reads a clock), so tests drive it. The rules, limits
and JSON live in agent_rules.py, once for every backend.
"""

from __future__ import annotations

import builtins
import hmac
from dataclasses import dataclass, field
from typing import Any, Protocol

from framework.errors import NotFound, ThekeError

__all__ = [
    "ADMIN",
    "AGENT",
    "ATTEMPT_WINDOW",
    "DEFAULT_TTL",
    "LOCKOUT",
    "MAX_ATTEMPTS",
    "ROLES",
    "Agent",
    "AgentError",
    "AgentExists",
    "AgentNotFound",
    "AgentStore",
    "SignedIn",
    "TooManyAttempts",
]

AGENT, ADMIN = "agent", "admin"
ROLES = (AGENT, ADMIN)
"""An agent works conversations and tickets; an admin may also manage the inbox's settings."""

DEFAULT_TTL = 12 * 3600.0
"""Seconds a sign-in session lasts unless the caller says otherwise: a working day."""
MAX_ATTEMPTS = 5
"""Sign-in attempts of one name within ATTEMPT_WINDOW that lock it."""
ATTEMPT_WINDOW = 15 * 60.0
LOCKOUT = 15 * 60.0
"""Seconds a name stays locked after MAX_ATTEMPTS attempts that did not succeed."""


class AgentError(ThekeError, ValueError):
    """An account or a change the rules refuse (a bad name, a short password, a disabled
    agent); the message says which and what to do. Not a StoreError: trying again changes
    nothing."""


class AgentNotFound(AgentError, NotFound):
    """A change to, or a session for, a name no agent has."""


class AgentExists(AgentError):
    """An `add` of a name an agent has already (in any case)."""


class TooManyAttempts(AgentError):
    """A sign-in of a locked name: `retry_after` says in how many seconds it opens again."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Agent:
    name: str
    """1 to 64 letters, digits, spaces and . _ @ - (no space at either end), kept as given;
    unique whatever its case."""
    display: str = ""
    """What the inbox shows ("Anna S."); "" shows the name."""
    bots: tuple[str, ...] = ()
    """The bots the agent may work; none: every bot of the workspace."""
    role: str = AGENT
    created_at: float = 0.0
    disabled: bool = False
    """A disabled agent cannot sign in, and its sessions end."""
    password_hash: str = field(default="", repr=False, compare=False)
    """scrypt$n$r$p$salt$hash (agent_passwords.py); "" until the store hashed a password."""
    epoch: str = field(default="", repr=False, compare=False)
    """Changes whenever every session of the agent ends; a session of another epoch is over."""

    @property
    def shown(self) -> str:
        return self.display or self.name

    def may_work(self, bot: str) -> bool:
        return not self.bots or bot in self.bots

    def to_json(self) -> dict[str, Any]:
        """The account without its secrets (neither the hash nor the epoch)."""
        return {
            "name": self.name,
            "display": self.display,
            "bots": list(self.bots),
            "role": self.role,
            "created_at": self.created_at,
            "disabled": self.disabled,
        }


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A live sign-in session: whose it is, and the CSRF token its forms must carry."""

    agent: Agent
    csrf: str = field(repr=False)
    started_at: float
    expires_at: float

    def csrf_ok(self, sent: object) -> bool:
        """Whether a form's CSRF token is this session's (compared in constant time)."""
        if not isinstance(sent, str) or not sent.isascii():
            return False
        return hmac.compare_digest(sent.encode(), self.csrf.encode())


class AgentStore(Protocol):
    async def add(self, agent: Agent, password: str, now: float) -> Agent:
        """Keep a new agent with the password's hash, created `now`; given back as kept.
        AgentExists when the name is taken in any case; AgentError for a bad field or a
        password of fewer than 12 or more than 1024 characters."""
        ...

    async def remove(self, name: str) -> Agent:
        """Remove the agent (every session of it ends); AgentNotFound when there is none."""
        ...

    async def get(self, name: str) -> Agent | None:
        """The agent of that name, in any case; None when there is none."""
        ...

    async def list(self) -> builtins.list[Agent]:
        """Every agent, by name (whatever its case)."""
        ...

    async def set_password(self, name: str, password: str) -> Agent:
        """A new password: every session of the agent ends."""
        ...

    async def set_disabled(self, name: str, disabled: bool) -> Agent:
        """Disable (every session ends) or enable the agent."""
        ...

    async def verify(self, name: str, password: str, now: float) -> Agent | None:
        """The agent when the password is its own and it is not disabled, else None (an
        unknown or malformed name too), in the same time either way. TooManyAttempts while
        the name is locked."""
        ...

    async def start_session(
        self, name: str, now: float, ttl: float = DEFAULT_TTL
    ) -> tuple[str, str]:
        """A new session of the agent for `ttl` seconds (60 to 7 days): its token (for the
        cookie) and its CSRF token. AgentNotFound for no such agent, AgentError when it is
        disabled. Call it after `verify`: it does not check a password."""
        ...

    async def session(self, token: str, now: float) -> SignedIn | None:
        """The live session of that token; None (and the session dropped) when it expired
        or its agent was removed, disabled or had its sessions ended; None for any other
        text."""
        ...

    async def end_session(self, token: str) -> None:
        """Sign out: that session ends (nothing happens for an unknown token)."""
        ...

    async def end_sessions(self, name: str) -> None:
        """Every session of the agent ends; AgentNotFound when there is none."""
        ...

    async def close(self) -> None: ...
