"""The composer says what WhatsApp allows: within 24 hours of the customer's last message the
agent's text goes out as it is, after that only the number's approved template carries it, and
the page says so before the agent writes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from framework.handoffs.web import HANDOFFS
from framework.inbox.auth import AGENTS
from framework.stores.agents import Agent
from tests.channels.test_whatsapp_channel import KEY, Clock, said, webhook, whatsapp_shop
from tests.fakes import webhooks as wa
from tests.fakes.graph_api import FakeGraphApi
from tests.inbox.conftest import PASSWORD, browsers

PAGE = f"/inbox/c/pizza/{KEY}"
TEMPLATE_ONLY = "only lets the bot&#39;s approved template through now"


@pytest.fixture
async def whatsapp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[FakeGraphApi, TestClient, Clock]]:
    clock = Clock(1795802400.0)  # Friday 19:00 in Berlin: the pizzeria is open
    template = {"name": "theke_update", "language": "de"}
    async with whatsapp_shop(tmp_path, monkeypatch, clock, template=template) as (graph, client):
        await client.server.app[AGENTS].add(Agent(name="anna"), PASSWORD, clock())
        yield graph, client, clock


async def test_the_composer_says_when_only_the_template_reaches_the_customer(
    whatsapp: tuple[FakeGraphApi, TestClient, Clock],
) -> None:
    graph, client, clock = whatsapp
    await graph.post_messages(webhook(client), wa.text("Ich möchte mit einem Mitarbeiter sprechen"))
    await said(graph, "Du bist Nr. 1 in der Warteschlange")
    async with browsers(client) as open_browser:
        anna = open_browser()
        await anna.sign_in("anna")
        assert (await anna.post(f"{PAGE}/claim")).status == 200
        await said(graph, "anna ist jetzt für dich da.")
        page = await (await anna.session.get(anna.url(PAGE))).text()
        assert "Free text reaches the customer for 23 h 59 min more." in page
        assert TEMPLATE_ONLY not in page
        clock.offset += 25 * 3600
        assert (await anna.session.get(anna.url(PAGE))).url.path == "/inbox/login"  # 12 h
        await anna.sign_in("anna")
        page = await (await anna.session.get(anna.url(PAGE))).text()
        assert TEMPLATE_ONLY in page and "composer__note--warn" in page
        await anna.post(f"{PAGE}/say", {"text": "Ist die neue Pizza angekommen?"})
    late = await said(graph, "Ist die neue Pizza angekommen?")
    assert late.payload["type"] == "template"
    assert (await client.server.app[HANDOFFS].store.get("pizza", KEY)).agent == "anna"
