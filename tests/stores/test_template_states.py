"""One contract, every template state store (what Meta said of the templates and of the
business numbers): memory (the reference), sqlite (a real file),
redis and redis-cluster (real servers), each opened from its URL (`open_template_states`, as
the channels open it before the event loop runs), each test under a Redis key prefix of its
own, deleted afterwards. Time is an argument: no test waits."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from framework.stores.memory.template_states import MemoryTemplateStates
from framework.stores.number_states import NumberNews, NumberState
from framework.stores.opening import open_template_states
from framework.stores.template_states import (
    TemplateNews,
    TemplateState,
    TemplateStateError,
    TemplateStates,
)
from tests.stores.contract import KINDS, store_url, stores_of

NOW = 1_800_000_000.5
PHONE_ID = "106540352242922"
Opener = Callable[[], Awaitable[TemplateStates]]


async def _opened(url: str) -> TemplateStates:
    return open_template_states(url)


@pytest.fixture(params=KINDS)
async def opener(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    kind, prefix = str(request.param), f"test-templates-{uuid.uuid4().hex[:24]}"
    url = store_url(kind, tmp_path, request.config, prefix)
    async with stores_of(kind, url, prefix, MemoryTemplateStates(), _opened) as open_one:
        yield open_one


def status(event: str, at: float, language: str = "de", reason: str = "") -> TemplateNews:
    return TemplateNews("spring_offer", language, at, status=event, reason=reason)


def quality(score: str, at: float, language: str = "de") -> TemplateNews:
    return TemplateNews("spring_offer", language, at, quality=score)


async def test_a_pause_is_kept_per_language_and_read_by_another_worker(opener: Opener) -> None:
    store, other = await opener(), await opener()
    assert await store.of_template("spring_offer") == {}
    paused = await store.note(status("PAUSED", NOW, reason="Low quality"))
    assert paused == TemplateState("spring_offer", "de", "PAUSED", NOW, reason="Low quality")
    await store.note(quality("GREEN", NOW + 1, "en_US"))
    assert await other.of_template("spring_offer") == {
        "de": paused,
        "en_US": TemplateState("spring_offer", "en_US", quality="GREEN", quality_at=NOW + 1),
    }
    assert await other.of_template("autumn_offer") == {}


async def test_status_and_quality_each_keep_their_newest(opener: Opener) -> None:
    store = await opener()
    await store.note(status("PAUSED", NOW))
    await store.note(quality("RED", NOW - 5))  # older than the pause, but the first quality
    back = await store.note(status("REINSTATED", NOW + 3 * 3600))
    late = await store.note(status("PAUSED", NOW + 60))  # the pause delivered again, late
    assert late == back
    assert (back.status, back.status_at, back.quality) == ("REINSTATED", NOW + 3 * 3600, "RED")
    again = await store.note(quality("YELLOW", NOW - 60))  # older than the RED kept
    assert (again.quality, again.quality_at) == ("RED", NOW - 5)


async def test_news_noted_at_once_by_two_workers_is_all_kept(opener: Opener) -> None:
    stores = [await opener() for _ in range(2)]
    news = [quality("YELLOW", NOW), status("FLAGGED", NOW)] * 5
    await asyncio.gather(*(stores[i % 2].note(one) for i, one in enumerate(news)))
    found = (await stores[0].of_template("spring_offer"))["de"]
    assert (found.status, found.quality) == ("FLAGGED", "YELLOW")


@pytest.mark.parametrize(
    "news",
    [
        TemplateNews("Spring-Offer", "de", NOW, status="PAUSED"),
        TemplateNews("spring_offer", "de-DE!", NOW, status="PAUSED"),
        TemplateNews("spring_offer", "de", NOW),
        TemplateNews("spring_offer", "de", NOW, status="PAUSED", quality="RED"),
        TemplateNews("spring_offer", "de", NOW, status="paused; DROP"),
        TemplateNews("spring_offer", "de", NOW, quality="PURPLE"),
        TemplateNews("spring_offer", "de", float("nan"), status="PAUSED"),
        TemplateNews("x" * 513, "de", NOW, status="PAUSED"),
    ],
)
async def test_news_of_another_shape_is_refused_and_keeps_nothing(
    opener: Opener, news: TemplateNews
) -> None:
    store = await opener()
    with pytest.raises(TemplateStateError):
        await store.note(news)
    assert await store.of_template("spring_offer") == {}


async def test_a_long_reason_is_shortened_and_a_bad_name_refused_when_read(opener: Opener) -> None:
    store = await opener()
    kept = await store.note(status("REJECTED", NOW, reason="ä" * 5000))
    assert kept.reason == "ä" * 300
    with pytest.raises(TemplateStateError):
        await store.of_template("{%template:x}")


async def test_a_red_number_is_kept_and_read_by_another_worker(opener: Opener) -> None:
    store, other = await opener(), await opener()
    assert await store.of_number(PHONE_ID) is None
    red = await store.note_number(NumberNews(PHONE_ID, NOW, "FLAGGED", "RED", "TIER_2K"))
    assert red == NumberState(PHONE_ID, "RED", NOW, "TIER_2K", NOW, "FLAGGED")
    assert red.limit == 2000
    assert await other.of_number(PHONE_ID) == red
    assert await other.of_number("999") is None
    assert await other.of_template("spring_offer") == {}  # templates and numbers apart


async def test_quality_and_limit_each_keep_their_newest(opener: Opener) -> None:
    store = await opener()
    await store.note_number(NumberNews(PHONE_ID, NOW, "FLAGGED", quality="RED"))
    down = await store.note_number(NumberNews(PHONE_ID, NOW + 5, "DOWNGRADE", tier="TIER_250"))
    assert (down.quality, down.tier, down.event, down.limit) == (
        "RED",
        "TIER_250",
        "DOWNGRADE",
        250,
    )
    late = await store.note_number(NumberNews(PHONE_ID, NOW - 60, "UNFLAGGED", "GREEN", "TIER_10K"))
    assert late == down  # delivered late: older than both
    back = await store.note_number(NumberNews(PHONE_ID, NOW + 60, "UNFLAGGED", quality="GREEN"))
    assert (back.quality, back.tier, back.event) == ("GREEN", "TIER_250", "UNFLAGGED")
    free = await store.note_number(NumberNews(PHONE_ID, NOW + 90, tier="TIER_UNLIMITED"))
    assert free.limit is None


async def test_number_news_noted_at_once_by_two_workers_is_all_kept(opener: Opener) -> None:
    stores = [await opener() for _ in range(2)]
    news = [NumberNews(PHONE_ID, NOW, quality="YELLOW"), NumberNews(PHONE_ID, NOW, tier="TIER_10K")]
    await asyncio.gather(*(stores[i % 2].note_number(one) for i, one in enumerate(news * 5)))
    found = await stores[0].of_number(PHONE_ID)
    assert found is not None and (found.quality, found.tier) == ("YELLOW", "TIER_10K")


@pytest.mark.parametrize(
    "news",
    [
        NumberNews("+49 170", NOW, quality="RED"),
        NumberNews("{%number:1}", NOW, quality="RED"),
        NumberNews("1" * 31, NOW, quality="RED"),
        NumberNews(PHONE_ID, NOW),
        NumberNews(PHONE_ID, NOW, quality="PURPLE"),
        NumberNews(PHONE_ID, NOW, tier="TIER_5M"),
        NumberNews(PHONE_ID, NOW, event="flagged; DROP"),
        NumberNews(PHONE_ID, float("nan"), quality="RED"),
        NumberNews(PHONE_ID, 1e12, quality="RED"),
    ],
)
async def test_number_news_of_another_shape_is_refused_and_keeps_nothing(
    opener: Opener, news: NumberNews
) -> None:
    store = await opener()
    with pytest.raises(TemplateStateError):
        await store.note_number(news)
    assert await store.of_number(PHONE_ID) is None
    with pytest.raises(TemplateStateError):
        await store.of_number("{%number:x}")


async def test_a_file_made_before_the_number_states_gets_their_table(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:  # as the template states were made before
        db.executescript(
            "CREATE TABLE template_states_schema (version INTEGER NOT NULL);"
            "CREATE TABLE template_states (name TEXT NOT NULL, language TEXT NOT NULL,"
            " state TEXT NOT NULL, PRIMARY KEY (name, language)) WITHOUT ROWID;"
            "INSERT INTO template_states_schema VALUES (1);"
        )
    db.close()
    store = open_template_states(f"sqlite:///{path}")
    try:
        await store.note(TemplateNews("spring_offer", "de", NOW, status="PAUSED"))
        kept = await store.note_number(NumberNews(PHONE_ID, NOW, quality="RED"))
        assert await store.of_number(PHONE_ID) == kept
        assert (await store.of_template("spring_offer"))["de"].status == "PAUSED"
    finally:
        await store.close()
