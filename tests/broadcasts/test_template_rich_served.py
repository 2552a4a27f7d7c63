"""A broadcast whose approved WhatsApp template has an image header and a quick-reply button,
through the served app on SQLite with the fake Graph API as WhatsApp: made through the admin
API, previewed with its header and buttons, and sent to every WhatsApp holder in the Cloud
API's format (header, body, button index "0"), which the fake checks as Meta does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from framework.outreach.broadcasts_web import BROADCASTS
from framework.outreach.web import CONSENTS
from framework.stores.consents import GRANTED, MARKETING, Consent
from tests.broadcasts.test_broadcast_results_served import Cafe, cafe_served, status
from tests.consents.cafe import AUTH

CUSTOMERS = [f"4915100{n:06d}" for n in range(3)]
LINK = "https://cafe.example/offers/plum-cake.jpg"
TEMPLATE = {
    "name": "fresh_cake_offer",
    "category": "marketing",
    "languages": {"de": "de"},
    "parameters": ["cake"],
    "header": {"type": "image", "link": LINK},
    "buttons": [{"type": "quick_reply", "payload": "CAKE_YES"}],
}
COMPONENTS = [
    {"type": "header", "parameters": [{"type": "image", "image": {"link": LINK}}]},
    {"type": "body", "parameters": [{"type": "text", "text": "Pflaumenkuchen"}]},
    {
        "type": "button",
        "sub_type": "quick_reply",
        "index": "0",
        "parameters": [{"type": "payload", "payload": "CAKE_YES"}],
    },
]


@pytest.fixture
async def cafe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Cafe]:
    async with cafe_served(tmp_path, monkeypatch) as cafe:
        ledger = cafe.client.server.app[CONSENTS].store
        for wa_id in CUSTOMERS:
            key = f"cafe:whatsapp:{wa_id}"
            said = Consent(
                "cafe", key, MARKETING, GRANTED, "Angebote?", "whatsapp", "import:x", cafe.now
            )
            await ledger.record(said)
        yield cafe


async def made(cafe: Cafe, template: Any) -> Any:
    body = {
        "bot": "cafe",
        "text": "fresh_cake",
        "values": {"cake": "Pflaumenkuchen"},
        "whatsapp_template": template,
    }
    return await cafe.client.post("/admin/broadcasts", json=body, headers=AUTH)


async def test_the_image_header_and_quick_reply_reach_whatsapp_as_meta_s_format(
    cafe: Cafe,
) -> None:
    client, graph = cafe.client, cafe.graph
    response = await made(cafe, TEMPLATE)
    assert response.status == 201, await response.text()
    offer = (await response.json())["id"]
    assert (await status(client, offer))["whatsapp_template"] == TEMPLATE
    preview = await (await client.post(f"/admin/broadcasts/{offer}/preview", headers=AUTH)).json()
    assert preview["whatsapp_template"]["de"] == {
        "name": "fresh_cake_offer",
        "language": "de",
        "category": "marketing",
        "parameters": ["Pflaumenkuchen"],
        "header": {"type": "image", "link": LINK},
        "buttons": [{"type": "quick_reply", "payload": "CAKE_YES"}],
    }
    await client.post(f"/admin/broadcasts/{offer}/send", headers=AUTH)
    stepped = await client.server.app[BROADCASTS].sender.step()
    assert stepped is not None and stepped.queued == len(CUSTOMERS)
    for _ in range(250):
        if len(graph.sent) == len(CUSTOMERS):
            break
        await asyncio.sleep(0.02)
        cafe.now += 0.02
    assert sorted(sent.wa_id for sent in graph.sent) == CUSTOMERS
    for sent in graph.sent:
        assert sent.type == "template"
        assert sent.payload["template"] == {
            "name": "fresh_cake_offer",
            "language": {"code": "de"},
            "components": COMPONENTS,
        }


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"header": {"type": "image", "link": "http://cafe.example/a.jpg"}}, "http is refused"),
        ({"buttons": [{"type": "url", "parameter": "code"}]}, "no value for code"),
        ({"buttons": [{"type": "quick_reply", "payload": "x" * 129}]}, "1 to 128 characters"),
    ],
)
async def test_a_bad_header_or_button_is_refused_and_nothing_is_made(
    cafe: Cafe, changes: dict[str, Any], said: str
) -> None:
    response = await made(cafe, {**TEMPLATE, **changes})
    assert response.status == 400
    assert said in (await response.json())["error"]
    assert await cafe.client.server.app[BROADCASTS].store.of_bot("cafe") == []
