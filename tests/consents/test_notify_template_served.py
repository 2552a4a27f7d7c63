"""Notifications as honest utility messages, through the served app (SQLite) and the fake Graph
API: a notification names its approved utility template, which WhatsApp customers outside the
24-hour window get instead of the number's generic `theke_update` (inside it, the text); a
marketing text or template is refused for a notification (the API, a `notify:` broadcast) and
nothing goes out; and a marketing notice is never sent as the number's utility template, even
one of a broadcast made before the rule that asks for its own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from framework.outreach.broadcasts_web import BROADCASTS
from framework.outreach.web import CONSENTS
from framework.stores.broadcasts import SENDING, Broadcast
from framework.stores.consents import GRANTED, MARKETING, Consent
from tests.channels.shop import eventually
from tests.channels.test_whatsapp_channel import webhook
from tests.consents.cafe import ADMIN, AUTH, HEAD, NOW
from tests.fakes import webhooks as wa
from tests.fakes.graph_api import FakeGraphApi, workspace_channel
from tests.served import served

BOT = (
    HEAD
    + """slots:
  granted: {type: text}
  cake: {type: text}
texts:
  news_question:
    de: "Darf Café Kranz dir hier sagen, wenn es frischen Kuchen gibt?"
  fresh_cake:
    category: utility
    de: "Frisch aus dem Ofen: {{ cake }}."
  weekly_offer:
    category: marketing
    de: "Diese Woche: zwei Stück Kuchen zum Preis von einem!"
flows:
  cake_news:
    triggers: [kuchen]
    steps:
      - action: consent.grant
        args: {flow: cake_news, purpose: "notify:news", text: "{{ texts.news_question }}"}
        save: {granted: granted}
      - say: "Abgemacht: Wir sagen dir, wenn der Kuchen aus dem Ofen kommt."
"""
)
ADA = wa.Customer(wa_id="4915100000001", user_id="DE.1", name="Ada")
BEN = "4915100000002"  # agreed on the café's paper form, never wrote
NEWS = {
    "name": "cake_news",
    "category": "utility",
    "languages": {"de": "de"},
    "parameters": ["cake"],
}


@pytest.fixture
async def cafe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[FakeGraphApi, TestClient]]:
    monkeypatch.setenv("THEKE_ADMIN_KEY", ADMIN)
    async with FakeGraphApi(templates={"cake_news", "theke_update"}) as graph:
        spec = workspace_channel(graph, "cafe", monkeypatch.setenv)
        number = spec["numbers"][graph.business.phone_number_id]
        number["template"] = {"name": "theke_update", "language": "de"}
        async with served(tmp_path / "cafe", BOT, NOW, channels={"whatsapp": spec}) as client:
            ledger = client.server.app[CONSENTS].store
            for purpose in ("notify:news", MARKETING):
                said = "Ja, Café Kranz darf mir schreiben."
                key = f"cafe:whatsapp:{BEN}"
                await ledger.record(
                    Consent("cafe", key, purpose, GRANTED, said, "whatsapp", "import:form", NOW)
                )
            yield graph, client


def sent_to(graph: FakeGraphApi, wa_id: str) -> list[dict[str, Any]]:
    return [s.payload for s in graph.sent if s.wa_id == wa_id]


async def post(client: TestClient, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    response = await client.post(path, json=body, headers=AUTH)
    return response.status, await response.json()


def cake_news(**changes: Any) -> dict[str, Any]:
    body = {"bot": "cafe", "topic": "news", "text": "fresh_cake", "key": "oven-1"}
    return body | {"values": {"cake": "Pflaumenkuchen"}, "whatsapp_template": NEWS} | changes


async def test_outside_the_window_the_notification_goes_as_its_utility_template(
    cafe: tuple[FakeGraphApi, TestClient],
) -> None:
    graph, client = cafe
    await graph.post_messages(webhook(client), wa.text("kuchen", customer=ADA), customer=ADA)
    await eventually(lambda: sent_to(graph, ADA.wa_id), "Ada is told she is subscribed")
    status, answer = await post(client, "/api/notify", cake_news())
    assert (status, answer["notified"]) == (200, 2)

    def both() -> bool:
        return len(sent_to(graph, ADA.wa_id)) == 2 and len(sent_to(graph, BEN)) == 1

    await eventually(both, "Ada and Ben got the news")
    [to_ben] = sent_to(graph, BEN)  # no customer message: outside the window
    assert to_ben["type"] == "template"
    assert to_ben["template"]["name"] == "cake_news"  # not the number's theke_update
    assert to_ben["template"]["components"] == [
        {"type": "body", "parameters": [{"type": "text", "text": "Pflaumenkuchen"}]}
    ]
    to_ada = sent_to(graph, ADA.wa_id)[-1]  # she just wrote: a free service message
    assert to_ada["type"] == "text"
    assert to_ada["text"]["body"] == "Frisch aus dem Ofen: Pflaumenkuchen."


@pytest.mark.parametrize(
    ("path", "body", "said"),
    [
        ("/api/notify", cake_news(text="weekly_offer"), "weekly_offer is a marketing text"),
        (
            "/api/notify",
            cake_news(whatsapp_template=NEWS | {"category": "marketing"}),
            "utility",
        ),
        ("/api/notify", cake_news(whatsapp_template=NEWS | {"name": "Cake News"}), "name"),
        (
            "/admin/broadcasts",
            {"bot": "cafe", "text": "weekly_offer", "purpose": "notify:news"},
            "weekly_offer is a marketing text",
        ),
    ],
)
async def test_a_marketing_text_or_template_is_no_notification_and_nothing_goes(
    cafe: tuple[FakeGraphApi, TestClient], path: str, body: dict[str, Any], said: str
) -> None:
    graph, client = cafe
    status, answer = await post(client, path, body)
    assert status == 400 and said in answer["error"], answer
    assert await client.server.app[BROADCASTS].store.of_bot("cafe", 10) == []
    await asyncio.sleep(0.2)
    assert graph.sent == []


async def test_a_marketing_notice_never_goes_as_the_numbers_utility_template(
    cafe: tuple[FakeGraphApi, TestClient],
) -> None:
    """A marketing broadcast made before the rule that asks for its own template (or written
    to the store by another tool): outside the window it is refused, not sent as theke_update."""
    graph, client = cafe
    broadcasts = client.server.app[BROADCASTS]
    made = Broadcast("bold0", "cafe", MARKETING, "weekly_offer", status=SENDING, started_at=NOW)
    await broadcasts.store.create(made)
    await broadcasts.sender.step()

    async def counted() -> dict[str, Any]:
        return (await broadcasts.store.results("bold0")).to_json()

    for _ in range(200):
        if (await counted())["failed"]:
            break
        await asyncio.sleep(0.02)
    assert (await counted())["failed"] == {"window_closed": 1}
    await asyncio.sleep(0.2)
    assert graph.sent == []  # neither theke_update nor anything else
