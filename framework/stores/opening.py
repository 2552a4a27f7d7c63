"""Opening a deployment's stores from its one URL: memory://, sqlite:///path, redis://… or
redis+cluster://… (framework/stores/redis/connection.py says what a Redis URL may hold).

The URL is parsed once (`StoreURL`); the session store, the order store, the outbox, the
ticket store, the booking store, the handoff store, the agent store, the consent ledger,
the contacts and the saved segments of a deployment live on the same backing service (the
same SQLite file, the same Redis server).
Backends are imported only when used, so a deployment on SQLite never loads the Redis client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from framework.stores.agents import AgentStore
from framework.stores.bookings import BookingStore
from framework.stores.broadcasts import BroadcastStore
from framework.stores.consents import ConsentStore
from framework.stores.contacts import ContactStore
from framework.stores.handoffs import HandoffStore
from framework.stores.order_store import OrderStore
from framework.stores.outbox import Outbox
from framework.stores.reach import ReachStore
from framework.stores.records import StoreLimits
from framework.stores.saved_segments import SavedSegments
from framework.stores.send_slots import SendSlots
from framework.stores.session_store import Store, StoreError
from framework.stores.template_states import TemplateStates
from framework.stores.tickets import TicketStore

if TYPE_CHECKING:
    from framework.stores.redis.round_trips import RoundTrips

__all__ = [
    "StoreURL",
    "open_agents",
    "open_bookings",
    "open_broadcasts",
    "open_consents",
    "open_contacts",
    "open_handoffs",
    "open_orders",
    "open_outbox",
    "open_reach",
    "open_saved_segments",
    "open_send_slots",
    "open_store",
    "open_template_states",
    "open_tickets",
    "store_kind",
]

_KINDS = (
    ("memory://", "memory"),
    ("sqlite:///", "sqlite"),
    ("redis://", "redis"),
    ("rediss://", "redis"),
    ("redis+cluster://", "redis"),
    ("rediss+cluster://", "redis"),
)
"""URL prefixes and the backend each names: one Redis (rediss:// with TLS) or a Redis Cluster
(redis+cluster://host:port[,host:port...], rediss+cluster:// with TLS), one backend."""


@dataclass(frozen=True, slots=True)
class StoreURL:
    """A store URL, understood: its backend (a Redis Cluster is the redis backend too: the
    Redis stores open either from the URL), and for SQLite the file."""

    url: str
    kind: str
    path: Path | None = None
    """The SQLite file, a relative path taken from the workspace folder."""
    prefix: str = "theke"
    """The Redis key prefix (`?prefix=` of the URL): deployments sharing one Redis differ."""

    @classmethod
    def parse(cls, url: str, root: Path | None = None) -> StoreURL:
        kind = next((kind for prefix, kind in _KINDS if url.startswith(prefix)), None)
        if kind is None:
            scheme = url.split(":", 1)[0]
            raise StoreError(
                f"unknown store {scheme!r}: use memory://, sqlite:///file, redis://host:port/db "
                "or redis+cluster://host:port"
            )
        if kind == "redis":
            return cls._redis(url)
        if kind != "sqlite":
            return cls(url, kind)
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_absolute() and root is not None:
            path = root / path
        return cls(url, kind, path)

    @classmethod
    def _redis(cls, url: str) -> StoreURL:
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        prefixes = [value for name, value in query if name == "prefix"]
        if not prefixes:
            return cls(url, "redis")
        if len(prefixes) > 1 or not _PREFIX.fullmatch(prefixes[0]):
            raise StoreError("the store URL's prefix: 1 to 40 letters, digits, - or _")
        rest = urlencode([(name, value) for name, value in query if name != "prefix"])
        return cls(urlunsplit(parts._replace(query=rest)), "redis", prefix=prefixes[0])


_PREFIX = re.compile(r"[A-Za-z0-9_-]{1,40}")


def store_kind(url: str) -> str:
    return StoreURL.parse(url).kind


async def open_store(url: str, limits: StoreLimits, root: Path | None = None) -> Store:
    where = StoreURL.parse(url, root)
    if where.kind == "memory":
        from framework.stores.memory.sessions import MemoryStore

        return MemoryStore(limits)
    if where.kind == "sqlite":
        from framework.stores.sqlite.sessions import SqliteStore

        return await SqliteStore.open(str(where.path), limits)
    from framework.stores.redis.sessions import RedisStore

    return RedisStore.from_url(where.url, limits, where.prefix)


def _round_trips(beside: Store | None, url: str) -> RoundTrips | None:
    """The round trips of a Redis session store opened from `url`, for a store beside it."""
    from framework.stores.redis.sessions import RedisStore

    return beside.round_trips if isinstance(beside, RedisStore) and beside.url == url else None


async def open_orders(
    url: str, root: Path | None = None, *, beside: Store | None = None
) -> OrderStore:
    """`beside`: the deployment's session store; on Redis, orders share its round trips."""
    where = StoreURL.parse(url, root)
    if where.kind == "memory":
        from framework.stores.memory.orders import MemoryOrders

        return MemoryOrders()
    if where.kind == "sqlite":
        from framework.stores.sqlite.orders import SqliteOrders

        return await SqliteOrders.open(str(where.path))
    from framework.stores.redis.orders import RedisOrders

    trips = _round_trips(beside, where.url)
    if trips is None:
        return RedisOrders.from_url(where.url, where.prefix)
    return RedisOrders(trips, where.prefix)


async def open_outbox(url: str, root: Path | None = None) -> Outbox:
    """The business events' outbox beside the sessions and orders."""
    where = StoreURL.parse(url, root)
    if where.kind == "memory":
        from framework.stores.memory.outbox import MemoryOutbox

        return MemoryOutbox()
    if where.kind == "sqlite":
        from framework.stores.sqlite.outbox import SqliteOutbox

        return await SqliteOutbox.open(str(where.path))
    from framework.stores.redis.outbox import RedisOutbox

    return RedisOutbox.from_url(where.url, where.prefix)


async def open_tickets(url: str, root: Path | None = None) -> TicketStore:
    """The support tickets beside the sessions and orders."""
    where = StoreURL.parse(url, root)
    if where.kind == "memory":
        from framework.stores.memory.tickets import MemoryTickets

        return MemoryTickets()
    if where.kind == "sqlite":
        from framework.stores.sqlite.tickets import SqliteTickets

        return await SqliteTickets.open(str(where.path))
    from framework.stores.redis.tickets import RedisTickets

    return RedisTickets.from_url(where.url, where.prefix)


async def open_bookings(url: str, root: Path | None = None) -> BookingStore:
    """The appointments and holds beside the sessions: every worker takes times from one set."""
    where = StoreURL.parse(url, root)
    if where.kind == "memory":
        from framework.stores.memory.bookings import MemoryBookings

        return MemoryBookings()
    if where.kind == "sqlite":
        from framework.stores.sqlite.bookings import SqliteBookings

        return await SqliteBookings.open(str(where.path))
    from framework.stores.redis.bookings import RedisBookings

    return RedisBookings.from_url(where.url, where.prefix)


async def open_handoffs(url: str, root: Path | None = None) -> HandoffStore:
    """The human handoff's queue beside the sessions: every worker sees one queue."""
    where = StoreURL.parse(url, root)
    if where.kind == "memory":
        from framework.stores.memory.handoffs import MemoryHandoffs

        return MemoryHandoffs()
    if where.kind == "sqlite":
        from framework.stores.sqlite.handoffs import SqliteHandoffs

        return await SqliteHandoffs.open(str(where.path))
    from framework.stores.redis.handoffs import RedisHandoffs

    return RedisHandoffs.from_url(where.url, where.prefix)


async def open_agents(url: str, root: Path | None = None) -> AgentStore:
    """The agent inbox's accounts and sign-in sessions, one set for the workspace."""
    where = StoreURL.parse(url, root)
    if where.kind == "memory":
        from framework.stores.memory.agents import MemoryAgents

        return MemoryAgents()
    if where.kind == "sqlite":
        from framework.stores.sqlite.agents import SqliteAgents

        return await SqliteAgents.open(str(where.path))
    from framework.stores.redis.agents import RedisAgents

    return RedisAgents.from_url(where.url, where.prefix)


async def open_consents(url: str, root: Path | None = None) -> ConsentStore:
    """The consent ledger beside the sessions: every worker reads and writes one ledger."""
    where = StoreURL.parse(url, root)
    if where.kind == "memory":
        from framework.stores.memory.consents import MemoryConsents

        return MemoryConsents()
    if where.kind == "sqlite":
        from framework.stores.sqlite.consents import SqliteConsents

        return await SqliteConsents.open(str(where.path))
    from framework.stores.redis.consents import RedisConsents

    return RedisConsents.from_url(where.url, where.prefix)


async def open_broadcasts(url: str, root: Path | None = None) -> BroadcastStore:
    """The broadcasts beside the consent ledger: every worker claims from one set."""
    where = StoreURL.parse(url, root)
    if where.kind == "memory":
        from framework.stores.memory.broadcasts import MemoryBroadcasts

        return MemoryBroadcasts()
    if where.kind == "sqlite":
        from framework.stores.sqlite.broadcasts import SqliteBroadcasts

        return await SqliteBroadcasts.open(str(where.path))
    from framework.stores.redis.broadcasts import RedisBroadcasts

    return RedisBroadcasts.from_url(where.url, where.prefix)


async def open_reach(url: str, root: Path | None = None) -> ReachStore:
    """Whom the broadcasts reached, beside them: every worker counts against one limit."""
    where = StoreURL.parse(url, root)
    if where.kind == "memory":
        from framework.stores.memory.reach import MemoryReach

        return MemoryReach()
    if where.kind == "sqlite":
        from framework.stores.sqlite.reach import SqliteReach

        return await SqliteReach.open(str(where.path))
    from framework.stores.redis.reach import RedisReach

    return RedisReach.from_url(where.url, where.prefix)


def open_send_slots(url: str) -> SendSlots:
    """The messengers' sending schedules: in this process on memory and SQLite (one process
    serves a file), in Redis where several workers send for the same number. Opened with the
    channels, before the event loop runs: the Redis client connects on first use."""
    where = StoreURL.parse(url)
    if where.kind != "redis":
        from framework.stores.memory.send_slots import LocalSlots

        return LocalSlots()
    from framework.stores.redis.send_slots import RedisSlots

    return RedisSlots.from_url(where.url, where.prefix)


def open_template_states(url: str, root: Path | None = None) -> TemplateStates:
    """What Meta said of the WhatsApp templates, beside the broadcasts that wait for it.
    Opened with the channels, before the event loop runs (the webhook and the sends note it,
    the broadcasts read it): SQLite opens its file and Redis connects on the first call."""
    where = StoreURL.parse(url, root)
    if where.kind == "memory":
        from framework.stores.memory.template_states import MemoryTemplateStates

        return MemoryTemplateStates()
    if where.kind == "sqlite":
        from framework.stores.sqlite.template_states import SqliteTemplateStates

        return SqliteTemplateStates(str(where.path))
    from framework.stores.redis.template_states import RedisTemplateStates

    return RedisTemplateStates.from_url(where.url, where.prefix)


async def open_contacts(
    url: str, root: Path | None = None, *, beside: Store | None = None
) -> ContactStore:
    """The contacts beside the consent ledger: every worker reads and writes one set.
    `beside`: the deployment's session store; on Redis, contacts share its round trips."""
    where = StoreURL.parse(url, root)
    if where.kind == "memory":
        from framework.stores.memory.contacts import MemoryContacts

        return MemoryContacts()
    if where.kind == "sqlite":
        from framework.stores.sqlite.contacts import SqliteContacts

        return await SqliteContacts.open(str(where.path))
    from framework.stores.redis.contacts import RedisContacts

    trips = _round_trips(beside, where.url)
    if trips is None:
        return RedisContacts.from_url(where.url, where.prefix)
    return RedisContacts(trips, where.prefix)


async def open_saved_segments(url: str, root: Path | None = None) -> SavedSegments:
    """The bots' saved segments beside the broadcasts that copy them."""
    where = StoreURL.parse(url, root)
    if where.kind == "memory":
        from framework.stores.memory.saved_segments import MemorySavedSegments

        return MemorySavedSegments()
    if where.kind == "sqlite":
        from framework.stores.sqlite.saved_segments import SqliteSavedSegments

        return await SqliteSavedSegments.open(str(where.path))
    from framework.stores.redis.saved_segments import RedisSavedSegments

    return RedisSavedSegments.from_url(where.url, where.prefix)
