"""WhatsApp's own consent signals through the served app and the fake Graph API, with real
signatures: a stop in WhatsApp's menu (`user_preferences`) withdraws `marketing` and nothing
else, silently, once however often Meta delivers it; `resume` gives back only what such a stop
took; a send refused with 131050 (at once or as a failed status) withdraws `marketing` once and
is written for the business as every failure is; hostile, malformed and oversized webhooks are
refused or counted, never a traceback, never a ledger entry, never another conversation's."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from framework.stores.consents import GRANTED, MARKETING, WITHDRAWN
from tests.channels.shop import counted, notes_for_business
from tests.channels.test_whatsapp_channel import said, webhook
from tests.consents.cafe import (
    ADMIN,
    CAKE,
    NEWS,
    SUBSCRIBED,
    SUBSCRIPTIONS,
    history,
    holders,
    notify,
    serve_cafe,
    settled,
)
from tests.fakes import webhooks as wa
from tests.fakes.graph_api import ACCESS_TOKEN, APP_SECRET, FakeGraphApi
from tests.fakes.webhooks import load_sample

KEY = f"cafe:whatsapp:{wa.CUSTOMER.user_id}"
STOPPED = (MARKETING, WITHDRAWN, "channel")


@pytest.fixture
async def whatsapp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[FakeGraphApi, TestClient]]:
    monkeypatch.setenv("THEKE_ADMIN_KEY", ADMIN)
    monkeypatch.setenv("WA_SECRET", APP_SECRET)
    monkeypatch.setenv("WA_VERIFY", "verify-me")
    monkeypatch.setenv("WA_TOKEN", ACCESS_TOKEN)
    async with FakeGraphApi() as graph:
        spec = {
            "app_secret": "env:WA_SECRET",
            "verify_token": "env:WA_VERIFY",
            "token": "env:WA_TOKEN",
            "api_base": graph.url,
            "recipient_interval": 0,
            "numbers": {graph.business.phone_number_id: {"bot": "cafe"}},
        }
        async with serve_cafe(tmp_path, {"whatsapp": spec}) as client:
            yield graph, client


async def subscribe(
    graph: FakeGraphApi, client: TestClient, customer: wa.Customer = wa.CUSTOMER
) -> None:
    """The customer asks for offers and for news, in the chat."""
    await graph.post_messages(
        webhook(client), wa.text("angebote", customer=customer), customer=customer
    )
    await said(graph, SUBSCRIBED)
    await graph.post_messages(
        webhook(client), wa.text("neuigkeiten", customer=customer), customer=customer
    )
    await said(graph, NEWS)


async def post_twice(graph: FakeGraphApi, client: TestClient, payload: dict[str, Any]) -> None:
    """Meta delivers at least once: the same bytes and signature twice, both answered 200."""
    first = await graph.post_webhook(webhook(client), payload)
    again = await graph.redeliver(first)
    assert (first.status, again.status) == (200, 200), first.body


async def test_a_stop_in_whatsapps_menu_withdraws_marketing_and_resume_brings_it_back(
    whatsapp: tuple[FakeGraphApi, TestClient],
) -> None:
    graph, client = whatsapp
    await subscribe(graph, client)
    sent = len(graph.sent)
    await post_twice(graph, client, wa.user_preferences(wa.preference("stop")))
    kept = await settled(client, KEY, 3)
    assert await history(client, KEY) == [*SUBSCRIPTIONS, STOPPED]  # written once
    assert kept[-1].text == "User requested to stop marketing messages"
    assert kept[-1].channel == "whatsapp"
    assert await holders(client, MARKETING) == []  # a marketing broadcast reaches nobody
    assert len(graph.sent) == sent  # WhatsApp's own screen told them: Theke says nothing
    assert await holders(client, "notify:news") == [KEY]  # what they asked for goes on
    assert await notify(client, "cake-1") == 1
    await said(graph, CAKE)

    await post_twice(graph, client, wa.user_preferences(wa.preference("resume")))
    kept = await settled(client, KEY, 4)
    assert await history(client, KEY) == [*SUBSCRIPTIONS, STOPPED, (MARKETING, GRANTED, "channel")]
    assert kept[-1].text == "User requested to resume marketing messages"
    assert await holders(client, MARKETING) == [KEY]
    assert len(graph.sent) == sent + 1  # the cake, and nothing for the resume


async def test_the_published_sample_stops_and_resumes_its_customer(
    whatsapp: tuple[FakeGraphApi, TestClient],
) -> None:
    graph, client = whatsapp
    person = wa.Customer(name="Test Name", wa_id="16505551234", user_id=None)
    await subscribe(graph, client, person)
    key = "cafe:whatsapp:16505551234"
    resume = load_sample("user-preferences-resume")  # its contacts name another person
    stop = copy.deepcopy(resume)
    stop["entry"][0]["changes"][0]["value"]["user_preferences"][0]["value"] = "stop"
    await post_twice(graph, client, stop)
    await settled(client, key, 3)
    await post_twice(graph, client, resume)
    await settled(client, key, 4)
    assert await history(client, key) == [*SUBSCRIPTIONS, STOPPED, (MARKETING, GRANTED, "channel")]
    assert await history(client, KEY) == []


async def test_resume_gives_back_nothing_a_typed_stop_took(
    whatsapp: tuple[FakeGraphApi, TestClient],
) -> None:
    graph, client = whatsapp
    await subscribe(graph, client)
    await graph.post_messages(webhook(client), wa.text("STOP"))
    await settled(client, KEY, 4)
    await post_twice(graph, client, wa.user_preferences(wa.preference("resume")))
    typed = [(purpose, WITHDRAWN, "stop") for purpose, _state, _source in SUBSCRIPTIONS]
    await settled(client, KEY, 5, seconds=0.3)
    assert await history(client, KEY) == [*SUBSCRIPTIONS, *typed]
    assert await holders(client, MARKETING) == []


async def test_a_stop_for_another_customer_changes_only_theirs(
    whatsapp: tuple[FakeGraphApi, TestClient],
) -> None:
    graph, client = whatsapp
    await subscribe(graph, client)
    other = wa.Customer(name="Other", wa_id="4915112345678", user_id=None)
    await post_twice(graph, client, wa.user_preferences(wa.preference("stop"), customer=other))
    await post_twice(graph, client, wa.user_preferences(wa.preference("resume"), customer=other))
    await settled(client, KEY, 3, seconds=0.3)
    assert await history(client, KEY) == SUBSCRIPTIONS
    assert await history(client, "cafe:whatsapp:4915112345678") == []  # nothing was granted


async def test_a_send_refused_with_131050_withdraws_marketing_once(
    whatsapp: tuple[FakeGraphApi, TestClient],
) -> None:
    graph, client = whatsapp
    await subscribe(graph, client)
    graph.fail_next(131050, times=2)
    await graph.post_messages(webhook(client), wa.text("hallo"))
    notes = await notes_for_business(client, KEY)
    assert "(131050)" in notes[0]  # the failure is written as every failure is
    kept = await settled(client, KEY, 3)
    assert "stopped marketing messages (131050)" in kept[-1].text
    await graph.post_messages(webhook(client), wa.text("hallo"))  # refused again
    for _ in range(200):
        if len(await notes_for_business(client, KEY)) == 2:
            break
        await asyncio.sleep(0.02)
    await settled(client, KEY, 4, seconds=0.3)
    assert await history(client, KEY) == [*SUBSCRIPTIONS, STOPPED]
    assert await holders(client, "notify:news") == [KEY]


async def test_a_failed_status_with_131050_withdraws_marketing_once(
    whatsapp: tuple[FakeGraphApi, TestClient],
) -> None:
    graph, client = whatsapp
    await subscribe(graph, client)
    news = await said(graph, NEWS)
    graph.queue_status(news, "failed", error_code=131050)
    await graph.flush_statuses(webhook(client), duplicate=True)
    notes = await notes_for_business(client, KEY)
    assert "(131050)" in notes[0]
    kept = await settled(client, KEY, 3)
    assert await history(client, KEY) == [*SUBSCRIPTIONS, STOPPED]
    assert "stop receiving marketing messages" in kept[-1].text


def _changed(whole: Any = None, **preference: Any) -> dict[str, Any]:
    """A stop webhook of the fakes' customer with its preference changed (None: key removed),
    or, given `whole`, the change's whole value replaced."""
    payload = wa.user_preferences(wa.preference("stop"))
    change = payload["entry"][0]["changes"][0]
    if whole is not None:
        change["value"] = whole
    item = change["value"].get("user_preferences", [{}])
    for name, replacement in preference.items():
        if replacement is None:
            item[0].pop(name, None)
        else:
            item[0][name] = replacement
    return payload


