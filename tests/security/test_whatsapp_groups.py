"""Finding 14: a WhatsApp number that belongs to a group receives the group's messages, each with
`group_id` and the participant who wrote it in `from` (Meta's group messages webhook). The
attack: a group member writes "eine Margherita" in the group. Before, Theke took it as a message
of that participant and answered in their private chat, starting an order they never asked for
there. Now group messages are not answered anywhere and are counted for the business, unless
the number is set to answer in groups (`groups: true`): then the group is one conversation and
is answered in the group (`recipient_type: group`), never in a participant's private chat.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.channels.shop import conversation_log, counted
from tests.channels.test_whatsapp_channel import KEY, said, webhook, whatsapp_shop
from tests.fakes import webhooks as wa

GROUP = "Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD"


def in_the_group(message: dict[str, object]) -> dict[str, object]:
    return {**message, "group_id": GROUP}


async def test_a_group_message_is_never_answered_in_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with whatsapp_shop(tmp_path, monkeypatch) as (graph, client):
        url = webhook(client)
        delivery = await graph.post_messages(url, in_the_group(wa.text("eine Margherita")))
        assert delivery.ok  # Meta must not retry it
        assert (
            counted(client, "theke_channel_problems_total", channel="whatsapp", kind="group") == 1
        )
        private = "2 große Salami und eine Cola"  # then the member writes in private
        await graph.post_messages(url, wa.text(private))
        await said(graph, "Extras dazu?")
        log = await conversation_log(client, KEY)
        assert [e["text"] for e in log if e["from"] == "customer"] == [private]
        assert all("Margherita" not in str(sent.payload) for sent in graph.sent)
        assert all(sent.payload.get("recipient_type") == "individual" for sent in graph.sent)


async def test_a_number_that_answers_in_groups_answers_in_the_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with whatsapp_shop(tmp_path, monkeypatch, groups=True) as (graph, client):
        order = "2 große Salami und eine Cola"
        await graph.post_messages(webhook(client), in_the_group(wa.text(order)))
        sent = await said(graph, "Extras dazu?")
        assert {k: sent.payload[k] for k in ("messaging_product", "recipient_type", "to")} == {
            "messaging_product": "whatsapp",
            "recipient_type": "group",
            "to": GROUP,
        }
        assert all(each.payload.get("recipient_type") == "group" for each in graph.sent)
        log = await conversation_log(client, f"pizza:whatsapp:{GROUP}")
        assert [e["text"] for e in log if e["from"] == "customer"] == [order]
        assert await conversation_log(client, KEY) == []
        assert (
            counted(client, "theke_channel_problems_total", channel="whatsapp", kind="group") == 0
        )
