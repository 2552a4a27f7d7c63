"""A marketing broadcast never goes to WhatsApp as the number's generic utility template
(`theke_update` with `{{1}}`, which Meta re-categorises or refuses when it carries an offer):
one that may reach WhatsApp customers without a marketing template of its own is refused when
it is made, with what to do, and nothing is made. Leaving WhatsApp out by its segment, a
notification, or a bot no WhatsApp number serves are made as before."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from framework.outreach.broadcasts_web import BROADCASTS
from tests.broadcasts.test_rate_limit_hold import TEMPLATE, Served, served
from tests.consents.cafe import ADMIN, AUTH
from tests.fakes.graph_api import FakeGraphApi, workspace_channel


@pytest.fixture
async def cafe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Served]:
    """The café with a WhatsApp number and the REST channel."""
    monkeypatch.setenv("THEKE_ADMIN_KEY", ADMIN)
    async with FakeGraphApi() as graph:
        spec = workspace_channel(graph, "cafe", monkeypatch.setenv)
        async with served(tmp_path, {"rest": {}, "whatsapp": spec}) as cafe:
            yield cafe


async def made(cafe: Served, **body: Any) -> tuple[int, dict[str, Any]]:
    response = await cafe.client.post(
        "/admin/broadcasts", json={"bot": "cafe", "text": "fresh_cake", **body}, headers=AUTH
    )
    return response.status, await response.json()


async def drafts(cafe: Served) -> int:
    return len(await cafe.client.server.app[BROADCASTS].store.of_bot("cafe", 50))


async def test_marketing_without_its_own_template_is_refused_with_what_to_do(
    cafe: Served,
) -> None:
    status, answer = await made(cafe)
    assert status == 400
    assert "approved marketing template" in answer["error"]
    assert '"channels": ["telegram"]' in answer["error"]  # the other way out
    status, _ = await made(cafe, segment={"channels": ["whatsapp", "rest"]})
    assert status == 400
    assert await drafts(cafe) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"whatsapp_template": TEMPLATE},
        {"segment": {"channels": ["rest"]}},
        {"purpose": "notify:news"},
    ],
)
async def test_with_a_marketing_template_without_whatsapp_or_as_news_it_is_made(
    cafe: Served, body: dict[str, Any]
) -> None:
    status, answer = await made(cafe, **body)
    assert status == 201, answer
    assert await drafts(cafe) == 1


async def test_a_bot_no_whatsapp_number_serves_needs_no_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THEKE_ADMIN_KEY", ADMIN)
    async with served(tmp_path, {"rest": {}}) as cafe:
        assert (await made(cafe))[0] == 201