def _without_metadata() -> dict[str, Any]:
    payload = _changed()
    del payload["entry"][0]["changes"][0]["value"]["metadata"]
    return payload


HOSTILE = {
    "no wa_id": _changed(wa_id=None, user_id=None),
    "wa_id a number": _changed(wa_id=16315551234),
    "wa_id empty": _changed(wa_id=""),
    "value not a word": _changed(value=1),
    "value shouted": _changed(value="STOP"),
    "category other": _changed(category="utility_messages"),
    "no timestamp": _changed(timestamp=None),
    "timestamp a word": _changed(timestamp="yesterday"),
    "timestamp out of range": _changed(timestamp=1e30),
    "timestamp true": _changed(timestamp=True),
    "detail an object": _changed(detail={"text": "stop"}),
    "preferences not a list": _changed(
        {"metadata": wa.BUSINESS.metadata(), "user_preferences": "stop"}
    ),
    "preference not an object": _changed(
        {"metadata": wa.BUSINESS.metadata(), "user_preferences": ["stop"]}
    ),
    "no metadata": _without_metadata(),
    "another number": wa.user_preferences(
        wa.preference("stop"), business=wa.Business(phone_number_id="999")
    ),
    "signup": load_sample("user-preferences-signup"),
    "change value a list": {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "user_preferences", "value": []}]}],
    },
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_malformed_preferences_are_counted_and_write_nothing(
    whatsapp: tuple[FakeGraphApi, TestClient], caplog: pytest.LogCaptureFixture, name: str
) -> None:
    graph, client = whatsapp
    await subscribe(graph, client)
    caplog.set_level(logging.INFO)
    body = wa.encode(HOSTILE[name])  # signed as Meta signs, whatever the shape
    headers = {"X-Hub-Signature-256": wa.signature(body, APP_SECRET)}
    response = await client.post("/webhooks/whatsapp", data=body, headers=headers)
    assert response.status == 200, await response.text()
    await settled(client, KEY, 3, seconds=0.3)
    assert await history(client, KEY) == SUBSCRIPTIONS
    assert not [record for record in caplog.records if record.exc_info]
    kinds = ("malformed", "preference", "unknown_number")
    assert (
        sum(
            counted(client, "theke_channel_problems_total", channel="whatsapp", kind=k)
            for k in kinds
        )
        >= 1
    )


