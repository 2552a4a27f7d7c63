"""What only the SQLite store promises: restarts, a free loop, clear errors, a bounded file."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from framework.stores.records import Claim, Commit, InboxItem, StoreLimits, timer_item_id
from framework.stores.session_store import StoreError
from framework.stores.sqlite.schema import SCHEMA_VERSION
from framework.stores.sqlite.sessions import SqliteStore

KEY = "pizza:web:ada"


def item(number: int, text: str = "hi") -> InboxItem:
    return InboxItem.message(f"m{number}", "2026-11-27T18:00:00+00:00", text)


def commit_for(item_id: str, session: dict[str, object], **extra: object) -> Commit:
    return Commit(
        item_id=item_id,
        session=session,
        profile={"address": "Weserstraße 5"},
        entries=[{"from": "customer", "text": "hi"}, {"from": "bot", "text": "Grüße 🍕"}],
        **extra,  # type: ignore[arg-type]
    )


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql).fetchall()


async def test_everything_survives_a_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "deep" / "folder" / "state.db")  # parent folders are created
    due = time.time() + 60
    store = await SqliteStore.open(path)
    for number in (1, 2):
        assert await store.enqueue(KEY, item(number))
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None
    following = await store.commit(claim, commit_for("m1", {"step": 3}, timers={"reminder": due}))
    assert isinstance(following, Claim)
    await store.release(following)  # m2 is left waiting
    await store.close()

    store = await SqliteStore.open(path)
    try:
        assert not await store.enqueue(KEY, item(1))  # still deduplicated
        assert await store.pending() == [KEY]
        assert [e["seq"] for e in await store.log(KEY, after=0)] == [1, 2]
        result = await store.result(KEY, "m1")
        assert result is not None and result[1]["text"] == "Grüße 🍕"
        claim = await store.claim(KEY, "w", 10)
        assert claim is not None and claim.item.id == "m2"
        assert claim.session == {"step": 3} and claim.seq == 2
        assert claim.profile == {"address": "Weserstraße 5"}
        await store.release(claim)
        assert await store.fire_timers(due + 1) == [KEY]
    finally:
        await store.close()


async def test_a_lease_left_by_a_dead_process_expires_after_a_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    store = await SqliteStore.open(path)
    await store.enqueue(KEY, item(1))
    assert await store.claim(KEY, "dead-worker", 5) is not None
    await store.close()  # the process dies without committing or releasing

    clock = Clock()
    store = await SqliteStore.open(path, clock=clock)
    try:
        assert await store.claim(KEY, "new-worker", 5) is None
        clock.now += 6
        claim = await store.claim(KEY, "new-worker", 5)
        assert claim is not None and claim.item.id == "m1"
    finally:
        await store.close()


async def test_slow_writes_do_not_block_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = await SqliteStore.open(str(path))
    locked, done = threading.Event(), threading.Event()

    def hold_the_write_lock() -> None:  # another process writing: our writes must wait
        with closing(sqlite3.connect(path, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")
            locked.set()
            time.sleep(0.3)
            other.execute("COMMIT")
        done.set()

    lateness: list[float] = []

    async def heartbeat() -> None:
        while not done.is_set() or len(lateness) < 5:
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            lateness.append(time.perf_counter() - before - 0.005)

    holder = threading.Thread(target=hold_the_write_lock)
    holder.start()
    try:
        assert await asyncio.to_thread(locked.wait, 5)
        started = time.perf_counter()
        beat = asyncio.create_task(heartbeat())
        accepted = await asyncio.gather(*(store.enqueue(f"k{n}", item(n)) for n in range(200)))
        elapsed = time.perf_counter() - started
        await beat
    finally:
        holder.join()
        await store.close()
    assert all(accepted)
    assert elapsed > 0.2  # the writes really were slow
    assert max(lateness) < 0.05


async def test_calls_waiting_together_share_a_transaction_and_fail_alone(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = await SqliteStore.open(str(path))
    await store.enqueue(KEY, item(1))
    claim = await store.claim(KEY, "w", 10)
    assert claim is not None
    locked, go = threading.Event(), threading.Event()

    def hold_the_write_lock() -> None:  # the store's thread waits: the calls below queue up
        with closing(sqlite3.connect(path, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")
            locked.set()
            go.wait(5)
            other.execute("COMMIT")

    holder = threading.Thread(target=hold_the_write_lock)
    holder.start()
    try:
        assert await asyncio.to_thread(locked.wait, 5)
        waiting = asyncio.ensure_future(store.enqueue("pizza:web:bob", item(1)))
        await asyncio.sleep(0.05)  # the thread is in that call's BEGIN now
        unstorable = commit_for("m1", {"when": object()})  # not JSON: the commit fails
        together = asyncio.gather(
            store.enqueue("pizza:web:cy", item(1)),
            store.commit(claim, unstorable),
            store.enqueue("pizza:web:cy", item(2)),
            return_exceptions=True,
        )
        await asyncio.sleep(0.05)
        go.set()
        first, failed, second = await together
        assert await waiting and first is True and second is True
        assert isinstance(failed, TypeError)
    finally:
        go.set()
        holder.join()
    try:
        assert await store.result(KEY, "m1") is None  # the failed commit wrote nothing
        assert await store.commit(claim, commit_for("m1", {"step": 1})) is True
        inbox = rows(path, "SELECT key, id FROM inbox ORDER BY position")
        assert inbox == [("pizza:web:bob", "m1"), ("pizza:web:cy", "m1"), ("pizza:web:cy", "m2")]
    finally:
        await store.close()


async def test_a_file_that_is_not_a_database_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"this is not a database, just some text\n" * 200)
    with pytest.raises(StoreError, match="cannot be opened as a Theke SQLite store") as error:
        await SqliteStore.open(str(path))
    assert str(path) in str(error.value) and "move the file away" in str(error.value)


async def test_a_folder_in_place_of_the_file_gives_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="check the path"):
        await SqliteStore.open(str(tmp_path))


async def test_a_database_of_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with closing(sqlite3.connect(path)) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="upgrade Theke or use another file"):
        await SqliteStore.open(str(path))
    assert rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION + 1,)]  # left untouched


async def test_a_new_file_is_versioned_and_reopens(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    await (await SqliteStore.open(str(path))).close()
    await (await SqliteStore.open(str(path))).close()
    assert rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert rows(path, "PRAGMA journal_mode") == [("wal",)]


async def test_huge_and_unicode_sessions_round_trip(tmp_path: Path) -> None:
    session: dict[str, object] = {
        "huge": "Salami " * 300_000,
        "many": [{"n": n, "price": n / 3} for n in range(10_000)],
        "unicode": "Grüße 🍕 – 2× Salami – مرحبا – 你好 – \x00 nul – \u2028",
        "lone surrogate": "\ud800",
        "nested": {"empty": {}, "none": None, "bool": True, "big": 2**62},
    }
    store = await SqliteStore.open(str(tmp_path / "state.db"))
    try:
        for number in (1, 2):
            await store.enqueue(KEY, item(number, text="🍕" * 1000))
        claim = await store.claim(KEY, "w", 10)
        assert claim is not None and claim.item.text == "🍕" * 1000
        following = await store.commit(claim, commit_for("m1", session))
        assert isinstance(following, Claim) and following.session == session  # handed on
        await store.release(following)
        again = await store.claim(KEY, "w", 10)  # and read back from the file
        assert again is not None and again.session == session
    finally:
        await store.close()
    stored = rows(tmp_path / "state.db", "SELECT entry FROM log WHERE seq = 2")
    assert stored == [('{"from":"bot","text":"Grüße 🍕","seq":2}',)]  # readable UTF-8


async def test_expired_rows_are_purged_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    clock = Clock()
    limits = StoreLimits(session_ttl=100, profile_ttl=1000, result_ttl=10)
    store = await SqliteStore.open(str(path), limits, clock=clock)
    try:
        await store.enqueue(KEY, item(1))
        claim = await store.claim(KEY, "w", 10)
        assert claim is not None
        await store.commit(claim, commit_for("m1", {}, timers={"later": clock.now + 500}))
        clock.now += 101
        await store.enqueue("pizza:web:bob", item(1))  # the purge runs inside an enqueue
        for table in ("inbox", "seen", "leases", "log", "results", "timers"):
            assert rows(path, f"SELECT key FROM {table} WHERE key = '{KEY}'") == []
        assert rows(path, "SELECT key FROM profiles") == [(KEY,)]  # remembered values stay
        clock.now += 1000
        await store.enqueue("pizza:web:cy", item(1))
        assert rows(path, "SELECT key FROM profiles") == []
        assert await store.fire_timers(clock.now) == []  # an idle session's timers are gone
    finally:
        await store.close()


async def test_a_closed_store_says_so(tmp_path: Path) -> None:
    store = await SqliteStore.open(str(tmp_path / "state.db"))
    await store.close()
    await store.close()  # closing twice is harmless
    with pytest.raises(StoreError, match="is closed"):
        await store.ping()


async def test_fired_timers_are_deduplicated_and_stamped(tmp_path: Path) -> None:
    clock = Clock()
    store = await SqliteStore.open(str(tmp_path / "state.db"), clock=clock)
    try:
        await store.enqueue(KEY, item(1))
        claim = await store.claim(KEY, "w", 10)
        assert claim is not None
        due = clock.now + 5
        await store.commit(claim, commit_for("m1", {}, timers={"a": due, "b": due + 1}))
        assert await store.fire_timers(due + 2, limit=1) == [KEY]  # the earliest first
        assert await store.fire_timers(due + 2) == [KEY]
        claim = await store.claim(KEY, "w", 10)
        assert claim is not None
        assert claim.item.id == timer_item_id("a", due) and claim.item.timer == "a"
    finally:
        await store.close()


async def test_an_expired_history_is_purged_but_the_session_stays(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    clock = Clock()
    limits = StoreLimits(session_ttl=1000, result_ttl=1000, history_ttl=10)
    store = await SqliteStore.open(str(path), limits, clock=clock)
    try:
        await store.enqueue(KEY, item(1))
        claim = await store.claim(KEY, "w", 10)
        assert claim is not None
        await store.commit(claim, commit_for("m1", {"step": 1}))
        clock.now += 61
        await store.enqueue("pizza:web:bob", item(1))  # the purge runs inside an enqueue
        assert rows(path, f"SELECT seq FROM log WHERE key = '{KEY}'") == []
        assert rows(path, f"SELECT seq, state FROM sessions WHERE key = '{KEY}'") == [
            (2, '{"step":1}')
        ]
        assert await store.result(KEY, "m1") == []  # known for result_ttl, its entries gone
        await store.enqueue(KEY, item(2))
        claim = await store.claim(KEY, "w", 10)
        assert claim is not None and claim.session == {"step": 1} and claim.seq == 2
    finally:
        await store.close()


async def test_the_profile_is_stored_once(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = await SqliteStore.open(str(path))
    try:
        await store.enqueue(KEY, item(1))
        claim = await store.claim(KEY, "w", 10)
        assert claim is not None
        session = {"step": 1, "profile": {"address": "Weserstraße 5"}}
        assert await store.commit(claim, commit_for("m1", session)) is True
        await store.enqueue(KEY, item(2))
        claim = await store.claim(KEY, "w", 10)
        assert claim is not None and claim.session == session
    finally:
        await store.close()
    assert rows(path, "SELECT state, shared_profile FROM sessions") == [('{"step":1}', 1)]
    assert rows(path, "SELECT data FROM profiles") == [('{"address":"Weserstraße 5"}',)]


VERSION_1 = """
CREATE TABLE sessions (key TEXT PRIMARY KEY NOT NULL, state TEXT, seq INTEGER NOT NULL,
    touched_at REAL NOT NULL);
