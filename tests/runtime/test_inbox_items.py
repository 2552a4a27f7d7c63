"""Inbox items are a kind and its data; items kept by an earlier version (one optional field
per kind of news) are still read as what they were, so an upgrade loses nothing queued."""

from __future__ import annotations

import json

import pytest

from framework.stores.records import MESSAGE, NOTE, ORDER, STATUS, TIMER, InboxItem

AT = "2026-11-27T18:00:00+00:00"


@pytest.mark.parametrize(
    "item",
    [
        InboxItem.message("m1", AT, "2 Salami", "yes", {"address": {"chat_id": 7}}),
        InboxItem.fired("reminder", 1795802400.0, AT),
        InboxItem("order:o:paid", AT, ORDER, {"id": "o", "status": "paid", "number": 1001}),
        InboxItem("status:w:read", AT, STATUS, {"message_id": "w", "status": "read"}),
        InboxItem("note:1", AT, NOTE, {"from": "system", "text": "Not delivered"}),
    ],
)
def test_every_kind_survives_its_json(item: InboxItem) -> None:
    assert InboxItem.from_json(json.loads(json.dumps(item.to_json()))) == item


def test_items_kept_before_kinds_are_read_as_what_they_were() -> None:
    def old(**fields: object) -> InboxItem:
        base = {"id": "x", "received_at": AT, "text": "", "payload": None, "timer": None}
        return InboxItem.from_json({**base, "order": None, "status": None, "meta": None, **fields})

    message = old(text="hallo", payload="p", meta={"address": {"to": "49"}})
    assert (message.kind, message.text, message.payload, message.meta) == (
        MESSAGE,
        "hallo",
        "p",
        {"address": {"to": "49"}},
    )
    assert (old(timer="expire").kind, old(timer="expire").timer) == (TIMER, "expire")
    assert old(order={"id": "o", "status": "paid"}).data == {"id": "o", "status": "paid"}
    assert old(status={"status": "read"}).kind == STATUS
    assert old(meta={"note": {"text": "n"}}) == InboxItem("x", AT, NOTE, {"text": "n"})


def test_a_message_knows_its_text_and_a_timer_its_name() -> None:
    message = InboxItem.message("m", AT, "hi")
    assert (message.text, message.payload, message.meta, message.timer) == ("hi", None, {}, None)
    assert message.with_payload("size:large").payload == "size:large"
    assert InboxItem.fired("expire", 10.0, AT).id == "timer:expire:10.000"
