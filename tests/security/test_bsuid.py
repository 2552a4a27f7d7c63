"""Finding 16: how Theke writes to a WhatsApp customer known only by their business-scoped user
ID (BSUID), a username user whose phone number Meta no longer shares (reference §1.4).

Meta's BSUID guide (Messages API): `recipient` takes a BSUID or parent BSUID, `to` a phone
number; with both, `to` takes precedence, and Meta recommends sending to the phone number when
there is one. The answer's `contacts[]` then carries `user_id` instead of `wa_id`, and statuses
`recipient_user_id` instead of `recipient_id`. Error 131062: a message that cannot go to a
BSUID (e.g. authentication templates).

The fake Graph API speaks exactly that; before, it refused any send without `to`, so no test
could show what reached Meta for such a customer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.channels.shop import counted, notes_for_business
from tests.channels.test_whatsapp_channel import said, webhook, whatsapp_shop
from tests.fakes import webhooks as wa
from tests.fakes.graph_api import SentMessage

BSUID = "US.13491208655302741918"
USERNAME_USER = wa.Customer(name="Kerry", wa_id=None, user_id=BSUID)
KEY = f"pizza:whatsapp:{BSUID}"


def envelope(sent: SentMessage) -> dict[str, Any]:
    """The addressing part of a send, as it went over the wire."""
    return {k: v for k, v in sent.payload.items() if k not in ("type", sent.payload["type"])}


async def test_a_username_user_is_answered_at_their_bsuid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with whatsapp_shop(tmp_path, monkeypatch) as (graph, client):
        url = webhook(client)
        hello = wa.text("2 große Salami und eine Cola", customer=USERNAME_USER)
        await graph.post_messages(url, hello, customer=USERNAME_USER)
        sent = await said(graph, "Extras dazu?")
        callback = envelope(sent).pop("biz_opaque_callback_data")
        assert callback.startswith(f"{KEY}|")
        assert {k: v for k, v in envelope(sent).items() if k != "biz_opaque_callback_data"} == {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "recipient": BSUID,
        }
        [call] = [c for c in graph.requests if isinstance(c.body, dict) and "type" in c.body]
        assert call.body == sent.payload
        assert call.response["contacts"] == [{"input": BSUID, "user_id": BSUID}]
        graph.queue_status(sent, "delivered")
        assert graph.status_queue[0]["recipient_user_id"] == BSUID
        assert "recipient_id" not in graph.status_queue[0]
        [reported] = await graph.flush_statuses(url)
        assert reported.ok
        problems = {"channel": "whatsapp", "kind": "status_unknown_message"}
        assert counted(client, "theke_channel_problems_total", **problems) == 0
        graph.fail_next(131062)  # a message WhatsApp will not send to a BSUID
        await graph.post_messages(
            url, wa.text("keine", customer=USERNAME_USER), customer=USERNAME_USER
        )
        [note] = await notes_for_business(client, KEY)
        assert "(131062)" in note and "known only by their username" in note


async def test_a_customer_with_a_phone_number_is_written_to_by_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both ids known: the phone number, as Meta recommends (`to` would win anyway)."""
    async with whatsapp_shop(tmp_path, monkeypatch) as (graph, client):
        await graph.post_messages(webhook(client), wa.text("2 große Salami und eine Cola"))
        sent = await said(graph, "Extras dazu?")
        assert sent.payload["to"] == wa.CUSTOMER.wa_id and "recipient" not in sent.payload