CREATE INDEX sessions_touched ON sessions (touched_at);
CREATE TABLE profiles (key TEXT PRIMARY KEY NOT NULL, data TEXT NOT NULL, touched_at REAL NOT NULL);
CREATE INDEX profiles_touched ON profiles (touched_at);
CREATE TABLE inbox (position INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL,
    id TEXT NOT NULL, item TEXT NOT NULL);
CREATE INDEX inbox_key ON inbox (key, position);
CREATE TABLE seen (key TEXT NOT NULL, id TEXT NOT NULL, until REAL NOT NULL, PRIMARY KEY (key, id));
CREATE INDEX seen_until ON seen (until);
CREATE TABLE leases (key TEXT PRIMARY KEY NOT NULL, token TEXT NOT NULL, until REAL NOT NULL);
CREATE TABLE log (key TEXT NOT NULL, seq INTEGER NOT NULL, entry TEXT NOT NULL,
    PRIMARY KEY (key, seq));
CREATE TABLE results (key TEXT NOT NULL, id TEXT NOT NULL, entries TEXT NOT NULL,
    until REAL NOT NULL, PRIMARY KEY (key, id));
CREATE INDEX results_until ON results (until);
CREATE TABLE timers (key TEXT NOT NULL, name TEXT NOT NULL, due REAL NOT NULL,
    PRIMARY KEY (key, name));
