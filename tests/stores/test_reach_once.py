"""The reach store's `once` marks on every store (memory, SQLite, Redis, Redis Cluster: the
opener of test_reach_store.py): set if absent, the first value wins across workers and at the
same moment, each mark ends at its own time, and what the rules refuse; a SQLite file made
before the marks gets their table when opened, losing nothing."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from framework.stores.reach import ReachError, ReachStore
from framework.stores.sqlite.reach import SqliteReach
from tests.stores.test_reach_store import DAY, NOW, Opener, opener

__all__ = ["opener"]

ADA, BEN = "a" * 32, "b" * 32


async def test_the_first_value_stays_and_every_worker_reads_it(opener: Opener) -> None:
    store, other = await opener(), await opener()
    assert await store.once("salon", {ADA: "telegram"}, NOW, NOW + DAY) == {ADA: "telegram"}
    found = await other.once("salon", {ADA: "whatsapp", BEN: "web"}, NOW + 5, NOW + DAY)
    assert found == {ADA: "telegram", BEN: "web"}
    assert await other.once("other", {ADA: "whatsapp"}, NOW, NOW + DAY) == {ADA: "whatsapp"}
    assert await store.once("salon", {}, NOW, NOW + DAY) == {}


async def test_of_workers_setting_one_digest_at_once_one_value_wins_for_all(
    opener: Opener,
) -> None:
    stores = [await opener() for _ in range(6)]
    found = await asyncio.gather(
        *(
            s.once("salon", {ADA: f"w{n}", BEN: f"w{n}"}, NOW, NOW + DAY)
            for n, s in enumerate(stores)
        )
    )
    assert len({kept[ADA] for kept in found}) == 1
    assert len({kept[BEN] for kept in found}) == 1


async def test_a_mark_ends_at_its_own_time(opener: Opener) -> None:
    store = await opener()
    await store.once("salon", {ADA: "first"}, NOW, NOW + 30 * DAY)
    await store.once("salon", {BEN: "first"}, NOW, NOW + DAY)
    later = NOW + 2 * DAY
    found = await store.once("salon", {ADA: "again", BEN: "again"}, later, later + DAY)
    assert found == {ADA: "first", BEN: "again"}
    last = NOW + 30 * DAY + 1
    assert await store.once("salon", {ADA: "third"}, last, last + DAY) == {ADA: "third"}


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.once("Salon", {ADA: "x"}, NOW, NOW + DAY),
        lambda s: s.once("salon", {"salon:whatsapp:49170": "x"}, NOW, NOW + DAY),
        lambda s: s.once("salon", {ADA: "a b"}, NOW, NOW + DAY),
        lambda s: s.once("salon", {ADA: ""}, NOW, NOW + DAY),
        lambda s: s.once("salon", [ADA], NOW, NOW + DAY),
        lambda s: s.once("salon", {ADA: "x"}, NOW, NOW),
        lambda s: s.once("salon", {ADA: "x"}, NOW, NOW + 400 * DAY),
        lambda s: s.once("salon", {f"{n:032x}": "x" for n in range(5001)}, NOW, NOW + DAY),
    ],
)
async def test_what_the_rules_refuse(opener: Opener, call: Callable[[ReachStore], Any]) -> None:
    store = await opener()
    with pytest.raises(ReachError):
        await call(store)
    assert await store.once("salon", {ADA: "kept"}, NOW, NOW + DAY) == {ADA: "kept"}


async def test_marked_reads_the_marks_kept_past_a_time_and_sets_nothing(opener: Opener) -> None:
    store, other = await opener(), await opener()
    assert await store.marked("salon", [ADA, BEN], NOW) == {}
    await store.once("salon", {ADA: "sent"}, NOW, NOW + DAY)
    assert await other.marked("salon", [ADA, BEN], NOW + 5) == {ADA: "sent"}
    assert await other.marked("salon", [ADA], NOW + DAY) == {}
    assert await other.marked("other", [ADA], NOW) == {}
    assert await other.once("salon", {BEN: "later"}, NOW, NOW + DAY) == {BEN: "later"}
    with pytest.raises(ReachError):
        await store.marked("salon", ["salon:whatsapp:49170"], NOW)


async def test_a_sqlite_file_made_before_the_marks_gets_them_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = await SqliteReach.open(path)
    await store.marketed("salon", "b1", ["salon:whatsapp:49170"], NOW)
    await store.close()
    with sqlite3.connect(path) as db:  # as an older Theke left it
        db.executescript("DROP TABLE reach_once; DROP TABLE reach_once_schema;")
    db.close()
    store = await SqliteReach.open(path)
    try:
        assert await store.once("salon", {ADA: "kept"}, NOW, NOW + DAY) == {ADA: "kept"}
        assert await store.marks("salon", ["salon:whatsapp:49170"], 0.0)  # nothing lost
    finally:
        await store.close()


async def test_ordered_marks_number_the_calls_as_the_store_took_them(opener: Opener) -> None:
    stores = [await opener() for _ in range(6)]
    digests = [f"{n}" * 32 for n in range(1, 7)]
    found = await asyncio.gather(
        *(s.ordered("salon", d, NOW, NOW + DAY) for s, d in zip(stores, digests, strict=True))
    )
    assert sorted(found) == [f"{n:012d}" for n in range(1, 7)]  # each its own number
    again = await stores[0].ordered("salon", digests[3], NOW + 5, NOW + DAY)
    assert again == found[3]  # kept: the same number, whoever asks
    assert await stores[1].marked("salon", digests[:2], NOW + 5) == dict(
        zip(digests[:2], found[:2], strict=True)
    )
    assert await stores[2].ordered("other", ADA, NOW, NOW + DAY) == "000000000001"
    later = NOW + 2 * DAY  # the mark ended: a new number, after every other
    assert await stores[0].ordered("salon", digests[0], later, later + DAY) == "000000000007"
    with pytest.raises(ReachError):
        await stores[0].ordered("salon", "0" * 32, NOW, NOW + DAY)
