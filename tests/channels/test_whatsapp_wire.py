"""The WhatsApp wire format, held to the published samples and to the fake's Graph API checks.

Parsing: every webhook builder and every published sample reads into the right event; batches keep
their order; hostile bodies never raise. Rendering: every payload made here goes through
`check_request`, the fake's copy of the Graph API's validation, and no text of an entry is lost.
"""

from __future__ import annotations

import copy
import json
import random
import time
from collections.abc import Mapping
from typing import Any

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.channels.messages import ConsentSignal, DeliveryStatus, Incoming, WebhookProblem
from framework.channels.whatsapp_in import parse_webhook, verify_signature
from framework.channels.whatsapp_out import (
    GRAPH_VERSION,
    failure,
    media_request,
    numbered_choices,
    read_receipt,
    render,
    template,
)
from framework.stores.template_states import TemplateNews
from tests.fakes import webhooks as wa
from tests.fakes.graph_api import FakeGraphApi, GraphError, check_request
from tests.fakes.webhooks import SAMPLES, Json, load_sample

BOT = "pizzeria"
NUMBERS = {wa.BUSINESS.phone_number_id, "1122334455667"}  # the fakes' and the samples' number
TS = "1697043223"
KERRY = wa.CUSTOMER
TO = {"to": "16315551234"}
RECIPIENT = {"recipient": "US.13491208655302741918"}

Event = Incoming | DeliveryStatus | ConsentSignal | TemplateNews | WebhookProblem


def route(number: str) -> str | None:
    return BOT if number in NUMBERS else None


def parse(payload: Any) -> list[Event]:
    return parse_webhook(payload, route)


def summary(event: Event) -> str:
    if isinstance(event, Incoming):
        return f"incoming:{event.text}"
    if isinstance(event, DeliveryStatus):
        return f"status:{event.status}"
    if isinstance(event, ConsentSignal):
        return f"consent:{event.signal}"
    if isinstance(event, TemplateNews):
        return f"template:{event.status or event.quality}"
    return f"problem:{event.kind}"


def incoming(message: Json, customer: wa.Customer = KERRY) -> Incoming:
    events = parse(wa.inbound(message, customer=customer))
    assert len(events) == 1 and isinstance(events[0], Incoming), events
    return events[0]


def from_kerry(text: str, **fields: Any) -> Incoming:
    """What a message of the fakes' customer reads as."""
    defaults: dict[str, Any] = {
        "bot": BOT,
        "channel": "whatsapp",
        "customer": "US.13491208655302741918",
        "message_id": "wamid.A",
        "text": text,
        "address": {"to": "16315551234"},
        "phone": "16315551234",
        "name": "Kerry Fisher",
        "sent_at": float(TS),
    }
    return Incoming(**{**defaults, **fields})


def at(**extra: Any) -> Any:
    return {"wamid": "wamid.A", "timestamp": TS, **extra}


# --- parsing: every builder ------------------------------------------------------------------


def test_a_text_reads_as_its_body_from_the_bsuid() -> None:
    assert incoming(wa.text("Eine Margherita, bitte", **at())) == from_kerry(
        "Eine Margherita, bitte"
    )


def test_quoted_and_forwarded_context_is_ignored() -> None:
    quoted = wa.text("ja", **at(context=wa.replying_to("wamid.PREV")))
    forwarded = wa.text("ja", **at(context=wa.forwarded()))
    assert incoming(quoted) == incoming(forwarded) == from_kerry("ja")


def test_a_customer_without_bsuid_is_known_by_wa_id() -> None:
    customer = wa.Customer(user_id=None)
    assert incoming(wa.text("hi", **at(customer=customer)), customer) == from_kerry(
        "hi", customer="16315551234"
    )


def test_a_username_user_is_addressed_by_bsuid() -> None:
    customer = wa.Customer(wa_id=None)
    assert incoming(wa.text("hi", **at(customer=customer)), customer) == from_kerry(
        "hi", address={"recipient": "US.13491208655302741918"}, phone=None
    )


def test_from_user_id_next_to_from_changes_nothing() -> None:
    customer = wa.Customer(from_user_id=True)
    assert incoming(wa.text("hi", **at(customer=customer)), customer) == from_kerry("hi")


def test_a_message_without_its_contact_still_has_its_sender() -> None:
    payload = wa.inbound(wa.text("hi", **at()))
    del payload["entry"][0]["changes"][0]["value"]["contacts"]
    assert parse(payload) == [from_kerry("hi", customer="16315551234", name=None)]


def test_a_reply_button_reads_as_its_title_and_payload() -> None:
    assert incoming(wa.button_reply("confirm", "Bestellen", **at())) == from_kerry(
        "Bestellen", payload="confirm"
    )


def test_a_list_row_reads_as_its_title_and_payload() -> None:
    chosen = wa.list_reply("pizza-4", "Quattro Formaggi", "mit Gorgonzola", **at())
    assert incoming(chosen) == from_kerry("Quattro Formaggi", payload="pizza-4")


def test_a_template_quick_reply_reads_as_its_text_and_payload() -> None:
    assert incoming(wa.quick_reply("STOP", "Abmelden", **at())) == from_kerry(
        "Abmelden", payload="STOP"
    )


def test_a_chosen_place_reads_as_name_and_address() -> None:
    place = wa.location(
        52.52,
        13.405,
        name="Pizzeria Roma",
        address="Hauptstr. 1, Berlin",
        url="https://m.ap",
        **at(),
    )
    attachment = {
        "type": "location",
        "latitude": 52.52,
        "longitude": 13.405,
        "name": "Pizzeria Roma",
        "address": "Hauptstr. 1, Berlin",
        "url": "https://m.ap",
    }
    assert incoming(place) == from_kerry(
        "Pizzeria Roma, Hauptstr. 1, Berlin", attachment=attachment
    )


def test_a_place_without_name_reads_as_its_address() -> None:
    assert incoming(wa.location(1.0, 2.0, address="Hauptstr. 1", **at())).text == "Hauptstr. 1"


