"""A broadcast's results through the served app on SQLite, with the fake Graph API as WhatsApp
and its documented status webhooks, each delivered twice: four WhatsApp customers and one REST
customer of a café hold `marketing`; the offer reaches them, WhatsApp reports it delivered,
read, and held back (131049) for one; one customer answers, one says STOP, the REST customer
answers. The results say exactly that, however often Meta repeats itself; a customer who
writes after 72 hours, or answers a message that was no broadcast, counts nowhere; a status
of an unknown message, or of a broadcast that is gone, changes nothing and raises nothing."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.flows import load_bot
from framework.outreach.broadcasts_web import BROADCASTS
from framework.workspace import Workspace
from tests.channels.shop import conversation_log, eventually
from tests.channels.test_whatsapp_channel import shown, webhook
from tests.consents.cafe import ADMIN, AUTH, BOT, CAKE, NOW, SUBSCRIBED
from tests.fakes import webhooks as wa
from tests.fakes.graph_api import ACCESS_TOKEN, APP_SECRET, FakeGraphApi, SentMessage
from tests.served import everything_said, say

ADA, BEN, CEM, DIA, FIN = (
    wa.Customer(name=name, wa_id=f"49151000000{n}", user_id=None)
    for n, name in enumerate(("Ada", "Ben", "Cem", "Dia", "Fin"))
)
HOURS = 3600.0
OFFER = {
    "name": "fresh_cake",
    "category": "marketing",
    "languages": {"de": "de"},
    "parameters": ["cake"],
}
"""The offer's approved marketing template, the words its body's {{1}}: what WhatsApp shows."""
HELD_BACK = wa.error_object(131049)
"""Meta's per-user marketing limit, as a failed status carries it (Cloud API error codes)."""


def held_back(sent: SentMessage) -> dict[str, Any]:
    """The failed status of a marketing message WhatsApp held back (131049)."""
    return wa.status(
        sent.wamid,
        "failed",
        recipient_id=sent.wa_id,
        biz_opaque_callback_data=sent.payload.get("biz_opaque_callback_data"),
        errors=[HELD_BACK],
    )


async def status(client: TestClient, broadcast_id: str) -> dict[str, Any]:
    response = await client.get(f"/admin/broadcasts/{broadcast_id}", headers=AUTH)
    assert response.status == 200, await response.text()
    found: dict[str, Any] = await response.json()
    return found


class Cafe:
    """The café served with a clock the test moves."""

    def __init__(self, graph: FakeGraphApi, tmp_path: Path) -> None:
        self.graph, self.now, self.path = graph, NOW, tmp_path / "state.db"
        folder = tmp_path / "cafe"
        folder.mkdir()
        (folder / "bot.yaml").write_text(BOT, encoding="utf-8")
        spec = {
            "app_secret": "env:WA_SECRET",
            "verify_token": "env:WA_VERIFY",
            "token": "env:WA_TOKEN",
            "api_base": graph.url,
            "recipient_interval": 0,
            "numbers": {
                graph.business.phone_number_id: {
                    "bot": "cafe",
                    "display_phone_number": graph.business.display_phone_number,
                }
            },
        }
        workspace = Workspace(
            root=tmp_path,
            bots=(folder,),
            store=f"sqlite:///{self.path}",
            channels={"rest": {}, "whatsapp": spec},
        )
        app = create_app(workspace, {"cafe": load_bot(folder)}, clock=lambda: self.now, tick=0.05)
        self.client = TestClient(TestServer(app))

    async def writes(self, customer: wa.Customer, text: str) -> None:
        assert (
            await self.graph.post_messages(
                webhook(self.client), wa.text(text, customer=customer), customer=customer
            )
        ).ok

    async def heard(self, customer: wa.Customer, text: str) -> None:
        """The customer's message has had its turn."""
        key = f"cafe:whatsapp:{customer.wa_id}"

        async def logged() -> bool:
            log = await conversation_log(self.client, key)
            return any(e["from"] == "customer" and e.get("text") == text for e in log)

        for _ in range(300):
            if await logged():
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"{customer.name}'s {text!r} never had its turn")

    async def told(self, customer: wa.Customer, text: str) -> SentMessage:
        def find() -> SentMessage | None:
            mine = [s for s in self.graph.sent if s.wa_id == customer.wa_id and text in shown(s)]
            return mine[-1] if mine else None

        found: SentMessage = await eventually(find, f"{customer.name} is told {text!r}")
        return found

    async def broadcast(self) -> str:
        """The offer, made, sent and handed out by the sending loop."""
        body = {
            "bot": "cafe",
            "text": "fresh_cake",
            "values": {"cake": CAKE},
            "whatsapp_template": OFFER,
        }
        made = await self.client.post("/admin/broadcasts", json=body, headers=AUTH)
        broadcast_id = str((await made.json())["id"])
        await self.client.post(f"/admin/broadcasts/{broadcast_id}/send", headers=AUTH)
        sender = self.client.server.app[BROADCASTS].sender
        for _ in range(100):
            if (await status(self.client, broadcast_id))["status"] == "done":
                return broadcast_id
            await sender.step()
        raise AssertionError("the broadcast never went out")

    async def results(self, broadcast_id: str, expected: dict[str, Any]) -> dict[str, Any]:
        """The broadcast's results once they are `expected` (or after a while), and a moment
        later: anything more would have come by now."""
        for _ in range(300):
            if (await status(self.client, broadcast_id))["results"] == expected:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
        found: dict[str, Any] = (await status(self.client, broadcast_id))["results"]
        return found