CREATE INDEX timers_due ON timers (due);
PRAGMA user_version = 1;
"""


async def test_a_version_1_file_is_upgraded(tmp_path: Path) -> None:
    """Version 1 kept each result's entries; they become sequence ranges into the log."""
    path, now = tmp_path / "state.db", time.time()
    log = [(KEY, 1, '{"seq":1,"from":"customer","text":"hi"}'), (KEY, 2, '{"seq":2,"from":"bot"}')]
    entries = f"[{log[0][2]},{log[1][2]}]"
    with closing(sqlite3.connect(path)) as db:
        db.executescript(VERSION_1)
        db.execute("INSERT INTO sessions VALUES (?, ?, 2, ?)", (KEY, '{"step":3}', now))
        db.execute("INSERT INTO profiles VALUES (?, ?, ?)", (KEY, '{"address":"x"}', now))
        db.executemany("INSERT INTO log VALUES (?, ?, ?)", log)
        results = [(KEY, "m1", entries, now + 60), (KEY, "t1", "[]", now + 60)]
        db.executemany("INSERT INTO results VALUES (?, ?, ?, ?)", results)
        db.commit()
    store = await SqliteStore.open(str(path))
    try:
        result = await store.result(KEY, "m1")
        assert result is not None and [e["seq"] for e in result] == [1, 2]
        assert await store.result(KEY, "t1") == []
        assert await store.enqueue(KEY, item(2))
        claim = await store.claim(KEY, "w", 10)
        assert claim is not None and claim.session == {"step": 3} and claim.seq == 2
        assert claim.profile == {"address": "x"}
        assert await store.commit(claim, commit_for("m2", {"step": 4}))
        result = await store.result(KEY, "m2")
        assert result is not None and [e["seq"] for e in result] == [3, 4]
    finally:
        await store.close()
    assert rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert ("results_until",) in rows(path, "SELECT name FROM sqlite_master WHERE type = 'index'")