def test_a_current_location_reads_as_coordinates() -> None:
    attachment = {"type": "location", "latitude": 52.52, "longitude": -13.4}
    assert incoming(wa.location(52.52, -13.4, **at())) == from_kerry(
        "52.520000, -13.400000", attachment=attachment
    )


def test_an_image_reads_as_its_caption_with_the_media() -> None:
    photo = wa.image("123", sha256="abc=", caption="So sah sie aus", url="https://x.y/z", **at())
    attachment = {
        "type": "image",
        "id": "123",
        "mime_type": "image/jpeg",
        "sha256": "abc=",
        "caption": "So sah sie aus",
    }
    assert incoming(photo) == from_kerry("So sah sie aus", attachment=attachment)


def test_an_image_without_caption_has_no_text() -> None:
    read = incoming(wa.image("123", sha256="abc=", **at()))
    assert (read.text, read.attachment and read.attachment["caption"]) == ("", None)


def test_an_order_reads_as_its_items() -> None:
    items = [wa.order_item("HAMBURGER", 3, 30, "EUR"), wa.order_item("FRIES", 1, 4.5, "EUR")]
    read = incoming(wa.order("354160437058781", items, **at()))
    assert read == from_kerry(
        "3× HAMBURGER, 1× FRIES",
        attachment={"type": "order", "catalog_id": "354160437058781", "items": items},
    )


def test_an_order_keeps_the_customers_note() -> None:
    items = [wa.order_item("SODA", 2, 2, "EUR")]
    read = incoming(wa.order("1", items, note="ohne Eis", **at()))
    assert read.attachment is not None and read.attachment["note"] == "ohne Eis"


def test_a_completed_flow_reads_as_its_body_with_the_response() -> None:
    reply = {"type": "nfm_reply", "nfm_reply": {"name": "flow", "body": "Sent"}}
    reply["nfm_reply"]["response_json"] = json.dumps({"flow_token": "T", "rating": "4"})
    read = incoming(wa.message("interactive", {"interactive": reply}, **at()))
    assert read == from_kerry(
        "Sent", attachment={"type": "flow", "response": {"flow_token": "T", "rating": "4"}}
    )


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", '"text"'])
def test_a_flow_response_that_is_no_object_stays_raw(raw: str) -> None:
    reply = {"type": "nfm_reply", "nfm_reply": {"name": "flow", "body": "Sent"}}
    reply["nfm_reply"]["response_json"] = raw
    read = incoming(wa.message("interactive", {"interactive": reply}, **at()))
    assert read.attachment == {"type": "flow", "response": raw}


def test_a_reaction_is_ignored() -> None:
    assert parse(wa.inbound(wa.reaction("wamid.X", "👍", **at()))) == []


def test_an_unsupported_message_is_one_without_text() -> None:
    read = incoming(wa.unsupported(**at()))
    assert (read.text, read.attachment) == ("", {"type": "unsupported"})


@pytest.mark.parametrize(
    ("kind", "fields", "text"),
    [
        ("sticker", {"sticker": {"id": "1", "mime_type": "image/webp"}}, ""),
        ("audio", {"audio": {"id": "2", "voice": True}}, ""),
        ("video", {"video": {"id": "3", "caption": "so sieht sie aus"}}, "so sieht sie aus"),
        ("document", {"document": {"id": "4", "filename": "a.pdf"}}, ""),
        ("contacts", {"contacts": [{"name": {"formatted_name": "Ada"}}]}, ""),
    ],
)
def test_media_is_a_message_whose_caption_is_the_text(kind: str, fields: Json, text: str) -> None:
    read = incoming(wa.message(kind, fields, **at()))
    assert read.text == text and read.attachment is not None
    assert read.attachment["type"] == kind


@pytest.mark.parametrize("changed", ["edit", "revoke", "pin", "poll_update"])
def test_a_change_of_an_earlier_message_is_a_problem_and_no_message(changed: str) -> None:
    fields = {"unsupported": {"type": changed}, "errors": [wa.error_object(131051, href=False)]}
    (problem,) = parse(wa.inbound(wa.message("unsupported", fields, **at())))
    assert isinstance(problem, WebhookProblem) and problem.kind == changed


def test_a_group_message_is_a_problem_and_no_message() -> None:
    (problem,) = parse(wa.inbound({**wa.text("hi all", **at()), "group_id": "G1"}))
    assert isinstance(problem, WebhookProblem) and problem.kind == "group"
    assert problem.data == {"group_id": "G1"}


def test_a_group_message_of_a_number_that_answers_in_groups_is_the_groups() -> None:
    payload = wa.inbound({**wa.text("hi all", **at()), "group_id": "G1"})
    (read,) = parse_webhook(payload, route, groups={wa.BUSINESS.phone_number_id})
    assert isinstance(read, Incoming)
    assert (read.customer, read.address, read.phone, read.name) == (
        "G1",
        {"group": "G1"},
        None,
        None,
    )
    broken = wa.inbound({**wa.text("hi all", **at()), "group_id": 7})
    [problem] = parse_webhook(broken, route, groups={wa.BUSINESS.phone_number_id})
    assert isinstance(problem, WebhookProblem) and problem.kind == "malformed"


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("interactive", {"interactive": {"type": "call_permission_reply"}}),
        ("interactive", {}),
        ("hologram", {"hologram": {}}),
    ],
)
def test_any_unknown_type_is_unsupported(kind: str, fields: Json) -> None:
    events = parse(wa.inbound(wa.message(kind, fields, **at())))
    assert [summary(event) for event in events] == ["problem:unsupported"]
    assert isinstance(events[0], WebhookProblem) and events[0].data["type"] == kind


def test_a_message_for_a_number_no_bot_serves_is_one_problem() -> None:
    other = wa.Business(phone_number_id="999")
    payload = wa.inbound(wa.text("a"), wa.text("b"), business=other)
    events = parse(payload)
    assert [summary(event) for event in events] == ["problem:unknown_number"]
    assert isinstance(events[0], WebhookProblem)
    assert events[0].data == {"phone_number_id": "999"}


# --- parsing: the published samples ----------------------------------------------------------

