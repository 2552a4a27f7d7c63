"""A broadcast with its approved WhatsApp template through the served app on SQLite, the fake
Graph API as WhatsApp and Meta's signed webhooks: 80 WhatsApp customers of a café hold
`marketing`; the offer goes to them as the template (`type: template`, the code of its
language, the value as its body's parameter); Meta refuses one send with 132015 (paused), and
the rest waits (`template_paused`) until Meta's signed webhook says REINSTATED, then goes on:
nobody twice. An unsigned template webhook is refused (401), a malformed one answered and
ignored, without a traceback; a bad template is refused when the broadcast is made (400)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from framework.broadcasts.sending import LEASE
from framework.outreach.broadcasts_web import BROADCASTS
from framework.outreach.web import CONSENTS
from framework.stores.consents import GRANTED, MARKETING, Consent
from tests.broadcasts.test_broadcast_results_served import Cafe, cafe_served, status
from tests.channels.test_whatsapp_channel import webhook
from tests.consents.cafe import AUTH
from tests.fakes.graph_api import APP_SECRET
from tests.fakes.webhooks import signature

CUSTOMERS = [f"4915100{n:06d}" for n in range(80)]
TEMPLATE = {
    "name": "fresh_cake_offer",
    "category": "marketing",
    "languages": {"de": "de"},
    "parameters": ["cake"],
}


def meta(event: str, at: float) -> dict[str, Any]:
    """Meta's `message_template_status_update` for the café's template."""
    value = {
        "event": event,
        "message_template_id": 1689556908129832,
        "message_template_name": "fresh_cake_offer",
        "message_template_language": "de",
        "reason": "NONE",
        "message_template_category": "MARKETING",
    }
    change = {"field": "message_template_status_update", "value": value}
    entry = {"id": "102290129340398", "time": int(at), "changes": [change]}
    return {"object": "whatsapp_business_account", "entry": [entry]}


@pytest.fixture
async def cafe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Cafe]:
    async with cafe_served(tmp_path, monkeypatch) as cafe:
        ledger = cafe.client.server.app[CONSENTS].store
        for wa_id in CUSTOMERS:  # imported with their evidence: they never wrote here
            key = f"cafe:whatsapp:{wa_id}"
            said = Consent(
                "cafe", key, MARKETING, GRANTED, "Angebote?", "whatsapp", "import:x", cafe.now
            )
            await ledger.record(said)
        yield cafe


async def made(cafe: Cafe, **changes: Any) -> Any:
    body = {"bot": "cafe", "text": "fresh_cake", "values": {"cake": "Pflaumenkuchen"}}
    return await cafe.client.post("/admin/broadcasts", json=body | changes, headers=AUTH)


async def until(what: str, check: Any, cafe: Cafe) -> None:
    """`check` holds within a minute of the machine's time (a loaded CI machine sends the fake
    Graph API's 80 messages slowly), the café's clock moving on meanwhile (a delivery the
    number's pacing put off waits for its time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while loop.time() < deadline:
        if await check():
            return
        await asyncio.sleep(0.02)
        cafe.now += 0.02
    raise AssertionError(what)


async def test_a_pause_on_a_send_holds_the_rest_until_meta_reinstates_it(
    cafe: Cafe, caplog: pytest.LogCaptureFixture
) -> None:
    graph, client = cafe.graph, cafe.client
    response = await made(cafe, whatsapp_template=TEMPLATE)
    assert response.status == 201, await response.text()
    offer = (await response.json())["id"]
    preview = await (await client.post(f"/admin/broadcasts/{offer}/preview", headers=AUTH)).json()
    assert preview["whatsapp_template"] == {
        "de": {
            "name": "fresh_cake_offer",
            "language": "de",
            "category": "marketing",
            "parameters": ["Pflaumenkuchen"],
        }
    }
    graph.fail_next(132015)
    await client.post(f"/admin/broadcasts/{offer}/send", headers=AUTH)
    sender = client.server.app[BROADCASTS].sender
    first = await sender.step()
    assert first is not None and first.queued == 72  # a second's worth at Meta's 80/s

    async def refused_and_sent() -> bool:
        results = (await status(client, offer))["results"]
        return bool(results["failed"] == {"132015": 1} and results["sent"] == 71)

    await until("the first page went out, one refused with 132015", refused_and_sent, cafe)
    cafe.now += LEASE + 1
    waiting = await sender.step()
    assert waiting is not None
    assert (waiting.waiting, waiting.queued, waiting.status) == ("template_paused", 72, "sending")
    assert len(graph.sent) == 71

    unsigned = await client.post("/webhooks/whatsapp", json=meta("REINSTATED", cafe.now))
    assert unsigned.status == 401
    cafe.now += 3 * 3600
    assert (await graph.post_webhook(webhook(client), meta("REINSTATED", cafe.now))).ok
    for _ in range(20):
        if (await status(client, offer))["status"] == "done":
            break
        cafe.now += LEASE + 1
        await sender.step()
    done = await status(client, offer)
    assert (done["status"], done["queued"], done["waiting"]) == ("done", 80, "")

    async def all_sent() -> bool:
        return len(graph.sent) == 79

    await until("the rest went out", all_sent, cafe)
    await asyncio.sleep(0.2)
    reached = [sent.wa_id for sent in graph.sent]  # the one refused got nothing, the rest once
    assert len(reached) == len(set(reached)) == 79 and set(reached) < set(CUSTOMERS)
    assert {sent.type for sent in graph.sent} == {"template"}
    template = graph.sent[-1].payload["template"]
    assert template == {
        "name": "fresh_cake_offer",
        "language": {"code": "de"},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Pflaumenkuchen"}]}
        ],
    }
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_malformed_template_webhook_is_answered_and_changes_nothing(
    cafe: Cafe, caplog: pytest.LogCaptureFixture
) -> None:
    client, graph = cafe.client, cafe.graph
    broken = meta("PAUSED", cafe.now)
    broken["entry"][0]["changes"][0]["value"]["message_template_name"] = {"$ne": 1}
    assert (await graph.post_webhook(webhook(client), broken)).ok
    odd = meta("PAUSED", cafe.now)
    odd["entry"][0]["changes"][0]["value"] = ["not", "an", "object"]
    body = json.dumps(odd).encode()
    headers = {"X-Hub-Signature-256": signature(body, APP_SECRET)}
    answer = await client.post("/webhooks/whatsapp", data=body, headers=headers)
    assert answer.status == 200
    offer = (await (await made(cafe, whatsapp_template=TEMPLATE)).json())["id"]
    await client.post(f"/admin/broadcasts/{offer}/send", headers=AUTH)
    stepped = await client.server.app[BROADCASTS].sender.step()
    assert stepped is not None and stepped.waiting == "" and stepped.queued == 72
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    ("template", "said"),
    [
        ({**TEMPLATE, "name": "Fresh Cake"}, "lowercase letters, digits or underscores"),
        ({**TEMPLATE, "category": "utility"}, "a marketing broadcast needs a marketing template"),
        ({**TEMPLATE, "category": "authentication"}, "category: marketing or utility"),
        ({**TEMPLATE, "parameters": ["price"]}, "no value for price"),
        ({**TEMPLATE, "languages": {"de": "deutsch"}}, "is no language code of Meta's"),
        ({**TEMPLATE, "languages": {"en": "en_US"}}, "the bot does not speak en"),
        ({**TEMPLATE, "languages": {}}, "1 to 20 pairs"),
        ({**TEMPLATE, "parameters": ["cake"] * 21}, "at most 20 names"),
        ({**TEMPLATE, "footer": "x"}, "an object of name, category, languages and parameters"),
        ("fresh_cake_offer", "an object of name, category, languages and parameters"),
    ],
)
async def test_a_bad_template_is_refused_with_its_reason_and_nothing_is_made(
    cafe: Cafe, template: Any, said: str
) -> None:
    response = await made(cafe, whatsapp_template=template)
    assert response.status == 400
    assert said in (await response.json())["error"]
    assert await cafe.client.server.app[BROADCASTS].store.of_bot("cafe") == []


async def test_a_notification_needs_a_utility_template(cafe: Cafe) -> None:
    response = await made(cafe, purpose="notify:news", whatsapp_template=TEMPLATE)
    assert response.status == 400
    assert "a notification needs a utility template" in (await response.json())["error"]
    utility = {**TEMPLATE, "category": "utility"}
    assert (await made(cafe, purpose="notify:news", whatsapp_template=utility)).status == 201