VERSION_2 = """
CREATE TABLE sessions (key TEXT PRIMARY KEY NOT NULL, state TEXT, seq INTEGER NOT NULL,
    touched_at REAL NOT NULL, shared_profile INTEGER NOT NULL DEFAULT 0);
CREATE INDEX sessions_touched ON sessions (touched_at);
CREATE TABLE profiles (key TEXT PRIMARY KEY NOT NULL, data TEXT NOT NULL, touched_at REAL NOT NULL);
CREATE INDEX profiles_touched ON profiles (touched_at);
CREATE TABLE inbox (position INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL,
    id TEXT NOT NULL, item TEXT NOT NULL);
CREATE INDEX inbox_key ON inbox (key, position);
CREATE TABLE seen (key TEXT NOT NULL, id TEXT NOT NULL, until REAL NOT NULL, PRIMARY KEY (key, id));
CREATE INDEX seen_until ON seen (until);
CREATE TABLE leases (key TEXT PRIMARY KEY NOT NULL, token TEXT NOT NULL, until REAL NOT NULL);
CREATE TABLE log (key TEXT NOT NULL, seq INTEGER NOT NULL, entry TEXT NOT NULL,
    PRIMARY KEY (key, seq));
CREATE TABLE timers (key TEXT NOT NULL, name TEXT NOT NULL, due REAL NOT NULL,
    PRIMARY KEY (key, name));
CREATE INDEX timers_due ON timers (due);
CREATE TABLE results (key TEXT NOT NULL, id TEXT NOT NULL, first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL, until REAL NOT NULL, PRIMARY KEY (key, id));
CREATE INDEX results_until ON results (until);
PRAGMA user_version = 2;
"""


async def test_a_version_2_file_is_upgraded(tmp_path: Path) -> None:
    """Version 3 adds the answers to a turn's requests; what version 2 kept stays as it was."""
    path, now = tmp_path / "state.db", time.time()
    with closing(sqlite3.connect(path)) as db:
        db.executescript(VERSION_2)
        db.execute("INSERT INTO sessions VALUES (?, ?, 2, ?, 0)", (KEY, '{"step":3}', now))
        db.execute("INSERT INTO profiles VALUES (?, ?, ?)", (KEY, '{"address":"x"}', now))
        db.execute("INSERT INTO log VALUES (?, 1, ?)", (KEY, '{"seq":1,"from":"bot"}'))
        db.execute("INSERT INTO results VALUES (?, 'm1', 1, 1, ?)", (KEY, now + 60))
        db.commit()
    store = await SqliteStore.open(str(path))
    try:
        assert await store.result(KEY, "m1") == [{"seq": 1, "from": "bot"}]
        assert await store.kept_answer(KEY, "r-1") is None
        await store.keep_answer(KEY, "r-1", '{"action":"ready_in"}')
        assert await store.enqueue(KEY, item(2))
        claim = await store.claim(KEY, "w", 10)
        assert claim is not None and claim.session == {"step": 3} and claim.seq == 2
        assert await store.commit(claim, commit_for("m2", {"step": 4}))
        assert await store.kept_answer(KEY, "r-1") == '{"action":"ready_in"}'
    finally:
        await store.close()
    assert rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)] == [(3,)]
    assert ("answers_until",) in rows(path, "SELECT name FROM sqlite_master WHERE type = 'index'")
    await (await SqliteStore.open(str(path))).close()  # an upgraded file reopens as it is
