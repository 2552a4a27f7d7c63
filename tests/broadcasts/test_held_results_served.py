"""Meta's `message_status` of a broadcast's template sends, through the served app on SQLite
with the fake Graph API: two sends WhatsApp takes but holds for quality assessment, one it
answers `paused`, one it accepts. The results show the held and the paused apart, not sent;
the held move to sent and delivered, or to failed, when their status comes (delivered twice:
counted once), never in two results at once; the paused answer pauses the template, so the
next broadcast waits before its first WhatsApp holder, as for Meta's 132015."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from framework.outreach.broadcasts_web import BROADCASTS
from tests.broadcasts.test_broadcast_results_served import (
    ADA,
    BEN,
    CEM,
    DIA,
    Cafe,
    cafe_served,
    results,
    status,
    subscribed,
)
from tests.channels.test_whatsapp_channel import webhook
from tests.consents.cafe import AUTH, CAKE
from tests.fakes.graph_api import SentMessage


@pytest.fixture
async def cafe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Cafe]:
    """The café; Ada, Ben, Cem, Dia (WhatsApp) and Eve (REST) asked for offers."""
    async with cafe_served(tmp_path, monkeypatch) as cafe:
        yield await subscribed(cafe)


async def test_held_and_paused_sends_count_apart_until_their_status_comes(cafe: Cafe) -> None:
    graph = cafe.graph
    graph.hold_next(times=2)
    graph.hold_next("paused")
    broadcast_id = await cafe.broadcast()
    offers = [await cafe.told(c, CAKE) for c in (ADA, BEN, CEM, DIA)]
    by_answer: dict[str, list[SentMessage]] = {}
    for sent in offers:
        by_answer.setdefault(sent.message_status, []).append(sent)
    [one, two], [paused] = by_answer["held_for_quality_assessment"], by_answer["paused"]
    waiting = results(sent=2, held_for_quality_assessment=2, paused=1)  # Dia's, Eve's (REST)
    assert await cafe.results(broadcast_id, waiting) == waiting

    graph.queue_status(one, "delivered")  # Meta sent it after all: sent and delivered
    graph.queue_status(two, "failed", error_code=131026)  # … or dropped it
    await graph.flush_statuses(webhook(cafe.client), duplicate=True)
    after = results(sent=3, delivered=1, failed={"131026": 1}, paused=1)
    assert await cafe.results(broadcast_id, after) == after
    graph.queue_status(one, "read")  # on from there: the held count stays left
    await graph.flush_statuses(webhook(cafe.client), duplicate=True)
    last = results(sent=3, delivered=1, read=1, failed={"131026": 1}, paused=1)
    assert await cafe.results(broadcast_id, last) == last

    body = {"bot": "cafe", "text": "fresh_cake", "values": {"cake": CAKE}}
    made = await cafe.client.post(
        "/admin/broadcasts",
        json=body | {"whatsapp_template": graph_template(paused)},
        headers=AUTH,
    )
    again = str((await made.json())["id"])
    await cafe.client.post(f"/admin/broadcasts/{again}/send", headers=AUTH)
    await cafe.client.server.app[BROADCASTS].sender.step()
    shown = await status(cafe.client, again)
    assert (shown["status"], shown["waiting"], shown["queued"]) == (
        "sending",
        "template_paused",
        1,  # Eve on REST; the cursor stops before the first WhatsApp holder
    )


def graph_template(sent: SentMessage) -> dict[str, object]:
    """The offer's template as the paused send named it (its name and language)."""
    told = sent.payload["template"]
    return {
        "name": told["name"],
        "category": "marketing",
        "languages": {"de": told["language"]["code"]},
        "parameters": ["cake"],
    }
