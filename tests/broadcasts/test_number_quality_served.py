"""The café's WhatsApp number rated by Meta, through the served app on SQLite with the fake
Graph API: a signed `phone_number_quality_update` FLAGGED (RED) keeps a marketing broadcast
waiting (`number_quality`, named by the status) with nothing sent; UNFLAGGED (GREEN) lets it
go on, within the lower messaging limit Meta said with it (TIER_50: the daily limit follows).
An unsigned one is refused (401), a broken one answered and ignored."""

from __future__ import annotations

import json
import logging

import pytest

from framework.broadcasts.rules import daily_limit, number_waiting
from framework.broadcasts.sending import LEASE
from framework.flows.model import BroadcastRules
from framework.outreach.broadcasts_web import BROADCASTS
from framework.stores.broadcasts import Broadcast
from framework.stores.number_states import NumberState
from tests.broadcasts.test_broadcast_results_served import Cafe, status
from tests.broadcasts.test_template_broadcast_served import TEMPLATE, cafe, made
from tests.channels.test_whatsapp_channel import webhook
from tests.consents.cafe import AUTH
from tests.fakes.graph_api import APP_SECRET
from tests.fakes.webhooks import number_quality_update, signature

__all__ = ["cafe"]  # the fixture: 80 WhatsApp customers hold marketing


async def test_a_red_number_holds_marketing_until_meta_rates_it_green_again(
    cafe: Cafe, caplog: pytest.LogCaptureFixture
) -> None:
    graph, client = cafe.graph, cafe.client
    red = number_quality_update("FLAGGED", "TIER_2K", at=int(cafe.now))
    assert (await client.post("/webhooks/whatsapp", json=red)).status == 401  # unsigned
    assert (await graph.post_webhook(webhook(client), red)).ok
    offer = (await (await made(cafe, whatsapp_template=TEMPLATE)).json())["id"]
    await client.post(f"/admin/broadcasts/{offer}/send", headers=AUTH)
    sender = client.server.app[BROADCASTS].sender
    waiting = await sender.step()
    assert waiting is not None
    assert (waiting.waiting, waiting.queued, waiting.status) == ("number_quality", 0, "sending")
    shown = await status(client, offer)
    assert shown["waiting"] == "number_quality" and graph.sent == []

    broken = number_quality_update("UNFLAGGED", "TIER_50", at=int(cafe.now) + 30)
    broken["entry"][0]["changes"][0]["value"]["display_phone_number"] = {"$ne": 1}
    body = json.dumps(broken).encode()
    headers = {"X-Hub-Signature-256": signature(body, APP_SECRET)}
    assert (await client.post("/webhooks/whatsapp", data=body, headers=headers)).status == 200
    cafe.now += LEASE + 1
    still = await sender.step()
    assert still is not None and (still.waiting, still.queued) == ("number_quality", 0)

    green = number_quality_update("UNFLAGGED", "TIER_50", old_limit="TIER_2K", at=int(cafe.now))
    assert (await graph.post_webhook(webhook(client), green)).ok
    cafe.now += LEASE + 1
    going = await sender.step()
    assert going is not None  # on again, up to the number's new limit of 50 customers a day
    assert (going.waiting, going.queued, going.status) == ("daily_limit", 50, "sending")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    ("purpose", "setting", "quality", "why"),
    [
        ("marketing", "red", "RED", "number_quality"),
        ("marketing", "red", "YELLOW", ""),
        ("marketing", "yellow", "YELLOW", "number_quality"),
        ("marketing", "never", "RED", ""),
        ("marketing", "red", "UNKNOWN", ""),
        ("notify:flight", "yellow", "RED", ""),  # news the customer asked for is not held
    ],
)
def test_which_ratings_hold_which_broadcasts(
    purpose: str, setting: str, quality: str, why: str
) -> None:
    broadcast = Broadcast("b1", "cafe", purpose, "fresh_cake")
    state = NumberState("106540352242922", quality, 1.0)
    assert number_waiting(broadcast, state, BroadcastRules(stop_at_quality=setting)) == why
    assert number_waiting(broadcast, None, BroadcastRules(stop_at_quality=setting)) == ""


@pytest.mark.parametrize(
    ("configured", "tier", "limit"),
    [
        (2000, "TIER_250", 250),
        (250, "TIER_10K", 250),
        (None, "TIER_2K", 2000),
        (1000, "TIER_UNLIMITED", 1000),
        (None, "", None),
    ],
)
def test_the_daily_limit_is_never_above_the_number_s(
    configured: int | None, tier: str, limit: int | None
) -> None:
    state = NumberState("106540352242922", tier=tier, tier_at=1.0)
    assert daily_limit(BroadcastRules(daily_limit=configured), state) == limit
