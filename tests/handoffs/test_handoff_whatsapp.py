"""A person takes a WhatsApp conversation over, through the fake Cloud API: the customer hears
their place and who joined, the person's words arrive as WhatsApp messages, the bot is silent
while the person holds the conversation, and once the 24-hour window has closed what the person
writes goes out as the number's approved template, never as a free message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from framework.handoffs.web import HANDOFFS
from tests.channels.test_whatsapp_channel import KEY, Clock, said, webhook, whatsapp_shop
from tests.fakes import webhooks as wa
from tests.fakes.graph_api import FakeGraphApi


@pytest.fixture
async def whatsapp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[FakeGraphApi, TestClient, Clock]]:
    clock = Clock(1795802400.0)  # Friday 19:00 in Berlin: the pizzeria is open
    template = {"name": "theke_update", "language": "de"}
    async with whatsapp_shop(tmp_path, monkeypatch, clock, template=template) as (graph, client):
        yield graph, client, clock


async def test_a_person_writes_on_whatsapp_within_and_after_the_window(
    whatsapp: tuple[FakeGraphApi, TestClient, Clock],
) -> None:
    graph, client, clock = whatsapp
    handoffs = client.server.app[HANDOFFS]
    await graph.post_messages(webhook(client), wa.text("Ich möchte mit einem Mitarbeiter sprechen"))
    await said(graph, "Ich hole einen Mitarbeiter dazu")
    await said(graph, "Du bist Nr. 1 in der Warteschlange")
    await handoffs.claim("pizza", KEY, "anna")
    await said(graph, "anna ist jetzt für dich da.")
    sent_before = len(graph.sent)
    await graph.post_messages(webhook(client), wa.text("Meine Pizza kam kalt an"))
    await handoffs.say("pizza", KEY, "anna", "Das tut mir leid – wir schicken eine neue.")
    reply = await said(graph, "wir schicken eine neue")
    assert reply.payload["type"] == "text"
    assert len(graph.sent) == sent_before + 1  # the bot said nothing to the customer's message
    clock.offset += 25 * 3600
    await handoffs.say("pizza", KEY, "anna", "Ist die neue Pizza angekommen?")
    late = await said(graph, "Ist die neue Pizza angekommen?")
    assert late.payload["type"] == "template"
    assert late.payload["template"]["name"] == "theke_update"