async def test_forged_unreadable_and_oversized_webhooks_are_refused(
    whatsapp: tuple[FakeGraphApi, TestClient], caplog: pytest.LogCaptureFixture
) -> None:
    graph, client = whatsapp
    await subscribe(graph, client)
    stop = wa.user_preferences(wa.preference("stop"))
    url = webhook(client)
    assert (await graph.post_webhook(url, stop, signed_with="wrong")).status == 401
    unsigned = await client.post("/webhooks/whatsapp", data=json.dumps(stop).encode())
    assert unsigned.status == 401
    body = b'{"entry": [' * 5000
    headers = {"X-Hub-Signature-256": wa.signature(body, APP_SECRET)}
    assert (await client.post("/webhooks/whatsapp", data=body, headers=headers)).status == 400
    huge = _changed(detail="x" * 1_000_000)
    assert (await graph.post_webhook(url, huge)).status == 413
    await settled(client, KEY, 3, seconds=0.3)
    assert await history(client, KEY) == SUBSCRIPTIONS
    assert not [record for record in caplog.records if record.exc_info]


async def test_a_long_odd_detail_is_kept_short_and_readable(
    whatsapp: tuple[FakeGraphApi, TestClient],
) -> None:
    graph, client = whatsapp
    await subscribe(graph, client)
    detail = "Stop\ud800 " + "x" * 40_000  # a lone surrogate, and more than a ledger keeps
    await graph.post_webhook(webhook(client), _changed(detail=detail))
    kept = await settled(client, KEY, 3)
    assert await history(client, KEY) == [*SUBSCRIPTIONS, STOPPED]
    assert kept[-1].text.startswith("Stop\ufffd x") and len(kept[-1].text) == 500
