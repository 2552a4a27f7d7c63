"""One contract, every template state store: memory (the reference), sqlite (a real file),
redis and redis-cluster (real servers), each opened from its URL (`open_template_states`, as
the channels open it before the event loop runs), each test under a Redis key prefix of its
own, deleted afterwards. Time is an argument: no test waits."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from framework.stores.memory.template_states import MemoryTemplateStates
from framework.stores.opening import open_template_states
from framework.stores.template_states import (
    TemplateNews,
    TemplateState,
    TemplateStateError,
    TemplateStates,
)
from tests.stores.contract import KINDS, store_url, stores_of

NOW = 1_800_000_000.5
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