@asynccontextmanager
async def cafe_served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Cafe]:
    """The café served, with the fake Graph API as its WhatsApp."""
    for name, value in (("THEKE_ADMIN_KEY", ADMIN), ("WA_SECRET", APP_SECRET)):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("WA_VERIFY", "verify-me")
    monkeypatch.setenv("WA_TOKEN", ACCESS_TOKEN)
    async with FakeGraphApi() as graph:
        cafe = Cafe(graph, tmp_path)
        await cafe.client.start_server()
        try:
            yield cafe
        finally:
            await cafe.client.close()


async def subscribed(cafe: Cafe) -> Cafe:
    """Ada, Ben, Cem, Dia (WhatsApp) and Eve (REST) asked the café for offers, Fin did not."""
    for customer in (ADA, BEN, CEM, DIA):
        await cafe.writes(customer, "angebote")
        await cafe.told(customer, SUBSCRIBED)
    assert (await say(cafe.client, "eve", "angebote"))[0] == SUBSCRIBED
    return cafe


@pytest.fixture
async def cafe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Cafe]:
    """The café; Ada, Ben, Cem, Dia (WhatsApp) and Eve (REST) asked for offers, Fin did not."""
    async with cafe_served(tmp_path, monkeypatch) as cafe:
        yield await subscribed(cafe)


def results(**counts: Any) -> dict[str, Any]:
    zero = {"sent": 0, "delivered": 0, "read": 0, "failed": {}, "replies": 0, "opt_outs": 0}
    zero |= {"held_for_quality_assessment": 0, "paused": 0}
    return zero | counts


async def test_the_results_say_what_became_of_the_offer(cafe: Cafe) -> None:
    graph = cafe.graph
    broadcast_id = await cafe.broadcast()
    ada, ben, cem, dia = [await cafe.told(c, CAKE) for c in (ADA, BEN, CEM, DIA)]
    assert CAKE in await everything_said(cafe.client, "eve")
    assert await cafe.results(broadcast_id, results(sent=5)) == results(sent=5)

    for sent, state in [(ada, "delivered"), (ada, "read"), (ben, "delivered"), (dia, "sent")]:
        graph.queue_status(sent, state)
    graph.queue_status(dia, "delivered")
    graph.status_queue.append(held_back(cem))
    await graph.flush_statuses(webhook(cafe.client), duplicate=True)
    await cafe.writes(ADA, "Danke, lecker!")
    await cafe.writes(BEN, "STOP")
    await say(cafe.client, "eve", "Super")
    await cafe.writes(FIN, "hallo")  # no broadcast reached Fin
    await cafe.heard(FIN, "hallo")
    await cafe.writes(FIN, "danke")
    expected = results(sent=5, delivered=3, read=1, failed={"131049": 1}, replies=2, opt_outs=1)
    assert await cafe.results(broadcast_id, expected) == expected

    graph.queue_status(ada, "read")  # Meta says it again, later: nothing counts twice
    graph.status_queue.append(held_back(cem))
    await graph.flush_statuses(webhook(cafe.client), batch=True)
    await cafe.writes(ADA, "Noch einmal danke")
    await cafe.writes(BEN, "STOP")
    await cafe.writes(CEM, "Was gibt es?")  # held back: the offer never reached Cem
    cafe.now += 73 * HOURS
    await cafe.writes(DIA, "Ist noch Kuchen da?")  # too late to be an answer to it
    assert await cafe.results(broadcast_id, expected) == expected
    log = await conversation_log(cafe.client, f"cafe:whatsapp:{DIA.wa_id}")
    assert [e.get("broadcast") for e in log if e.get("text") == CAKE] == [broadcast_id]


async def test_statuses_of_unknown_messages_and_gone_broadcasts_change_nothing(
    cafe: Cafe, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    graph = cafe.graph
    broadcast_id = await cafe.broadcast()
    ada, ben = await cafe.told(ADA, CAKE), await cafe.told(BEN, CAKE)
    stranger = wa.status(
        wa.new_wamid(),
        "read",
        recipient_id=ADA.wa_id,
        biz_opaque_callback_data=f"cafe:whatsapp:{ADA.wa_id}|99",
    )
    await graph.post_webhook(webhook(cafe.client), graph.status_payload(stranger))
    assert await cafe.results(broadcast_id, results(sent=5)) == results(sent=5)

    with sqlite3.connect(cafe.path) as db:  # the broadcast is gone (an older store, say)
        db.execute("DELETE FROM broadcasts WHERE id = ?", (broadcast_id,))
    graph.queue_status(ada, "read")
    graph.queue_status(ben, "failed", error_code=131026)
    await graph.flush_statuses(webhook(cafe.client))
    await cafe.writes(ADA, "Danke")
    await cafe.heard(ADA, "Danke")
    await asyncio.sleep(0.3)
    with sqlite3.connect(cafe.path) as db:
        kept = db.execute("SELECT counter, COUNT(*) FROM broadcast_results GROUP BY counter")
        assert dict(kept.fetchall()) == {"sent": 5}
    assert (await cafe.client.get(f"/admin/broadcasts/{broadcast_id}", headers=AUTH)).status == 404
    assert not [record for record in caplog.records if record.exc_info]


async def test_a_send_whatsapp_refuses_is_failed_with_its_code_and_never_answered(
    cafe: Cafe,
) -> None:
    cafe.graph.fail_next(131026, times=4)  # every WhatsApp customer: not on WhatsApp any more
    broadcast_id = await cafe.broadcast()
    expected = results(sent=1, failed={"131026": 4})
    assert await cafe.results(broadcast_id, expected) == expected
    await cafe.writes(ADA, "Hallo?")
    await cafe.heard(ADA, "Hallo?")
    assert await cafe.results(broadcast_id, expected) == expected
