"""One contract, every agent store: memory (the reference), sqlite (a real file), redis (a real
server, `REDIS_URL` or the Makefile's redis://127.0.0.1:6379/15) and redis-cluster (the run's
three-node cluster), opened from their URLs (`open_agents`), each test under a Redis key prefix
of its own, whose keys are deleted afterwards (never the database). Time is an argument: no
test waits, except to measure that an unknown name costs a hash too.

Passwords are hashed for real (scrypt, some 50 ms each), so the tests hash sparingly.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from framework.errors import NotFound
from framework.stores import agent_passwords
from framework.stores import agent_rules as rules
from framework.stores.agent_passwords import MAX_PASSWORD, MIN_PASSWORD, hash_password, matches
from framework.stores.agent_rules import MAX_BOTS, MAX_DISPLAY, MAX_TTL, MIN_TTL
from framework.stores.agents import (
    ADMIN,
    AGENT,
    ATTEMPT_WINDOW,
    DEFAULT_TTL,
    LOCKOUT,
    MAX_ATTEMPTS,
    Agent,
    AgentError,
    AgentExists,
    AgentNotFound,
    AgentStore,
    SignedIn,
    TooManyAttempts,
)
from framework.stores.memory.agents import MemoryAgents
from framework.stores.opening import StoreURL, open_agents
from framework.stores.redis.agents import RedisAgents
from framework.stores.redis.connection import bounded_client
from framework.stores.session_store import StoreError
from framework.stores.sqlite.agents import SqliteAgents
from tests.payments.test_order_store import REDIS_URL
from tests.stores.contract import delete_keys, store_url
from tests.stores.test_handoff_store import HOSTILE, HUGE

NOW = 1_800_000_000.0
PASSWORD = "correct horse battery staple"
WRONG = "wrong horse battery staple"


@dataclass
class Backend:
    kind: str
    open: Callable[[], Awaitable[AgentStore]]
    """Another store on the same agents, as another worker opens it (memory: the same one)."""
    kept: Callable[[], Awaitable[str]]
    """Everything the backend keeps, as text (what a leaked store or dump would show)."""


async def kept_in_redis(url: str, prefix: str) -> str:
    client = bounded_client(url)
    try:
        lines = []
        async for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            kind = await client.type(key)
            value = await (client.hgetall(key) if kind == "hash" else client.get(key))
            lines.append(f"{key} {value}")
        return "\n".join(lines)
    finally:
        await client.aclose()


def kept_in_sqlite(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return "\n".join(db.iterdump())
    finally:
        db.close()


def kept_in_memory(store: MemoryAgents) -> str:
    agents = [rules.dumped(agent) for agent in store._agents.values()]
    sessions = [f"{digest} {kept.dumped()}" for digest, kept in store._sessions.items()]
    return "\n".join(agents + sessions + [t.dumped() for t in store._tries.values()])


@pytest.fixture(params=["memory", "sqlite", "redis", "redis-cluster"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    kind, prefix = str(request.param), f"test-agents-{uuid.uuid4().hex[:24]}"
    url = store_url(kind, tmp_path, request.config, prefix)
    memory, opened = MemoryAgents(), list[AgentStore]()

    async def open_one() -> AgentStore:
        if kind == "memory":
            return memory
        opened.append(await open_agents(url))
        return opened[-1]

    async def kept() -> str:
        if kind == "memory":
            return kept_in_memory(memory)
        if kind == "sqlite":
            return await asyncio.to_thread(kept_in_sqlite, tmp_path / "state.db")
        return await kept_in_redis(StoreURL.parse(url).url, prefix)

    yield Backend(kind, open_one, kept)
    for store in opened:
        await store.close()
    if kind.startswith("redis"):
        await delete_keys(StoreURL.parse(url).url, prefix)


@pytest.fixture
async def agents(backend: Backend) -> AgentStore:
    return await backend.open()


async def add(store: AgentStore, name: str, password: str = PASSWORD, **fields: object) -> Agent:
    return await store.add(Agent(name, **fields), password, NOW)  # type: ignore[arg-type]


async def test_agents_are_added_listed_and_removed(agents: AgentStore) -> None:
    anna = await add(agents, "Anna", display="Anna S.", bots=["pc_support", "pizza"], role=ADMIN)
    bob = await add(agents, "bob@shop.example")
    assert anna == Agent("Anna", "Anna S.", ("pc_support", "pizza"), ADMIN, NOW)
    assert (bob.display, bob.bots, bob.role, bob.disabled, bob.shown) == (
        "",
        (),
        AGENT,
        False,
        "bob@shop.example",
    )
    assert anna.may_work("pizza") and not anna.may_work("shop") and bob.may_work("shop")
    assert await agents.get("anna") == anna == await agents.get("ANNA")
    assert await agents.list() == [anna, bob]
    assert (await agents.get("Anna")) is not None and await agents.get("nobody") is None
    assert anna.to_json() == {
        "name": "Anna",
        "display": "Anna S.",
        "bots": ["pc_support", "pizza"],
        "role": "admin",
        "created_at": NOW,
        "disabled": False,
    }
    assert await agents.remove("aNNa") == anna
    assert await agents.get("anna") is None and await agents.list() == [bob]
    with pytest.raises(AgentNotFound, match="there is no agent 'anna'") as missing:
        await agents.remove("anna")
    assert isinstance(missing.value, NotFound | LookupError)
    assert (await add(agents, "anna")).name == "anna"  # the name is free again


async def test_names_are_unique_whatever_their_case(backend: Backend) -> None:
    first, second = await backend.open(), await backend.open()
    anna = await add(first, "Anna")
    with pytest.raises(AgentExists, match="there is an agent 'anna' already"):
        await add(second, "anna", "another password")
    assert await second.list() == [anna]
    outcomes = await asyncio.gather(
        *(add((first, second)[n % 2], "Bob" if n % 2 else "bob") for n in range(4)),
        return_exceptions=True,
    )
    assert sum(isinstance(outcome, Agent) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, AgentExists) for outcome in outcomes) == 3
    assert len(await first.list()) == 2


async def test_a_password_is_kept_as_a_salted_scrypt_hash_only(backend: Backend) -> None:
    agents = await backend.open()
    anna, bob = await add(agents, "anna"), await add(agents, "bob")
    algorithm, n, r, p, salt, digest = anna.password_hash.split("$")
    assert (algorithm, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(base64.b64decode(salt)) == 16 and len(base64.b64decode(digest)) == 32
    assert anna.password_hash != bob.password_hash  # the same password, salted apart
    assert matches(anna.password_hash, PASSWORD) and not matches(anna.password_hash, WRONG)
    for shown in (repr(anna), str(anna), repr(await agents.list())):
        assert "scrypt" not in shown and anna.epoch not in shown and PASSWORD not in shown
    assert "password_hash" not in anna.to_json()
    token = (await agents.start_session("anna", NOW))[0]
    assert await agents.verify("bob", WRONG, NOW) is None
    kept = await backend.kept()
    assert PASSWORD not in kept and token not in kept  # a leaked store gives no usable cookie
    assert hashlib.sha256(token.encode()).hexdigest() in kept
    assert anna.password_hash in kept


async def test_verify_gives_the_agent_for_its_password_only(agents: AgentStore) -> None:
    anna = await add(agents, "Anna")
    assert await agents.verify("Anna", PASSWORD, NOW) == anna
    assert await agents.verify("anna", PASSWORD, NOW + 1) == anna  # the name in any case
    assert await agents.verify("anna", WRONG, NOW + 2) is None
    assert await agents.verify("anna", PASSWORD.upper(), NOW + 3) is None
    assert await agents.verify("nobody", PASSWORD, NOW + 4) is None  # unknown: None too
    for name in ("", " anna", HUGE, "anna\x00", None, 42):
        assert await agents.verify(name, PASSWORD, NOW + 5) is None  # type: ignore[arg-type]
    assert await agents.verify("anna", PASSWORD, NOW + 5) == anna  # forgives the two above
    for password in ("", HUGE, None, "lone \udc00 surrogate"):
        assert await agents.verify("anna", password, NOW + 6) is None  # type: ignore[arg-type]
    assert await agents.verify("anna", PASSWORD, NOW + 7) == anna  # forgiven: it succeeded


async def test_an_unknown_name_takes_as_long_as_a_known_one(
    agents: AgentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One hash either way (a dummy one for no agent), so timing tells no names: every verify
    computes exactly one scrypt hash with the store's own cost parameters, whether the name
    is an agent's, nobody's or no name at all. Counted, not timed: a loaded machine slows one
    kind of call more than another, a count it cannot change."""
    await add(agents, "anna")
    await agents.verify("warm up", WRONG, NOW)  # the dummy hash is made once per process
    real = agent_passwords._scrypt
    calls: list[tuple[int, int, int]] = []

    def counted(secret: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
        calls.append((n, r, p))
        return real(secret, salt, n, r, p)

    monkeypatch.setattr(agent_passwords, "_scrypt", counted)
    for name in ("anna", "nobody", " not a name "):
        calls.clear()
        assert await agents.verify(name, WRONG, NOW) is None
        assert calls == [(agent_passwords.N, agent_passwords.R, agent_passwords.P)], name


async def test_five_failed_sign_ins_lock_the_name_across_workers(backend: Backend) -> None:
    first, second = await backend.open(), await backend.open()
    anna = await add(first, "anna")
    for n in range(MAX_ATTEMPTS):
        assert await (first, second)[n % 2].verify("anna", WRONG, NOW + n) is None
    locked_at = NOW + MAX_ATTEMPTS - 1
    with pytest.raises(TooManyAttempts, match="try again in 15 minutes") as locked:
        await second.verify("ANNA", PASSWORD, NOW + 5)  # the right password: refused too
    assert locked.value.retry_after == locked_at + LOCKOUT - (NOW + 5)
    assert isinstance(locked.value, AgentError) and not isinstance(locked.value, StoreError)
    with pytest.raises(TooManyAttempts):
        await first.verify("anna", PASSWORD, locked_at + LOCKOUT - 0.5)
    assert await first.verify("bob", WRONG, NOW + 6) is None  # other names are not locked
    assert await second.verify("anna", PASSWORD, locked_at + LOCKOUT) == anna
    for n in range(MAX_ATTEMPTS - 1):  # forgiven when it succeeded: four more do not lock
        assert await first.verify("anna", WRONG, locked_at + LOCKOUT + 1 + n) is None
    assert await second.verify("anna", PASSWORD, locked_at + LOCKOUT + 9) == anna


async def test_only_attempts_within_fifteen_minutes_count(agents: AgentStore) -> None:
    anna = await add(agents, "anna")
    for n in range(MAX_ATTEMPTS - 1):
        assert await agents.verify("anna", WRONG, NOW + n) is None
    later = NOW + ATTEMPT_WINDOW + MAX_ATTEMPTS  # the first four no longer count
    for n in range(MAX_ATTEMPTS - 1):
        assert await agents.verify("anna", WRONG, later + n) is None
    assert await agents.verify("anna", PASSWORD, later + 10) == anna


async def test_unknown_names_are_locked_alike(agents: AgentStore) -> None:
    """Else a lock would tell which names exist."""
    for n in range(MAX_ATTEMPTS):
        assert await agents.verify("nobody", WRONG, NOW + n) is None
    with pytest.raises(TooManyAttempts):
        await agents.verify("Nobody", WRONG, NOW + 6)


async def test_of_fifty_attempts_at_once_from_two_stores_five_are_checked(
    backend: Backend,
) -> None:
    stores = [await backend.open(), await backend.open()]
    await add(stores[0], "anna")
    outcomes = await asyncio.gather(
        *(stores[n % 2].verify("anna", WRONG, NOW) for n in range(50)), return_exceptions=True
    )
    assert sum(outcome is None for outcome in outcomes) == MAX_ATTEMPTS
    assert sum(isinstance(o, TooManyAttempts) for o in outcomes) == 50 - MAX_ATTEMPTS
    with pytest.raises(TooManyAttempts):
        await stores[1].verify("anna", PASSWORD, NOW + 1)


async def test_a_session_lasts_its_ttl_and_ends_on_sign_out(agents: AgentStore) -> None:
    anna = await add(agents, "Anna", display="Anna S.")
    token, csrf = await agents.start_session("anna", NOW, ttl=3600)
    assert len(token) >= 43 and len(csrf) >= 43 and token != csrf
    live = await agents.session(token, NOW + 10)
    assert live == SignedIn(anna, csrf, NOW, NOW + 3600)
    assert live.agent.shown == "Anna S." and csrf not in repr(live)
    assert live.csrf_ok(csrf) and not live.csrf_ok(csrf[:-1] + "x")
    for sent in ("", None, "ü", HUGE, token):
        assert not live.csrf_ok(sent)
    assert await agents.session(token, NOW + 3599.5) == live  # no sliding: the same expiry
    assert await agents.session(token, NOW + 3600) is None  # expired
    assert await agents.session(token, NOW + 10) is None  # and dropped
    other, _ = await agents.start_session("ANNA", NOW + 20)
    day = await agents.session(other, NOW + 20 + DEFAULT_TTL - 1)
    assert day is not None and day.expires_at == NOW + 20 + DEFAULT_TTL == NOW + 20 + 12 * 3600
    await agents.end_session(other)
    assert await agents.session(other, NOW + 21) is None
    await agents.end_session(other)  # again: nothing happens
    for token in ("", "x" * 43, HUGE, "ü" * 43, "'; DROP TABLE agent_sessions; --", None):
        await agents.end_session(token)  # type: ignore[arg-type]
        assert await agents.session(token, NOW) is None  # type: ignore[arg-type]


async def test_a_session_is_only_for_an_agent_that_may_sign_in(agents: AgentStore) -> None:
    await add(agents, "anna", disabled=True)
    with pytest.raises(AgentNotFound, match="there is no agent 'bob'"):
        await agents.start_session("bob", NOW)
    with pytest.raises(AgentError, match="is disabled; enable it"):
        await agents.start_session("anna", NOW)
    assert await agents.verify("anna", PASSWORD, NOW) is None
    for ttl in (MIN_TTL - 1, MAX_TTL + 1, float("nan"), float("inf"), True, "3600"):
        with pytest.raises(AgentError, match="a session lasts 60 to 604800 seconds"):
            await agents.start_session("anna", NOW, ttl)  # type: ignore[arg-type]


async def test_a_new_password_ends_every_session_of_the_agent(backend: Backend) -> None:
    first, second = await backend.open(), await backend.open()
    await add(first, "anna")
    await add(first, "bob")
    tokens = [(await first.start_session("anna", NOW))[0] for _ in range(2)]
    bobs = (await first.start_session("bob", NOW))[0]
    changed = await second.set_password("Anna", "a new long passphrase")
    for store in (first, second):
        for token in tokens:
            assert await store.session(token, NOW + 1) is None
    assert await first.verify("anna", PASSWORD, NOW + 2) is None
    assert await first.verify("anna", "a new long passphrase", NOW + 3) == changed
    token = (await first.start_session("anna", NOW + 4))[0]
    assert await second.session(token, NOW + 5) is not None
    await second.end_sessions("ANNA")
    assert await first.session(token, NOW + 6) is None
    live = await second.session(bobs, NOW + 7)  # another agent's are not touched
    assert live is not None and live.agent.name == "bob"
    with pytest.raises(AgentNotFound):
        await first.end_sessions("nobody")
    with pytest.raises(AgentNotFound):
        await first.set_password("nobody", "a new long passphrase")


async def test_disabling_or_removing_an_agent_ends_its_sessions(backend: Backend) -> None:
    first, second = await backend.open(), await backend.open()
    await add(first, "anna")
    token = (await first.start_session("anna", NOW))[0]
    disabled = await second.set_disabled("anna", True)
    assert disabled.disabled and await first.session(token, NOW + 1) is None
    assert await first.verify("anna", PASSWORD, NOW + 2) is None
    enabled = await second.set_disabled("anna", False)
    assert not enabled.disabled and await first.session(token, NOW + 3) is None  # stays ended
    assert await first.verify("anna", PASSWORD, NOW + 4) == enabled
    token = (await first.start_session("anna", NOW + 5))[0]
    await second.remove("anna")
    assert await first.session(token, NOW + 6) is None
    await add(first, "ANNA")  # the same name again is another agent
    assert await second.session(token, NOW + 7) is None
    with pytest.raises(AgentError, match="disabled is True or False"):
        await first.set_disabled("anna", "yes")  # type: ignore[arg-type]


async def test_hostile_and_unicode_input_round_trips_exactly(agents: AgentStore) -> None:
    display = HOSTILE[:MAX_DISPLAY]
    password = f"Grüße 🍕 '; DROP TABLE agents; -- ]]=] cjson {HOSTILE}"[:MAX_PASSWORD]
    name = "o.brien-x_y@shop.example"
    added = await agents.add(Agent(name, display=display), password, NOW)
    assert added.display == display and await agents.get(name.upper()) == added
    assert await agents.verify(name, password, NOW) == added
    assert await agents.verify(name, password[:-1], NOW + 1) is None
    composed = await add(agents, "cafe", "caf\u00e9 au lait, bitte")
    assert await agents.verify("cafe", "cafe\u0301 au lait, bitte", NOW + 2) == composed  # NFKC
    broken = await add(agents, "half", display="half an emoji \ud83d here")
    assert broken.display == "half an emoji \ufffd here" and await agents.get("half") == broken
    assert [agent.name for agent in await agents.list()] == ["cafe", "half", name]
    token = (await agents.start_session(name, NOW + 3))[0]
    live = await agents.session(token, NOW + 4)
    assert live is not None and live.agent.display == display


BAD_NAMES = [
    *("", " anna", "anna ", "a" * 65, "anna\n", "anna'; DROP TABLE agents; --", "ánna"),
    *("{%agents}", "anna:x", "\x1b[31m", "anna\x00", HUGE, 42, None),
]


@pytest.mark.parametrize("name", BAD_NAMES)
async def test_a_bad_name_is_refused_and_never_signs_in(agents: AgentStore, name: str) -> None:
    for call in (
        agents.add(Agent(name), PASSWORD, NOW),
        agents.get(name),
        agents.remove(name),
        agents.set_password(name, PASSWORD),
        agents.set_disabled(name, True),
        agents.start_session(name, NOW),
        agents.end_sessions(name),
    ):
        with pytest.raises(AgentError, match="is not an agent's name") as refused:
            await call
        assert len(str(refused.value)) < 300 and "\x1b" not in str(refused.value)
    assert await agents.verify(name, PASSWORD, NOW) is None
    assert await agents.list() == []


async def test_limits_are_refused_with_what_to_do(agents: AgentStore) -> None:
    for password in ("short", "x" * (MIN_PASSWORD - 1), "x" * (MAX_PASSWORD + 1), HUGE):
        with pytest.raises(AgentError, match=r"the password has \d+ characters; use 12 to 1024"):
            await agents.add(Agent("anna"), password, NOW)
    with pytest.raises(AgentError, match="lone surrogate"):
        await agents.add(Agent("anna"), "a lone \udc00 surrogate", NOW)
    with pytest.raises(AgentError, match="a password is text"):
        await agents.add(Agent("anna"), 123456789012, NOW)  # type: ignore[arg-type]
    for fields, refusal in (
        ({"role": "root"}, "role is agent or admin, not 'root'"),
        ({"bots": ["Pizza"]}, "'Pizza' is not a bot name"),
        ({"bots": "pizza"}, "a list of bot names"),
        ({"bots": [f"b{n}" for n in range(MAX_BOTS + 1)]}, "100 bots at most"),
        ({"display": "d" * (MAX_DISPLAY + 1)}, "101 characters, more than the 100"),
        ({"display": HUGE}, "10000000 characters"),
        ({"disabled": "no"}, "disabled is True or False"),
    ):
        with pytest.raises(AgentError, match=refusal) as refused:
            await add(agents, "anna", **fields)
        assert len(str(refused.value)) < 300
    with pytest.raises(AgentError, match="add takes an Agent"):
        await agents.add({"name": "anna"}, PASSWORD, NOW)  # type: ignore[arg-type]
    for moment in (float("nan"), float("inf"), -1.0, 10**400, "now"):
        with pytest.raises(AgentError, match="seconds since the epoch"):
            await agents.add(Agent("anna"), PASSWORD, moment)  # type: ignore[arg-type]
        with pytest.raises(AgentError, match="seconds since the epoch"):
            await agents.session("x" * 43, moment)  # type: ignore[arg-type]
    assert await agents.list() == []
    edge = await add(agents, "a" * 64, "p" * MAX_PASSWORD, bots=["pizza", "pizza"])
    assert edge.bots == ("pizza",) and await agents.verify("a" * 64, "p" * MAX_PASSWORD, NOW)
    assert await add(agents, "7", "x" * MIN_PASSWORD) == Agent("7", created_at=NOW)


async def test_agents_sessions_and_attempts_survive_reopening(backend: Backend) -> None:
    first = await backend.open()
    if isinstance(first, MemoryAgents):
        return  # memory lives in one process: nothing to reopen
    anna = await add(first, "anna")
    token, csrf = await first.start_session("anna", NOW)
    for n in range(MAX_ATTEMPTS - 1):
        assert await first.verify("anna", WRONG, NOW + n) is None
    await first.close()
    second = await backend.open()
    assert await second.list() == [anna]
    assert await second.session(token, NOW + 10) == SignedIn(anna, csrf, NOW, NOW + DEFAULT_TTL)
    assert await second.verify("anna", WRONG, NOW + 11) is None  # the fifth
    with pytest.raises(TooManyAttempts):
        await second.verify("anna", PASSWORD, NOW + 12)


def test_a_kept_hash_names_its_costs_and_bounds_them() -> None:
    kept = hash_password(PASSWORD)
    assert matches(kept, PASSWORD) and not matches(kept, WRONG) and not matches(None, PASSWORD)
    assert not matches(kept, 42) and not matches(kept, HUGE)
    salt, digest = kept.split("$")[4:]
    for tampered in (
        f"scrypt$1073741824$8$1${salt}${digest}",  # 2**30: gigabytes
        f"scrypt$16384$8$1${salt}$not base64!",
        f"scrypt$16385$8$1${salt}${digest}",  # not a power of two
        f"bcrypt$16384$8$1${salt}${digest}",
        "",
        "scrypt$$$$$",
    ):
        start = time.perf_counter()
        assert not matches(tampered, PASSWORD)
        assert time.perf_counter() - start < 2  # the dummy's cost, not the tampered one's


def test_a_refusal_is_not_a_store_failure() -> None:
    for refused in (AgentError, AgentNotFound, AgentExists, TooManyAttempts):
        assert issubclass(refused, AgentError) and not issubclass(refused, StoreError)
    assert issubclass(AgentError, ValueError) and issubclass(AgentNotFound, NotFound)


async def test_redis_keeps_the_agents_under_one_hash_tag_with_ttls() -> None:
    prefix = f"test-agents-{uuid.uuid4().hex[:24]}"
    store = RedisAgents.from_url(REDIS_URL, prefix)
    client = bounded_client(REDIS_URL)
    try:
        await add(store, "Anna")
        token = (await store.start_session("anna", NOW, ttl=3600))[0]
        assert await store.verify("anna", WRONG, NOW) is None
        written = sorted([k async for k in client.scan_iter(match=f"{prefix}:*")])
        tag, digest = f"{prefix}:{{%agents}}", hashlib.sha256(token.encode()).hexdigest()
        assert written == [f"{tag}:agents", f"{tag}:session:{digest}", f"{tag}:tries:anna"]
        assert 3590 < await client.ttl(f"{tag}:session:{digest}") <= 3600
        assert 0 < await client.ttl(f"{tag}:tries:anna") <= max(ATTEMPT_WINDOW, LOCKOUT)
        assert await client.ttl(f"{tag}:agents") == -1  # accounts stay
        with pytest.raises(ValueError, match="cannot contain"):
            RedisAgents.from_url(REDIS_URL, "a{b}")
    finally:
        await client.aclose()
        await store.close()
        await delete_keys(REDIS_URL, prefix)


async def test_sqlite_refuses_agent_tables_of_a_newer_theke(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = await SqliteAgents.open(path)
    await store.close()
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE agent_schema SET version = 2")
    db.close()
    with pytest.raises(StoreError, match="schema version 2, but this Theke knows only up to 1"):
        await SqliteAgents.open(path)
    with pytest.raises(StoreError, match="closed; open the store again"):
        await store.get("anna")