EXPECTED = {
    "button-quick-reply-bsuid": ["incoming:title"],
    "button-template-quick-reply": ["incoming:title"],
    "errors-value-level": ["problem:unsupported", "problem:error"],
    "interactive-button-reply": ["incoming:title"],
    "interactive-list-reply": ["incoming:title"],
    "interactive-list-reply-description": ["incoming:title"],
    "interactive-nfm-reply-flow": ["incoming:Sent"],
    "message-image": ["incoming:"],
    "message-image-with-url": ["incoming:"],
    "message-location-chosen": ["incoming:Facebook HQ, 1 Hacker Way, Menlo Park, CA 94025"],
    "message-location-current": ["incoming:12.250890, 43.905390"],
    "message-order": ["incoming:3× HAMBURGER, 2× FRENCH_FRIES, 2× SODA"],
    "message-reaction": [],
    "message-text": ["incoming:Body Text"],
    "message-text-referral": ["incoming:BODY"],
    "message-text-reply": ["incoming:replied text"],
    "message-unsupported": ["incoming:"],
    "status-delivered": ["status:delivered"],
    "status-failed": ["status:failed"],
    "status-read": ["status:read"],
    "status-sent": ["status:sent"],
    "status-sent-callback-data": ["status:sent"],
    "system-customer-identity-changed": ["problem:system"],
    "system-user-changed-number": ["problem:system"],
    "template-category-update": ["problem:field:template_category_update"],
    "template-status-approved": ["template:APPROVED"],
    "template-status-rejected": ["template:REJECTED"],
    "user-preferences-resume": ["consent:resume"],
    "user-preferences-signup": ["problem:preference"],
}


