"""The composer says what WhatsApp allows: within 24 hours of the customer's last message the
agent's text goes out as it is, after that only the number's approved template carries it, and
the page says so before the agent writes."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from framework.handoffs.web import HANDOFFS
from framework.inbox.auth import AGENTS
from framework.stores.agents import Agent
from tests.channels.test_whatsapp_channel import KEY, Clock, said, webhook
from tests.fakes import webhooks as wa
from tests.fakes.graph_api import FakeGraphApi
from tests.handoffs import test_handoff_whatsapp
from tests.inbox.conftest import PASSWORD, browsers

PAGE = f"/inbox/c/pizza/{KEY}"
TEMPLATE_ONLY = "only lets the bot&#39;s approved template through now"


whatsapp = test_handoff_whatsapp.whatsapp
"""The pizza bot on the fake Graph API with the number's template, on a clock tests move."""


async def test_the_composer_says_when_only_the_template_reaches_the_customer(
    whatsapp: tuple[FakeGraphApi, TestClient, Clock],
) -> None:
    graph, client, clock = whatsapp
    await client.server.app[AGENTS].add(Agent(name="anna"), PASSWORD, clock())
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