def test_every_sample_is_expected() -> None:
    assert sorted(path.stem for path in SAMPLES.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_sample_reads_as_expected(name: str) -> None:
    assert [summary(event) for event in parse(load_sample(name))] == EXPECTED[name]


def test_sample_messages_carry_the_bsuid_and_the_wamid() -> None:
    (read,) = parse(load_sample("button-quick-reply-bsuid"))
    assert read == Incoming(
        bot=BOT,
        channel="whatsapp",
        customer="US.13491208655302741918",
        message_id="wamid.xsidjx",
        text="title",
        payload="callback_data",
        address={"to": "972987654321"},
        phone="972987654321",
        name="Test Name",
        sent_at=1698269027.0,
    )


def test_a_sample_status_keeps_pricing_and_callback() -> None:
    assert parse(load_sample("status-sent-callback-data")) == [
        DeliveryStatus(
            message_id="wamid.xyzxyz",
            status="sent",
            timestamp=1698266945.0,
            recipient="972987654321",
            pricing={"billable": True, "pricing_model": "CBP", "category": "service"},
            callback="some data",
        )
    ]


def test_a_failed_sample_status_keeps_its_errors() -> None:
    (failed,) = parse(load_sample("status-failed"))
    assert isinstance(failed, DeliveryStatus)
    assert (failed.pricing, [error["code"] for error in failed.errors]) == (None, [130472])


def test_value_level_errors_say_code_and_details() -> None:
    problem = parse(load_sample("errors-value-level"))[-1]
    assert isinstance(problem, WebhookProblem)
    assert "131000" in problem.detail and "Unsupported webhook payload" in problem.detail
    assert problem.data["code"] == 131000


def test_a_system_message_says_what_happened_without_the_numbers() -> None:
    (problem,) = parse(load_sample("system-user-changed-number"))
    assert isinstance(problem, WebhookProblem)
    assert problem.detail == "WhatsApp system message user_changed_number"
    assert "972987654321" in str(problem.data)  # kept, but never in the logged detail


def test_other_fields_carry_their_value() -> None:
    sample = load_sample("template-category-update")
    (problem,) = parse(sample)
    assert isinstance(problem, WebhookProblem)
    assert problem.data == sample["entry"][0]["changes"][0]["value"]


def test_a_flow_sample_keeps_the_response() -> None:
    (read,) = parse(load_sample("interactive-nfm-reply-flow"))
    assert isinstance(read, Incoming) and read.attachment is not None
    assert read.attachment["response"]["flow_token"] == "AQAAAAACS5FpgQ_cAAAAAD0QI3s."


def test_a_pmp_status_with_callback() -> None:
    sent = wa.status(
        "wamid.S", "read", recipient_id="16315551234", timestamp=TS, pricing=wa.PMP,
        biz_opaque_callback_data="order-7",
    )  # fmt: skip
    payload = wa.notification(wa.entry(wa.BUSINESS, wa.change(statuses=[sent])))
    assert parse(payload) == [
        DeliveryStatus("wamid.S", "read", float(TS), "16315551234", wa.PMP.as_json(), (), "order-7")
    ]


def test_a_payment_status_is_no_delivery_status() -> None:
    payment = {"id": "wamid.P", "type": "payment", "status": "captured", "timestamp": TS}
    payload = wa.notification(wa.entry(wa.BUSINESS, wa.change(statuses=[payment])))
    assert [summary(event) for event in parse(payload)] == ["problem:status"]


# --- parsing: batches ------------------------------------------------------------------------


def test_a_batch_gives_every_item_in_order() -> None:
    other = wa.Customer(name="Ada", wa_id="4915112345678", user_id="DE.1")
    first = wa.inbound(wa.text("eins"), wa.button_reply("p", "zwei"))
    second = wa.inbound(wa.text("drei", customer=other), customer=other)
    mixed = wa.notification(
        wa.entry(
            wa.BUSINESS,
            wa.change(
                customers=[KERRY],
                messages=[wa.text("vier")],
                statuses=[wa.status("wamid.1", "delivered", recipient_id="16315551234")],
                errors=[wa.error_object(130429)],
            ),
        )
    )
    updates = load_sample("template-status-approved")
    for into in ("entries", "changes"):
        payload = wa.batch(first, second, mixed, into=into)
        if into == "entries":
            payload["entry"] += updates["entry"]
        events = parse(payload)
        expected = ["incoming:eins", "incoming:zwei", "incoming:drei", "incoming:vier"]
        expected += ["status:delivered", "problem:error"]
        expected += ["template:APPROVED"] if into == "entries" else []
        assert [summary(event) for event in events] == expected
        assert events[2] == Incoming(
            bot=BOT,
            channel="whatsapp",
            customer="DE.1",
            message_id=events[2].message_id,
            text="drei",
            address={"to": "4915112345678"},
            phone="4915112345678",
            name="Ada",
            sent_at=events[2].sent_at,
        )


def test_a_broken_item_does_not_stop_the_others() -> None:
    messages = [
        wa.text("erste"),
        "not a message",
        {"type": "text", "id": "wamid.B", "from": "1"},
        {"type": "text", "text": {"body": "no sender"}, "id": "wamid.C"},
        {"type": "text", "text": {"body": "no id"}, "from": "1"},
        wa.location(1.0, 2.0) | {"location": {"latitude": "1", "longitude": 2}},
        wa.order("1", []) | {"order": {"product_items": [{"quantity": True}]}},
        wa.text("letzte"),
    ]
    statuses = [
        {"id": "wamid.S", "status": "read", "timestamp": "soon"},
        7,
        {"id": "wamid.T", "status": "sent", "timestamp": TS, "errors": "none"},
        {"id": "wamid.U", "status": "sent", "timestamp": int(TS)},
    ]
    value = wa.change(customers=[KERRY], messages=messages, statuses=statuses, errors=[None])
    summaries = [summary(event) for event in parse(wa.notification(wa.entry(wa.BUSINESS, value)))]
    assert summaries == [
        "incoming:erste",
        *["problem:malformed"] * 6,
        "incoming:letzte",
        *["problem:malformed"] * 3,
        "status:sent",
        "problem:malformed",
    ]


@pytest.mark.parametrize("timestamp", ["later", None, True, [], 10**400, "nan", float("inf")])
def test_a_bad_timestamp_of_a_message_is_no_time(timestamp: Any) -> None:
    message = wa.text("hi", wamid="wamid.A") | {"timestamp": timestamp}
    assert incoming(message).sent_at is None


def test_an_integer_timestamp_is_seconds() -> None:
    message = wa.text("hi", wamid="wamid.A") | {"timestamp": 1731705721}
    assert incoming(message).sent_at == 1731705721.0


def test_ten_thousand_messages_are_all_read_quickly() -> None:
    messages = [
        wa.text(f"m{number}", wamid=f"wamid.{number}", timestamp=TS) for number in range(10_000)
    ]
    started = time.perf_counter()
    events = parse(wa.inbound(*messages))
    assert time.perf_counter() - started < 5
    assert [event.message_id for event in events if isinstance(event, Incoming)] == [
        f"wamid.{number}" for number in range(10_000)
    ]


def test_ten_thousand_broken_messages_are_ten_thousand_problems() -> None:
    payload = wa.inbound(*([{"type": []}] * 5_000 + [None] * 5_000))
    events = parse(payload)
    assert len(events) == 10_000 and all(isinstance(event, WebhookProblem) for event in events)


# --- parsing: hostile bodies -----------------------------------------------------------------


def deeply_nested(depth: int) -> Any:
    nested: Any = {}
    for _ in range(depth):
        nested = {"entry": [nested], "changes": [nested], "value": nested}
    return nested


HOSTILE: list[Any] = [
    None,
    [],
    "entry",
    42,
    3.5,
    True,
    {},
    {"entry": None},
    {"entry": "x"},
    {"entry": {}},
    {"entry": [None, 1, "x", [], {}]},
    {"entry": [{"changes": "x"}]},
    {"entry": [{"changes": [None, 1, [], {"value": []}, {"value": {}, "field": "messages"}]}]},
    {"entry": [{"changes": [{"field": "messages", "value": {"metadata": []}}]}]},
    {
        "entry": [
            {"changes": [{"field": "messages", "value": {"metadata": {"phone_number_id": 7}}}]}
        ]
    },
    {"entry": [{"changes": [{"field": ["x"], "value": {}}]}]},
    deeply_nested(10_000),
    [[[[[[[[[[]]]]]]]]]],
]


def with_value(**value: Any) -> Json:
    metadata = {"phone_number_id": wa.BUSINESS.phone_number_id}
    return {
        "entry": [{"changes": [{"field": "messages", "value": {"metadata": metadata, **value}}]}]
    }


HOSTILE += [
    with_value(messages={"a": 1}),
    with_value(statuses="sent"),
    with_value(errors={"code": 1}),
    with_value(contacts="Kerry", messages=[wa.text("hi")]),
    with_value(contacts=[None, {"wa_id": 5}, {"profile": "x", "wa_id": "16315551234"}]),
    with_value(messages=[{"type": "text", "text": "hi", "from": "1", "id": "w"}]),
    with_value(messages=[{"type": "text", "text": {"body": 5}, "from": "1", "id": "w"}]),
    with_value(messages=[{"type": "interactive", "interactive": "button_reply"}]),
    with_value(messages=[{"type": "interactive", "interactive": {"type": "list_reply"}}]),
    with_value(messages=[{"type": "location", "location": {"latitude": float("nan")}}]),
    with_value(messages=[{"type": "order", "order": {"product_items": None}}]),
    with_value(messages=[{"type": "image", "image": {"id": ["x"]}}]),
    with_value(messages=[{"type": "system", "system": "x"}, {"type": "system"}]),
    with_value(messages=[{"type": "unsupported", "errors": "x"}]),
    with_value(messages=[{"type": {"x": 1}}]),
    with_value(
        messages=[
            {"id": "w", "from": "1", "type": "text", "text": {"body": "x"}, "timestamp": 1e400}
        ]
    ),
    with_value(statuses=[{"id": "w", "status": "sent", "timestamp": "inf"}]),
    with_value(statuses=[{"id": "w", "status": "sent", "timestamp": "1e999999"}]),
    with_value(statuses=[{"id": "w", "status": "sent", "timestamp": TS, "errors": [1]}]),
    with_value(statuses=[{"id": ["w"], "status": None, "timestamp": []}]),
]


@pytest.mark.parametrize("payload", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_bodies_never_raise(payload: Any) -> None:
    events = parse(payload)
    assert isinstance(events, list)
    assert all(isinstance(event, Event) for event in events)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON value."""
    found = [path]
    if isinstance(value, dict | list):
        children = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in children:
            found += places(child, (*path, key))
    return found


@given(
    name=st.sampled_from(sorted(EXPECTED)),
    pick=st.integers(min_value=0),
    replacement=JSON_VALUES,
)
@settings(max_examples=300, deadline=None, database=None)
def test_any_part_of_a_sample_replaced_by_any_json_never_raises(
    name: str, pick: int, replacement: Any
) -> None:
    payload = load_sample(name)
    paths = places(payload)
    path = paths[pick % len(paths)]
    if not path:
        payload = replacement
    else:
        parent = payload
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = replacement
    events = parse(payload)
    assert all(isinstance(event, Event) for event in events)


# --- signatures ------------------------------------------------------------------------------

SECRET = "app-secret"
BODY = wa.encode(wa.inbound(wa.text("Grüße 🍕")))


def test_the_signature_of_the_exact_bytes_is_valid() -> None:
    assert verify_signature(BODY, wa.signature(BODY, SECRET), SECRET)


def test_uppercase_hex_digits_are_the_same_signature() -> None:
    header = wa.signature(BODY, SECRET)
    assert verify_signature(BODY, "sha256=" + header.removeprefix("sha256=").upper(), SECRET)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        wa.signature(BODY, "another-secret"),
        wa.signature(BODY, SECRET).removeprefix("sha256="),
        wa.signature(BODY, SECRET).replace("sha256=", "sha1="),
        wa.signature(BODY, SECRET)[:-1] + ("0" if wa.signature(BODY, SECRET)[-1] != "0" else "1"),
        wa.signature(BODY, SECRET) + "00",
        "sha256=" + "g" * 64,
        "sha256=" + "é" * 64,
        " " + wa.signature(BODY, SECRET),
    ],
    # BODY has a new message id and timestamp in each process: ids of their own keep the names
    # the same in every process (pytest-xdist's workers each collect them and must agree)
    ids=[
        "none",
        "empty",
        "prefix-only",
        "another-secret",
        "no-prefix",
        "sha1",
        "last-digit-changed",
        "two-digits-more",
        "not-hex",
        "not-ascii",
        "leading-space",
    ],
)
def test_a_wrong_or_missing_signature_is_invalid(header: str | None) -> None:
    assert not verify_signature(BODY, header, SECRET)


def test_a_reserialized_body_is_invalid() -> None:
    header = wa.signature(BODY, SECRET)
    reserialized = json.dumps(json.loads(BODY), ensure_ascii=False).encode()
    assert not verify_signature(reserialized, header, SECRET)


# --- rendering -------------------------------------------------------------------------------


def checked(payloads: list[Json]) -> list[Json]:
    """Each payload as the Graph API checks it (GraphError if refused).

    The fake knows only `to`: a `recipient` (BSUID) payload is checked with a number in its place.
    """
    for payload in payloads:
        if "recipient" in payload:
            assert "to" not in payload and isinstance(payload["recipient"], str)
            payload = {**{k: v for k, v in payload.items() if k != "recipient"}, "to": TO["to"]}
        check_request(payload)
    return payloads


def sent(entry: Mapping[str, Any], address: Mapping[str, Any] = TO, **options: Any) -> list[Json]:
    return checked(render(entry, address, **options))


def bodies(payloads: list[Json]) -> list[str]:
    """What the customer reads: text bodies, interactive bodies, captions."""
    found = []
    for payload in payloads:
        kind = payload["type"]
        if kind == "text":
            found.append(payload["text"]["body"])
        elif kind == "interactive":
            found.append(payload["interactive"]["body"]["text"])
        elif "caption" in payload.get("image", {}):
            found.append(payload["image"]["caption"])
    return found


def kinds(payloads: list[Json]) -> list[str]:
    return [
        payload["interactive"]["type"] if payload["type"] == "interactive" else payload["type"]
        for payload in payloads
    ]


def buttons(count: int, title: str = "Option {}") -> list[dict[str, str]]:
    return [{"title": title.format(n), "payload": f"choice-{n}"} for n in range(1, count + 1)]


def squeezed(text: str) -> str:
    return "".join(text.split())


def paragraphs(count: int, words: int = 60) -> str:
    return "\n\n".join(
        " ".join(f"w{paragraph}x{word}" for word in range(words)) for paragraph in range(count)
    )


def test_a_text_is_one_text_message() -> None:
    assert sent({"text": "Hallo!"}) == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "16315551234",
            "type": "text",
            "text": {"preview_url": False, "body": "Hallo!"},
        }
    ]


def test_a_bsuid_address_is_a_recipient() -> None:
    (payload,) = sent({"text": "Hallo!"}, RECIPIENT)
    assert payload["recipient"] == RECIPIENT["recipient"] and "to" not in payload


def test_a_group_address_is_a_group_recipient() -> None:
    group = "Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD"  # Meta's example
    (payload,) = sent({"text": "Hallo!"}, {"group": group})
    assert (payload["recipient_type"], payload["to"]) == ("group", group)
    assert "recipient" not in payload


def test_an_address_needs_to_or_recipient() -> None:
    with pytest.raises(ValueError, match="recipient"):
        render({"text": "Hallo!"}, {"chat_id": 1})


def test_the_callback_is_on_every_payload() -> None:
    entry = {"text": paragraphs(40), "buttons": buttons(2), "image": "https://x.y/p.jpg"}
    payloads = sent(entry, callback="order-7")
    assert len(payloads) > 2
    assert {payload["biz_opaque_callback_data"] for payload in payloads} == {"order-7"}


@pytest.mark.parametrize("text", ["", "   \n\n  "])
def test_an_empty_entry_sends_nothing(text: str) -> None:
    assert sent({"text": text}) == [] == sent({})


@pytest.mark.parametrize("length", [5_000, 20_000])
def test_a_long_text_is_split_at_paragraphs(length: int) -> None:
    text = paragraphs(length // 300)[:length]
    assert len(text) == length
    payloads = sent({"text": text})
    assert kinds(payloads) == ["text"] * len(payloads) and len(payloads) >= length / 4096
    assert squeezed("".join(bodies(payloads))) == squeezed(text)
    whole = set(text.split("\n\n"))
    assert all(set(body.split("\n\n")) <= whole for body in bodies(payloads))


def test_lines_then_words_then_characters_are_cut_points() -> None:
    lines = "\n".join("word " * 30 for _ in range(200))
    assert all(body.endswith("word") for body in bodies(sent({"text": lines}))[:-1])
    words = "wort " * 2000
    assert all(len(body) <= 4096 for body in bodies(sent({"text": words})))
    solid = "x" * 9000
    assert [len(body) for body in bodies(sent({"text": solid}))] == [4096, 4096, 808]


@pytest.mark.parametrize("count", [1, 3])
def test_up_to_three_buttons_are_reply_buttons(count: int) -> None:
    (payload,) = sent({"text": "Was darf es sein?", "buttons": buttons(count)})
    assert payload["interactive"] == {
        "type": "button",
        "body": {"text": "Was darf es sein?"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": f"choice-{n}", "title": f"Option {n}"}}
                for n in range(1, count + 1)
            ]
        },
    }


def test_repeated_button_titles_are_made_unique() -> None:
    entry = {"text": "?", "buttons": buttons(3, "Eine sehr lange Wahl ")}
    (payload,) = sent(entry)
    titles = [button["reply"]["title"] for button in payload["interactive"]["action"]["buttons"]]
    assert titles == ["Eine sehr lange Wahl", "Eine sehr lange… (2)", "Eine sehr lange… (3)"]


@pytest.mark.parametrize("count", [4, 10])
def test_four_to_ten_buttons_are_a_list(count: int) -> None:
    (payload,) = sent({"text": "Welche Pizza?", "buttons": buttons(count)})
    assert payload["interactive"] == {
        "type": "list",
        "body": {"text": "Welche Pizza?"},
        "action": {
            "button": "Optionen",
            "sections": [
                {
                    "rows": [
                        {"id": f"choice-{n}", "title": f"Option {n}"} for n in range(1, count + 1)
                    ]
                }
            ],
        },
    }


def test_a_list_button_makes_a_list_with_that_label() -> None:
    entry = {"text": "?", "buttons": buttons(2), "list_button": "Alle Pizzen der Karte ansehen"}
    (payload,) = sent(entry)
    assert payload["interactive"]["type"] == "list"
    assert payload["interactive"]["action"]["button"] == "Alle Pizzen der Kar…"


def test_a_title_too_long_for_a_button_makes_a_list_with_descriptions() -> None:
    long_title = "Pizza Quattro Stagioni mit extra Käse und Oliven " * 2
    choices = [{"title": "Margherita", "payload": "m"}, {"title": long_title, "payload": "q"}]
    (payload,) = sent({"text": "?", "buttons": choices})
    rows = payload["interactive"]["action"]["sections"][0]["rows"]
    assert rows[0] == {"id": "m", "title": "Margherita"}
    assert rows[1]["title"] == "Pizza Quattro Stagioni…"
    assert len(rows[1]["description"]) <= 72 and rows[1]["description"].endswith("…")
    assert rows[1]["description"].startswith("Pizza Quattro Stagioni mit extra Käse und Oliven")


def test_unicode_and_emoji_titles_fit() -> None:
    titles = ["🍕 Pizza", "🥗 Salat mit Thunfisch", "🍝 Spaghetti alla Carbonara 🇮🇹"]
    choices = [{"title": title, "payload": f"p{n}"} for n, title in enumerate(titles)]
    (payload,) = sent({"text": "Hunger? 😋", "buttons": choices})
    assert payload["interactive"]["type"] == "list"
    assert [row["title"] for row in payload["interactive"]["action"]["sections"][0]["rows"]] == [
        "🍕 Pizza",
        "🥗 Salat mit Thunfisch",
        "🍝 Spaghetti alla Carbon…",
    ]


@pytest.mark.parametrize("count", [11, 40])
def test_more_than_ten_buttons_are_numbered_text(count: int) -> None:
    payloads = sent({"text": "Unsere Karte:", "buttons": buttons(count)})
    assert kinds(payloads) == ["text"]
    lines = payloads[0]["text"]["body"].split("\n")
    assert lines[:3] == ["Unsere Karte:", "", "1. Option 1"]
    assert lines[-1] == f"{count}. Option {count}"


def test_a_long_numbered_text_is_split() -> None:
    payloads = sent({"text": "Karte", "buttons": buttons(40, "{} " + "lange Beschreibung " * 10)})
    assert kinds(payloads) == ["text", "text"]
    assert "40. 40 lange" in payloads[1]["text"]["body"]


@pytest.mark.parametrize(
    "choices",
    [
        [{"title": "A", "payload": "x" * 257}],
        [{"title": "A" * 21, "payload": "x" * 201}],
        [{"title": "A", "payload": "same"}, {"title": "B", "payload": "same"}],
        [{"title": "A", "payload": ""}],
    ],
)
def test_payloads_no_button_can_carry_make_numbered_text(choices: list[dict[str, str]]) -> None:
    assert kinds(sent({"text": "?", "buttons": choices})) == ["text"]


def test_a_long_payload_for_a_button_still_fits_a_list() -> None:
    choices = [{"title": "A", "payload": "x" * 200}, {"title": "B" * 21, "payload": "y"}]
    assert kinds(sent({"text": "?", "buttons": choices})) == ["list"]


def test_buttons_after_a_long_text_carry_its_last_paragraph() -> None:
    text = paragraphs(20) + "\n\nWas möchtest du?"
    payloads = sent({"text": text, "buttons": buttons(2)})
    assert kinds(payloads) == ["text", "text", "button"]
    assert payloads[-1]["interactive"]["body"]["text"] == "Was möchtest du?"
    assert squeezed("".join(bodies(payloads))) == squeezed(text)


def test_buttons_after_a_text_over_1024_in_one_paragraph_carry_an_ellipsis() -> None:
    text = "Sehr viele Worte " * 100
    payloads = sent({"text": text, "buttons": buttons(3)})
    assert kinds(payloads) == ["text", "button"]
    assert payloads[-1]["interactive"]["body"]["text"] == "…"


def test_buttons_without_text_have_an_ellipsis_body() -> None:
    (payload,) = sent({"text": "", "buttons": buttons(1)})
    assert payload["interactive"]["body"]["text"] == "…"


def test_a_list_after_a_long_text_carries_its_last_part() -> None:
    text = paragraphs(20)
    payloads = sent({"text": text, "buttons": buttons(5)})
    assert kinds(payloads) == ["text", "list"]
    assert squeezed("".join(bodies(payloads))) == squeezed(text)


def test_an_image_carries_a_short_text_as_caption() -> None:
    (payload,) = sent({"text": "Heute frisch", "image": "https://x.y/p.jpg"})
    assert payload["image"] == {"link": "https://x.y/p.jpg", "caption": "Heute frisch"}


def test_an_image_without_text_has_no_caption() -> None:
    (payload,) = sent({"text": "", "image": "https://x.y/p.jpg"})
    assert payload["image"] == {"link": "https://x.y/p.jpg"}


def test_a_text_too_long_for_a_caption_goes_before_the_image() -> None:
    text = "Lang " * 300
    payloads = sent({"text": text, "image": "https://x.y/p.jpg"})
    assert kinds(payloads) == ["text", "image"]
    assert payloads[1]["image"] == {"link": "https://x.y/p.jpg"}


def test_an_image_with_buttons_comes_first_without_caption() -> None:
    payloads = sent({"text": "Diese?", "image": "https://x.y/p.jpg", "buttons": buttons(2)})
    assert kinds(payloads) == ["image", "button"]
    assert "caption" not in payloads[0]["image"]
    assert payloads[1]["interactive"]["body"]["text"] == "Diese?"


def test_a_payment_link_is_a_cta_url_button() -> None:
    link = {"title": "Jetzt bezahlen", "url": "https://pay.example/c/123"}
    (payload,) = sent({"text": "Summe: 25,00 €", "link": link})
    assert payload["interactive"] == {
        "type": "cta_url",
        "body": {"text": "Summe: 25,00 €"},
        "action": {
            "name": "cta_url",
            "parameters": {"display_text": "Jetzt bezahlen", "url": "https://pay.example/c/123"},
        },
    }


def test_a_payment_link_after_a_long_text_and_with_a_long_title() -> None:
    link = {"title": "Bezahlen Sie jetzt sicher online", "url": "https://pay.example/c/123"}
    text = "Ihre Bestellung " * 100 + "\n\nBitte bezahlen."
    payloads = sent({"text": text, "link": link})
    assert kinds(payloads) == ["text", "cta_url"]
    action = payloads[1]["interactive"]["action"]
    assert action["parameters"]["display_text"] == "Bezahlen Sie jetzt…"
    assert payloads[1]["interactive"]["body"]["text"] == "Bitte bezahlen."


def test_everything_at_once_comes_in_order() -> None:
    entry = {
        "text": "Alles",
        "image": "https://x.y/p.jpg",
        "buttons": buttons(2),
        "link": {"title": "Bezahlen", "url": "https://pay.example/c/1"},
    }
    assert kinds(sent(entry)) == ["image", "button", "cta_url"]


TITLES = st.text(max_size=40)
CHOICES = st.lists(
    st.fixed_dictionaries({"title": TITLES, "payload": st.text(min_size=1, max_size=210)}),
    max_size=15,
)


TEXTS = st.text(max_size=10_000) | st.text(
    alphabet=st.sampled_from("ab ä\n🍕"), min_size=3_000, max_size=10_000
)


@given(
    text=TEXTS,
    choices=CHOICES,
    list_button=st.none() | st.text(max_size=30),
    numbered_payloads=st.booleans(),
)
@settings(max_examples=200, deadline=None, database=None)
def test_any_entry_renders_to_accepted_payloads_without_losing_text(
    text: str, choices: list[dict[str, str]], list_button: str | None, numbered_payloads: bool
) -> None:
    if numbered_payloads:
        choices = [{**choice, "payload": f"p{n}"} for n, choice in enumerate(choices)]
    entry: dict[str, Any] = {"text": text, "buttons": choices}
    if list_button is not None:
        entry["list_button"] = list_button
    for address in (TO, RECIPIENT):
        payloads = sent(entry, address, callback="cb")
        everything = squeezed("".join(bodies(payloads)))
        assert squeezed(text) in everything
        assert all(word in everything for word in text.split())


@given(text=st.text(max_size=3_000), title=TITLES)
@settings(max_examples=100, deadline=None, database=None)
def test_any_image_or_link_renders_to_accepted_payloads(text: str, title: str) -> None:
    for entry in (
        {"text": text, "image": "https://x.y/p.jpg"},
        {"text": text, "link": {"title": title, "url": "https://pay.example/c/1"}},
    ):
        assert squeezed(text) in squeezed("".join(bodies(sent(entry))))


# --- templates, receipts, media --------------------------------------------------------------


def test_a_template_has_one_body_parameter() -> None:
    payload = template(TO, "order_update", "de", "Ihre Bestellung\n\nist\tunterwegs", callback="o")
    checked([payload])
    assert payload["template"] == {
        "name": "order_update",
        "language": {"code": "de"},
        "components": [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "Ihre Bestellung ist unterwegs"}],
            }
        ],
    }
    assert payload["biz_opaque_callback_data"] == "o"


@pytest.mark.parametrize(("body", "length"), [("x" * 5_000, 1024), ("", 1), ("y " * 600, 1024)])
def test_a_template_parameter_fits(body: str, length: int) -> None:
    for address in (TO, RECIPIENT):
        payload = template(address, "update", "en_US", body)
        checked([payload])
        parameter = payload["template"]["components"][0]["parameters"][0]["text"]
        assert len(parameter) == length


@pytest.mark.parametrize("typing", [True, False])
def test_a_read_receipt_with_or_without_typing(typing: bool) -> None:
    receipt = read_receipt("wamid.A", typing=typing)
    assert check_request(receipt) == "read"
    assert ("typing_indicator" in receipt) is typing
    assert receipt["message_id"] == "wamid.A"


def test_the_media_request_names_version_id_and_number() -> None:
    assert GRAPH_VERSION == "v25.0"
    assert media_request("2754859441498128", "106540352242922") == (
        "/v25.0/2754859441498128",
        {"phone_number_id": "106540352242922"},
    )
    assert media_request("../me", "1")[0] == "/v25.0/..%2Fme"


async def test_the_media_request_is_what_the_fake_graph_answers() -> None:
    async with FakeGraphApi() as graph, aiohttp.ClientSession() as http:
        media = graph.add_media(b"jpeg bytes")
        path, query = media_request(media.id, graph.business.phone_number_id)
        headers = {"Authorization": f"Bearer {graph.token}"}
        async with http.get(graph.url + path, params=query, headers=headers) as answer:
            assert answer.status == 200
            assert (await answer.json())["sha256"] == media.sha256


# --- errors of a send ------------------------------------------------------------------------


def graph_error(code: int, details: str = "Meta's details") -> Json:
    return {
        "error": {
            "message": f"(#{code}) Something",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details},
            "fbtrace_id": "Atrace",
        }
    }


def rng() -> random.Random:
    return random.Random(7)


JITTER = random.Random(7).uniform(0, 1)


@pytest.mark.parametrize(
    ("code", "status", "attempt", "retry_after"),
    [
        (130429, 400, 0, 1 + JITTER),
        (130429, 400, 3, 8 + JITTER),
        (130429, 400, 6, 60),
        (131056, 400, 0, 1 + JITTER),
        (131056, 400, 2, 16 + JITTER),
        (131056, 400, 5, 300),
        (131056, 400, 5_000, 300),
        (131057, 400, 3, 8),
        (131000, 500, 1, 2),
        (131016, 503, 10, 60),
    ],
)
def test_retriable_codes_back_off(code: int, status: int, attempt: int, retry_after: float) -> None:
    failed = failure(status, graph_error(code), attempt, rng())
    assert (failed.code, failed.retry_after, failed.permanent) == (code, retry_after, False)
    assert f"({code})" in str(failed) and "trying again" in str(failed)


def test_the_fakes_errors_are_classified_by_code() -> None:
    error = GraphError(131000)
    failed = failure(error.http_status, error.as_json(), 0)
    assert (failed.code, failed.retry_after) == (131000, 1)


@pytest.mark.parametrize(
    ("status", "attempt", "retry_after"), [(0, 0, 1), (502, 4, 16), (500, 9, 60)]
)
def test_timeouts_and_server_errors_back_off(status: int, attempt: int, retry_after: float) -> None:
    failed = failure(status, None if status == 0 else "<html>Bad gateway</html>", attempt)
    assert (failed.code, failed.retry_after) == (None, retry_after)


def test_a_timeout_says_there_was_no_answer() -> None:
    assert str(failure(0, None, 0)).startswith("WhatsApp did not answer")


def test_too_many_requests_without_a_code_backs_off() -> None:
    assert failure(429, {}, 2, rng()).retry_after == 4 + JITTER


def test_the_window_closed_message() -> None:
    failed = failure(400, GraphError(131047).as_json(), 0)
    assert str(failed) == (
        "WhatsApp refused the message: 24-hour customer service window closed (131047)"
    )
    assert (failed.permanent, failed.window_closed, failed.unreachable) == (True, True, False)


@pytest.mark.parametrize(
    ("code", "unreachable", "words"),
    [
        (131026, True, "cannot receive"),
        (131050, False, "stopped marketing"),
        (131049, False, "marketing limit"),
        (132000, False, "template"),
        (132001, False, "template"),
        (132015, False, "template"),
        (132099, False, "template"),
        (100, False, "invalid parameter"),
        (131009, False, "not valid"),
        (131048, False, "refused"),
        (131051, False, "refused"),
    ],
)
def test_permanent_codes_never_retry(code: int, unreachable: bool, words: str) -> None:
    failed = failure(400, graph_error(code), 1)
    assert (failed.code, failed.retry_after, failed.permanent) == (code, None, True)
    assert (failed.unreachable, failed.window_closed) == (unreachable, False)
    assert words in str(failed) and f"({code})" in str(failed)


def test_generic_refusals_explain_with_metas_details() -> None:
    failed = failure(400, graph_error(131009, "text['body'] must be 1 to 4096 characters"), 0)
    assert str(failed).endswith(": text['body'] must be 1 to 4096 characters")


def test_an_invalid_token_never_shows_the_token() -> None:
    token = "EAAGsecretTokenValue123"
    body = {"error": {"message": f"Malformed access token {token}", "type": "OAuthException",
                      "code": 190, "fbtrace_id": "A"}}  # fmt: skip
    failed = failure(401, body, 0)
    assert (failed.code, failed.permanent) == (190, True)
    assert "access token is invalid" in str(failed) and token not in str(failed)


@pytest.mark.parametrize(
    "body",
    [None, "text", [], {"error": "x"}, {"error": {"code": "131047"}}, {"error": {"code": True}}],
)
def test_any_error_body_is_classified(body: Any) -> None:
    failed = failure(400, body, 0)
    assert (failed.code, failed.permanent) == (None, True)


def test_the_jitter_comes_from_the_random_source() -> None:
    first = failure(400, graph_error(130429), 2, random.Random(1)).retry_after
    assert first == failure(400, graph_error(130429), 2, random.Random(1)).retry_after
    assert first is not None and 4 <= first <= 5
    unseeded = failure(400, graph_error(131056), 1).retry_after
    assert unseeded is not None and 4 <= unseeded <= 5


def test_failures_do_not_change_the_answer() -> None:
    body = graph_error(131047)
    kept = copy.deepcopy(body)
    failure(400, body, 0)
    assert body == kept


def test_numbered_choices_are_known_when_the_choices_become_numbered_text() -> None:
    many = [{"title": f"Pizza {n}", "payload": f"p{n}"} for n in range(1, 12)]
    assert numbered_choices({"text": "Which?", "buttons": many})["11"] == "p11"
    few = many[:3]
    assert numbered_choices({"text": "Which?", "buttons": few}) == {}
    assert numbered_choices({"text": "no buttons"}) == {}
