"""The fake Graph API and the WhatsApp webhook builders, held to the published formats.

Every builder rebuilds a published sample exactly, and the fake's own answers and webhooks are
compared structurally with the samples and the reference's examples: a fake that invents a
format fails here, not in a channel test.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.fakes import webhooks as wa
from tests.fakes.graph_api import ACCESS_TOKEN, FakeGraphApi
from tests.fakes.webhooks import SAMPLES, Json, LocalServer, load_sample, shape_differences

# --- the published formats -------------------------------------------------------------------

B = wa.Business("1234567890987654321", "972123456789", "1122334455667")
B_STATUS = replace(B, waba_id="5467539754836534")
C = wa.Customer(
    name="Test Name",
    wa_id="972987654321",
    user_id="US.13491208655302741918",
    parent_user_id="US.ENT.11815799212886844830",
)
REFERRAL = {
    "source_url": "AD_OR_POST_FB_URL",
    "source_id": "ADID",
    "source_type": "ad or post",
    "headline": "AD_TITLE",
    "body": "AD_DESCRIPTION",
    "media_type": "image or video",
    "image_url": "RAW_IMAGE_URL",
    "video_url": "RAW_VIDEO_URL",
    "thumbnail_url": "RAW_THUMBNAIL_URL",
    "ctwa_clid": "CTWA_CLID",
}
CONVERSATION = "7270432eae37498234f4444b35ffc5"
LIST_CONTEXT = {"from": "1122334455667", "id": "wamid.xyzxyz"}

# Reference §1.6, §1.5, §2.1, §2.3, verbatim.
DOC_PMP_STATUS = {
    "id": "wamid.HBgN…",
    "status": "sent",
    "timestamp": "1750857384",
    "recipient_id": "16315551234",
    "biz_opaque_callback_data": "order-123",
    "pricing": {"billable": True, "pricing_model": "PMP", "type": "regular", "category": "utility"},
}
DOC_MEDIA = {
    "messaging_product": "whatsapp",
    "url": "<URL>",
    "mime_type": "image/jpeg",
    "sha256": "<HASH>",
    "file_size": "303833",
    "id": "…",
}
DOC_SUCCESS = {
    "messaging_product": "whatsapp",
    "contacts": [{"input": "+16505551234", "wa_id": "16505551234"}],
    "messages": [{"id": "wamid.HBgL…", "message_status": "accepted"}],
}
DOC_131056 = {
    "error": {
        "message": "(#131056) (Business Account, Consumer Account) pair rate limit hit",
        "type": "OAuthException",
        "code": 131056,
        "error_data": {
            "messaging_product": "whatsapp",
            "details": "Message failed to send because there were too many messages sent from "
            "this phone number to the same phone number in a short period of time.",
        },
        "fbtrace_id": "A4O5a8RAgePwbcGSu",
    }
}
DOC_EXPIRED = {
    "error": {
        "message": "Error validating access token: Session has expired…",
        "type": "OAuthException",
        "code": 190,
        "error_subcode": 463,
        "fbtrace_id": "…",
    }
}


def at(wamid: str, timestamp: str, customer: wa.Customer = C, **extra: Any) -> Any:
    return {"customer": customer, "wamid": wamid, "timestamp": timestamp, **extra}


def statuses(*items: Json) -> Json:
    return wa.notification(wa.entry(B_STATUS, wa.change(B_STATUS, customers=[C], statuses=items)))


def sample_status(state: str, timestamp: str, **extra: Any) -> Json:
    return wa.status(
        "wamid.xyzxyz",
        state,
        recipient_id="972987654321",
        timestamp=timestamp,
        conversation_id=CONVERSATION,
        **extra,
    )


REBUILT: dict[str, Callable[[], Json]] = {
    "message-text": lambda: wa.inbound(
        wa.text("Body Text", **at("wamid.xyzxyz", "1697043223")), business=B, customer=C
    ),
    "message-text-reply": lambda: wa.inbound(
        wa.text(
            "replied text",
            **at("wamid.xyzxyz", "1697044746", context=wa.replying_to("wamid.xyzxyz==", B)),
        ),
        business=B,
        customer=C,
    ),
    "message-text-referral": lambda: wa.inbound(
        wa.text("BODY", referral=REFERRAL, **at("wamid.ID", "1697045000")), business=B, customer=C
    ),
    "message-image": lambda: wa.inbound(
        wa.image("65463453", sha256="4654+8g=", **at("wamid.xyzxyz", "1697043379")),
        business=B,
        customer=C,
    ),
    "message-image-with-url": lambda: wa.inbound(
        wa.image(
            "65463453",
            sha256="4654+8g=",
            url="https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=65463453"
            "&source=webhook&ext=487r9re&hash=heiwchueowbcew-dnedcw",
            **at("wamid.xyzxyz", "1697043379"),
        ),
        business=B,
        customer=C,
    ),
    "message-location-current": lambda: wa.inbound(
        wa.location(12.25089, 43.90539, **at("wamid.xyzxyz", "1697044557", context=wa.forwarded())),
        business=B,
        customer=C,
    ),
    "message-location-chosen": lambda: wa.inbound(
        wa.location(
            37.4611978,
            -122.2164385,
            name="Facebook HQ",
            address="1 Hacker Way, Menlo Park, CA 94025",
            url="https://maps.google.com/?cid=2000000000000000000",
            **at("wamid.xyzxyz", "1697044557", context=wa.forwarded()),
        ),
        business=B,
        customer=C,
    ),
    "message-order": lambda: wa.inbound(
        wa.order(
            "354160437058781",
            [
                wa.order_item("HAMBURGER", 3, 30, "ILS"),
                wa.order_item("FRENCH_FRIES", 2, 35, "ILS"),
                wa.order_item("SODA", 2, 10, "ILS"),
            ],
            **at("wamid.xyzxyz", "1697044668"),
        ),
        business=B,
        customer=C,
    ),
    "message-reaction": lambda: wa.inbound(
        wa.reaction("wamid.yzxyzx=", "\U0001f62e", **at("wamid.xyzxyz", "1697044456")),
        business=B,
        customer=C,
    ),
    "message-unsupported": lambda: wa.inbound(
        wa.unsupported(**at("wamid.xyzxyz", "1697044706")), business=B, customer=C
    ),
    "interactive-button-reply": lambda: wa.inbound(
        wa.button_reply(
            "callback_data", "title", **at("wamid.xyzxyz", "1698266730", context=LIST_CONTEXT)
        ),
        business=B_STATUS,
        customer=C,
    ),
    "interactive-list-reply": lambda: wa.inbound(
        wa.list_reply(
            "callback_data", "title", **at("wamid.zyzxyz", "1698266905", context=LIST_CONTEXT)
        ),
        business=B,
        customer=C,
    ),
    "interactive-list-reply-description": lambda: wa.inbound(
        wa.list_reply(
            "callback_data",
            "title",
            "description",
            **at("wamid.zyzxyz", "1698266905", context=LIST_CONTEXT),
        ),
        business=B,
        customer=C,
    ),
    "button-template-quick-reply": lambda: wa.inbound(
        wa.quick_reply(
            "callback_data",
            "title",
            **at("wamid.xsidjw", "1698269027", context=wa.replying_to("wamid.xyzxyz==", B)),
        ),
        business=B_STATUS,
        customer=C,
    ),
    "button-quick-reply-bsuid": lambda: wa.inbound(
        wa.quick_reply(
            "callback_data",
            "title",
            **at("wamid.xsidjx", "1698269027", customer=replace(C, from_user_id=True)),
        ),
        business=B_STATUS,
        customer=C,
    ),
    "status-sent": lambda: statuses(
        sample_status("sent", "1698266945", expiration_timestamp="1698339900")
    ),
    "status-sent-callback-data": lambda: statuses(
        sample_status(
            "sent",
            "1698266945",
            expiration_timestamp="1698339900",
            biz_opaque_callback_data="some data",
        )
    ),
    "status-delivered": lambda: statuses(sample_status("delivered", "1698266945")),
    "status-read": lambda: statuses(sample_status("read", "1689380458")),
    "status-failed": lambda: statuses(
        sample_status("failed", "1689380458", errors=[wa.error_object(130472)])
    ),
    "errors-value-level": lambda: wa.inbound(
        wa.message(
            "interactive",
            {},
            **at(
                "wamid.wegrchytvwcggt=",
                "1700505494",
                context=wa.replying_to("wamid.gvwegfretge==", B),
            ),
        ),
        business=B,
        customer=C,
        errors=[wa.error_object(131000, details="Unsupported webhook payload", href=False)],
    ),
    "user-preferences-resume": lambda: wa.user_preferences(
        wa.preference("resume", wa_id="16505551234", timestamp=1731705721), customer=C
    ),
}
# Published, not built: Flows, system messages, template and preference events are outside
# what the fakes emit today. Listed so that a new sample cannot go unnoticed.
NOT_REBUILT = {
    "interactive-nfm-reply-flow",
    "system-customer-identity-changed",
    "system-user-changed-number",
    "template-category-update",
    "template-status-approved",
    "template-status-rejected",
    "user-preferences-signup",
}
# The builders with their own defaults (fresh ids, now, the reference's example people).
DEFAULTS: dict[str, Callable[[], Json]] = {
    "message-text": lambda: wa.inbound(wa.text("Hello")),
    "message-text-reply": lambda: wa.inbound(
        wa.text("Yes", context=wa.replying_to(wa.new_wamid()))
    ),
    "message-image": lambda: wa.inbound(wa.image("2754859441498128", sha256="81d3bd8a")),
    "message-location-current": lambda: wa.inbound(
        wa.location(52.52, 13.405, context=wa.forwarded())
    ),
    "message-order": lambda: wa.inbound(
        wa.order("354160437058781", [wa.order_item("PIZZA", 1, 12, "EUR")])
    ),
    "message-reaction": lambda: wa.inbound(wa.reaction(wa.new_wamid(), "👍")),
    "message-unsupported": lambda: wa.inbound(wa.unsupported()),
    "interactive-button-reply": lambda: wa.inbound(
        wa.button_reply("yes", "Yes", context=wa.replying_to(wa.new_wamid()))
    ),
    "interactive-list-reply-description": lambda: wa.inbound(
        wa.list_reply(
            "priority_express",
            "Priority Mail Express",
            "Next Day to 2 Days",
            context=wa.replying_to(wa.new_wamid()),
        )
    ),
    "button-template-quick-reply": lambda: wa.inbound(
        wa.quick_reply("No-Button-Payload", "No", context=wa.replying_to(wa.new_wamid()))
    ),
    "user-preferences-resume": lambda: wa.user_preferences(wa.preference("stop")),
}
# §1.4: parent_user_id exists only for users of an enterprise; the default person has none.
NO_PARENT = {"$.entry[].changes[].value.contacts[].parent_user_id"}


def test_the_samples_and_their_notice_are_in_the_repository() -> None:
    names = {path.stem for path in SAMPLES.glob("*.json")}
    notice = (SAMPLES / "NOTICE.md").read_text(encoding="utf-8")
    assert "MIT License" in notice
    assert set(re.findall(r"^\| `([\w-]+)\.json`", notice, flags=re.MULTILINE)) == names
    assert names == REBUILT.keys() | NOT_REBUILT


@pytest.mark.parametrize("name", sorted(REBUILT))
def test_builders_rebuild_each_published_sample(name: str) -> None:
    built, sample = REBUILT[name](), load_sample(name)
    assert shape_differences(built, sample) == []
    assert built == sample


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_builders_with_their_defaults_keep_the_samples_shape(name: str) -> None:
    assert shape_differences(DEFAULTS[name](), load_sample(name), optional=NO_PARENT) == []


def test_a_username_user_comes_without_wa_id_and_with_from_user_id() -> None:
    user = wa.Customer(wa_id=None)
    built = wa.inbound(wa.text("hi", customer=user), customer=user)
    value = built["entry"][0]["changes"][0]["value"]
    assert "wa_id" not in value["contacts"][0]
    assert value["messages"][0]["from_user_id"] == user.user_id
    assert "from" not in value["messages"][0]
    with pytest.raises(ValueError, match="wa_id or a BSUID"):
        wa.Customer(wa_id=None, user_id=None)


def test_the_structural_comparison_sees_keys_nesting_and_types() -> None:
    sample = {"a": 1, "b": [{"c": "x", "d": True}], "e": 1.5}
    assert shape_differences({"a": 2, "b": [{"c": "y", "d": False}], "e": 2.5}, sample) == []
    assert shape_differences({"a": 1, "b": [{"c": "x", "d": True}]}, sample) == ["$.e: missing"]
    assert shape_differences({**sample, "f": 0}, sample) == ["$.f: not in the sample"]
    assert shape_differences({**sample, "a": "1"}, sample) == ["$.a: str where the sample has int"]
    assert shape_differences({**sample, "a": True}, sample) == [
        "$.a: bool where the sample has int"
    ]
    assert shape_differences({**sample, "e": 2}, sample) == ["$.e: int where the sample has float"]
    assert shape_differences({**sample, "b": [{"c": "x", "d": 1}]}, sample) == [
        "$.b[].d: int where the sample has bool"
    ]
    assert shape_differences({**sample, "b": []}, sample) == ["$.b: 0 items where the sample has 1"]
    assert shape_differences({"a": 1, "b": sample["b"]}, sample, optional={"$.e"}) == []


def test_batches_put_payloads_side_by_side_or_into_one_entry() -> None:
    first, second = wa.inbound(wa.text("one")), wa.inbound(wa.text("two"))
    assert len(wa.batch(first, second)["entry"]) == 2
    [merged] = wa.batch(first, second, into="changes")["entry"]
    assert len(merged["changes"]) == 2
    other = wa.inbound(wa.text("three"), business=B)
    with pytest.raises(ValueError, match="one business account"):
        wa.batch(first, other, into="changes")
    for each in (wa.batch(first, second), wa.inbound(wa.text("a"), wa.text("b"))):
        assert shape_differences(each, load_sample("message-text"), optional=NO_PARENT) == []


# --- the fake: fixtures and helpers ----------------------------------------------------------


class Receiver(LocalServer):
    """A webhook endpoint reduced to what it sees: headers and the exact body bytes."""

    def __init__(self, status: int = 200) -> None:
        super().__init__()
        self.status = status
        self.received: list[tuple[dict[str, str], bytes]] = []

    @property
    def hook(self) -> str:
        return f"{self.url}/webhook"

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/webhook", self._receive)]

    async def _receive(self, request: web.Request) -> web.Response:
        self.received.append((dict(request.headers), await request.read()))
        return web.Response(status=self.status)

    def payloads(self) -> list[Json]:
        return [json.loads(body) for _, body in self.received]


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraphApi]:
    async with FakeGraphApi() as fake:
        yield fake


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with Receiver() as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def send(
    http: aiohttp.ClientSession, graph: FakeGraphApi, payload: Any, token: str = ACCESS_TOKEN
) -> tuple[int, Json]:
    headers = {"Authorization": f"Bearer {token}"}
    async with http.post(graph.messages_url, json=payload, headers=headers) as response:
        return response.status, await response.json()


def verified(headers: dict[str, str], body: bytes, secret: str) -> bool:
    """What the channel must do (§1.2): HMAC over the bytes as received, constant-time compare."""
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    received = headers.get("X-Hub-Signature-256", "").removeprefix("sha256=")
    return hmac.compare_digest(expected, received)


TO = "+16505551234"


def envelope(kind: str, content: Json, **extra: Any) -> Json:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": TO,
        "type": kind,
        kind: content,
        **extra,
    }


def buttons(
    *titles: str, ids: tuple[str, ...] | None = None, body: str = "Confirm?", **parts: Json
) -> Json:
    replies = [
        {"type": "reply", "reply": {"id": button_id, "title": title}}
        for button_id, title in zip(
            ids or [f"b{i}" for i in range(len(titles))], titles, strict=True
        )
    ]
    content = {"type": "button", "body": {"text": body}, "action": {"buttons": replies}, **parts}
    return envelope("interactive", content)


def row(index: int, title: str = "Priority Mail Express", **extra: str) -> Json:
    return {"id": f"row{index}", "title": title, **extra}


def listing(
    *sections: Json, button: str = "Shipping Options", body: str = "Which?", **parts: Json
) -> Json:
    action = {"button": button, "sections": list(sections)}
    return envelope(
        "interactive", {"type": "list", "body": {"text": body}, "action": action, **parts}
    )


def cta(
    display_text: str = "See Dates", url: str = "https://example.com/dates", **extra: Any
) -> Json:
    action = {"name": "cta_url", "parameters": {"display_text": display_text, "url": url}}
    return envelope(
        "interactive", {"type": "cta_url", "body": {"text": "Tap"}, "action": action | extra}
    )


DOC_TEMPLATE = {
    "name": "gate_change",
    "language": {"code": "en_US"},
    "components": [
        {
            "type": "header",
            "parameters": [{"type": "image", "image": {"link": "https://x.io/i.jpg"}}],
        },
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "BA117"},
                {
                    "type": "currency",
                    "currency": {"fallback_value": "$100.99", "code": "USD", "amount_1000": 100990},
                },
                {"type": "date_time", "date_time": {"fallback_value": "February 25, 1977"}},
            ],
        },
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": "0",
            "parameters": [{"type": "payload", "payload": "ACK_BA117"}],
        },
        {
            "type": "button",
            "sub_type": "url",
            "index": "1",
            "parameters": [{"type": "text", "text": "A12345"}],
        },
    ],
}


def template(**changes: Any) -> Json:
    return {
        "messaging_product": "whatsapp",
        "to": TO,
        "type": "template",
        "template": DOC_TEMPLATE | changes,
    }


# --- the fake: sends ------------------------------------------------------------------------

VALID: dict[str, Json] = {
    "text with a quoted reply": envelope(
        "text",
        {"preview_url": False, "body": "Hello"},
        context={"message_id": "wamid.prev"},
        biz_opaque_callback_data="order-123",
    ),
    "reply buttons": buttons(
        "Yes",
        "No",
        "Later",
        header={"type": "text", "text": "Order #1023"},
        footer={"text": "Lucky Shrub"},
    ),
    "buttons with an image header": buttons(
        "Yes", header={"type": "image", "image": {"id": "2754859441498128"}}
    ),
    "a list of ten rows": listing(
        {"title": "Fast", "rows": [row(i, description="Next Day to 2 Days") for i in range(5)]},
        {"title": "Slow", "rows": [row(i) for i in range(5, 10)]},
        header={"type": "text", "text": "Shipping"},
        footer={"text": "…"},
    ),
    "a list body of 4096 characters": listing({"rows": [row(1)]}, body="x" * 4096),
    "a call-to-action button": cta(),
    "an image by link": envelope("image", {"link": "https://x.io/p.jpg", "caption": "Salami"}),
    "an image by id": envelope("image", {"id": "2754859441498128"}),
    "a template": template(),
    "a template with a document header and its filename": template(
        components=[
            {
                "type": "header",
                "parameters": [
                    {
                        "type": "document",
                        "document": {"link": "https://x.io/t.pdf", "filename": "Ticket 42.pdf"},
                    }
                ],
            }
        ]
    ),
    "buttons with a document header and its filename": buttons(
        "Yes",
        header={"type": "document", "document": {"id": "27548594", "filename": "menu.pdf"}},
    ),
    "a reaction": envelope("reaction", {"message_id": "wamid.abc", "emoji": "\U0001f600"}),
    "a reaction removed": envelope("reaction", {"message_id": "wamid.abc", "emoji": ""}),
    "limits met exactly": buttons(
        "t" * 20, ids=("i" * 256,), body="b" * 1024, footer={"text": "f" * 60}
    ),
}


@pytest.mark.parametrize("name", sorted(VALID))
async def test_documented_sends_are_accepted_with_the_real_answer(
    http: aiohttp.ClientSession, graph: FakeGraphApi, name: str
) -> None:
    payload = VALID[name]
    status, answer = await send(http, graph, payload)
    assert status == 200, answer
    optional = set() if payload["type"] == "template" else {"$.messages[].message_status"}
    assert shape_differences(answer, DOC_SUCCESS, optional=optional) == []
    [sent] = graph.sent
    assert answer["contacts"] == [{"input": TO, "wa_id": "16505551234"}]
    assert answer["messages"][0]["id"] == sent.wamid and sent.wamid.startswith("wamid.")
    assert (sent.type, sent.payload) == (payload["type"], payload)
    assert graph.requests[-1].body == payload and graph.requests[-1].status == 200


@pytest.mark.parametrize("bsuid", ["US.13491208655302741918", "US.ENT.11815799212886844830"])
async def test_a_send_to_a_bsuid_is_answered_with_its_user_id(
    http: aiohttp.ClientSession, graph: FakeGraphApi, bsuid: str
) -> None:
    """Meta's BSUID guide: `recipient` instead of `to` (a parent BSUID too); `contacts[]` has
    `user_id`, not `wa_id`; statuses carry `recipient_user_id`."""
    payload = {k: v for k, v in VALID["an image by id"].items() if k != "to"}
    status, answer = await send(http, graph, payload | {"recipient": bsuid})
    assert status == 200, answer
    assert answer["contacts"] == [{"input": bsuid, "user_id": bsuid}]
    [sent] = graph.sent
    reported = graph.status_for(sent, "delivered")
    assert reported["recipient_user_id"] == bsuid and "recipient_id" not in reported


async def test_with_to_and_recipient_the_phone_number_wins(
    http: aiohttp.ClientSession, graph: FakeGraphApi
) -> None:
    payload = VALID["an image by id"] | {"recipient": "US.13491208655302741918"}
    status, answer = await send(http, graph, payload)
    assert status == 200 and answer["contacts"] == [{"input": TO, "wa_id": "16505551234"}]


def too_many_rows() -> Json:
    return listing(
        {"title": "A", "rows": [row(i) for i in range(6)]},
        {"title": "B", "rows": [row(i) for i in range(6, 11)]},
    )


INVALID: dict[str, tuple[Any, int]] = {
    "no JSON object": ([1, 2], 100),
    "no messaging_product": (
        {k: v for k, v in VALID["an image by id"].items() if k != "messaging_product"},
        100,
    ),
    "another messaging_product": (VALID["an image by id"] | {"messaging_product": "sms"}, 100),
    "an unknown parameter": (VALID["an image by id"] | {"priority": "high"}, 100),
    "no phone number": (VALID["an image by id"] | {"to": "kerry"}, 100),
    "no recipient at all": (
        {k: v for k, v in VALID["an image by id"].items() if k != "to"},
        100,
    ),
    "a recipient that is no BSUID": (
        {k: v for k, v in VALID["an image by id"].items() if k != "to"} | {"recipient": "kerry"},
        100,
    ),
    "a group recipient": (VALID["an image by id"] | {"recipient_type": "group"}, 100),
    "an undocumented type": (envelope("audio", {"id": "1"}), 100),
    "the type's object missing": (
        {k: v for k, v in envelope("text", {}).items() if k != "text"},
        100,
    ),
    "an empty text": (envelope("text", {"body": ""}), 131009),
    "a text of 4097 characters": (envelope("text", {"body": "x" * 4097}), 131009),
    "a text with an unknown field": (envelope("text", {"body": "x", "bold": True}), 100),
    "preview_url not a boolean": (envelope("text", {"body": "x", "preview_url": "no"}), 100),
    "four buttons": (buttons("a", "b", "c", "d"), 131009),
    "a filename on an image header": (
        buttons("Yes", header={"type": "image", "image": {"id": "1", "filename": "a.jpg"}}),
        100,
    ),
    "no buttons": (buttons(), 131009),
    "a button title of 21 characters": (buttons("x" * 21), 131009),
    "a button id of 257 characters": (buttons("a", ids=("i" * 257,)), 131009),
    "two buttons with one id": (buttons("a", "b", ids=("same", "same")), 131009),
    "two buttons with one title": (buttons("Yes", "Yes"), 131009),
    "a button that is no reply": (
        json.loads(json.dumps(buttons("a")).replace('"reply", "reply"', '"url", "reply"')),
        100,
    ),
    "a button body of 1025 characters": (buttons("a", body="b" * 1025), 131009),
    "a footer of 61 characters": (buttons("a", footer={"text": "f" * 61}), 131009),
    "a header text of 61 characters": (
        buttons("a", header={"type": "text", "text": "h" * 61}),
        131009,
    ),
    "a header image with id and link": (
        buttons("a", header={"type": "image", "image": {"id": "1", "link": "https://x.io/i.jpg"}}),
        100,
    ),
    "no body": (envelope("interactive", {"type": "button", "action": {"buttons": []}}), 100),
    "eleven rows in two sections": (too_many_rows(), 131009),
    "a section without rows": (listing({"rows": []}), 131009),
    "eleven sections": (
        listing(*[{"title": f"s{i}", "rows": [row(i)]} for i in range(11)]),
        131009,
    ),
    "a row title of 25 characters": (listing({"rows": [row(1, "t" * 25)]}), 131009),
    "a row description of 73 characters": (
        listing({"rows": [row(1, description="d" * 73)]}),
        131009,
    ),
    "a row id of 201 characters": (listing({"rows": [{"id": "i" * 201, "title": "t"}]}), 131009),
    "two rows with one id": (listing({"rows": [row(1), row(1)]}), 131009),
    "a section title of 25 characters": (listing({"title": "s" * 25, "rows": [row(1)]}), 131009),
    "untitled sections among several": (listing({"rows": [row(1)]}, {"rows": [row(2)]}), 100),
    "a list button of 21 characters": (listing({"rows": [row(1)]}, button="b" * 21), 131009),
    "a list body of 4097 characters": (listing({"rows": [row(1)]}, body="x" * 4097), 131009),
    "a list with an image header": (
        listing({"rows": [row(1)]}, header={"type": "image", "image": {"id": "1"}}),
        100,
    ),
    "an undocumented interactive type": (envelope("interactive", {"type": "carousel"}), 100),
    "a call to action of 21 characters": (cta("d" * 21), 131009),
    "a call to action to no web page": (cta(url="ftp://example.com/x"), 131009),
    "a call to action by another name": (cta(name="url"), 100),
    "an image with id and link": (
        envelope("image", {"id": "1", "link": "https://x.io/p.jpg"}),
        100,
    ),
    "an image with neither": (envelope("image", {"caption": "c"}), 100),
    "a caption of 1025 characters": (envelope("image", {"id": "1", "caption": "c" * 1025}), 131009),
    "a template without language": (
        {k: v for k, v in template().items() if k != "template"}
        | {"template": {"name": "gate_change"}},
        100,
    ),
    "a template parameter of no known type": (
        template(components=[{"type": "body", "parameters": [{"type": "emoji", "emoji": "x"}]}]),
        100,
    ),
    "a template button without index": (
        template(components=[{"type": "button", "sub_type": "quick_reply", "parameters": []}]),
        100,
    ),
    "a template currency without amount": (
        template(
            components=[
                {"type": "body", "parameters": [{"type": "currency", "currency": {"code": "USD"}}]}
            ]
        ),
        100,
    ),
    "a reaction without emoji": (envelope("reaction", {"message_id": "wamid.abc"}), 100),
    "a context without message_id": (VALID["an image by id"] | {"context": {"id": "x"}}, 100),
    "a read receipt of another status": (
        {"messaging_product": "whatsapp", "status": "delivered", "message_id": "wamid.abc"},
        100,
    ),
    "a typing indicator of audio": (
        {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": "wamid.abc",
            "typing_indicator": {"type": "audio"},
        },
        100,
    ),
}


@pytest.mark.parametrize("name", sorted(INVALID))
async def test_each_invalid_shape_gets_the_documented_error(
    http: aiohttp.ClientSession, graph: FakeGraphApi, name: str
) -> None:
    payload, code = INVALID[name]
    status, answer = await send(http, graph, payload)
    assert status == 400
    assert shape_differences(answer, DOC_131056) == []
    assert answer["error"]["code"] == code
    assert answer["error"]["message"] == f"(#{code}) {wa.ERRORS[code].title}"
    assert graph.sent == [] and graph.requests[-1].status == 400


async def test_a_body_that_is_no_json_is_an_invalid_parameter(
    http: aiohttp.ClientSession, graph: FakeGraphApi
) -> None:
    headers = {"Authorization": f"Bearer {graph.token}", "Content-Type": "application/json"}
    async with http.post(graph.messages_url, data=b"{not json", headers=headers) as response:
        assert response.status == 400
        assert (await response.json())["error"]["code"] == 100


async def test_read_receipts_and_typing_answer_success_and_are_no_messages(
    http: aiohttp.ClientSession, graph: FakeGraphApi
) -> None:
    receipt = {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.abc",
        "typing_indicator": {"type": "text"},
    }
    assert await send(http, graph, receipt) == (200, {"success": True})
    assert graph.read_receipts == [receipt] and graph.sent == []


async def test_unknown_templates_fail_when_the_fake_knows_the_templates(
    http: aiohttp.ClientSession,
) -> None:
    async with FakeGraphApi(templates={"order_update"}) as graph:
        status, answer = await send(http, graph, template())
        assert (status, answer["error"]["code"]) == (400, 132001)
        assert (await send(http, graph, template(name="order_update")))[0] == 200


# --- the fake: auth and routing -------------------------------------------------------------


async def test_a_missing_or_wrong_token_is_190(
    http: aiohttp.ClientSession, graph: FakeGraphApi
) -> None:
    for token in ("", "EAAGwrong"):
        status, answer = await send(http, graph, VALID["an image by id"], token=token)
        assert (status, answer["error"]["code"]) == (401, 190)
        assert set(answer["error"]) == {"message", "type", "code", "fbtrace_id"}
    async with http.post(graph.messages_url, json=VALID["an image by id"]) as response:
        assert response.status == 401
    assert graph.sent == []


async def test_an_expired_token_is_190_with_subcode_463(
    http: aiohttp.ClientSession, graph: FakeGraphApi
) -> None:
    graph.token_expired = True
    status, answer = await send(http, graph, VALID["an image by id"])
    assert status == 401
    assert shape_differences(answer, DOC_EXPIRED) == []
    assert answer["error"]["message"].startswith(
        "Error validating access token: Session has expired"
    )


async def test_the_token_may_come_as_access_token_parameter(
    http: aiohttp.ClientSession, graph: FakeGraphApi
) -> None:
    url = f"{graph.messages_url}?access_token={graph.token}"
    async with http.post(url, json=VALID["an image by id"]) as response:
        assert response.status == 200


async def test_a_wrong_phone_number_id_or_path_is_an_unsupported_request(
    http: aiohttp.ClientSession, graph: FakeGraphApi
) -> None:
    headers = {"Authorization": f"Bearer {graph.token}"}
    for url in (f"{graph.url}/v25.0/999/messages", f"{graph.url}/v19.0/106540352242922/messages"):
        async with http.post(url, json=VALID["an image by id"], headers=headers) as response:
            error = (await response.json())["error"]
            assert response.status == 400
            assert (error["code"], error["error_subcode"], error["type"]) == (
                100,
                33,
                "GraphMethodException",
            )
            assert error["message"].startswith("Unsupported post request. Object with ID")


# --- the fake: media ------------------------------------------------------------------------


async def test_media_download_takes_two_steps_with_the_bearer_token(
    http: aiohttp.ClientSession, graph: FakeGraphApi
) -> None:
    media = graph.add_media(b"\xff\xd8\xff\xe0 a tiny jpeg", "image/jpeg")
    headers = {"Authorization": f"Bearer {graph.token}"}
    info_url = f"{graph.url}/v25.0/{media.id}?phone_number_id={graph.business.phone_number_id}"
    async with http.get(info_url, headers=headers) as response:
        info = await response.json()
    assert shape_differences(info, DOC_MEDIA) == []
    assert (info["id"], info["mime_type"], info["file_size"]) == (
        media.id,
        "image/jpeg",
        str(len(media.content)),
    )
    async with http.get(info["url"]) as response:
        assert response.status == 401
    async with http.get(info["url"], headers=headers) as response:
        content = await response.read()
    assert hashlib.sha256(content).hexdigest() == info["sha256"]
    inbound = wa.image(media.id, sha256=media.sha256, mime_type=media.mime_type)
    assert (
        shape_differences(wa.inbound(inbound), load_sample("message-image"), optional=NO_PARENT)
        == []
    )


async def test_unknown_or_foreign_media_is_refused(
    http: aiohttp.ClientSession, graph: FakeGraphApi
) -> None:
    media = graph.add_media(b"x")
    headers = {"Authorization": f"Bearer {graph.token}"}
    async with http.get(f"{graph.url}/v25.0/404404", headers=headers) as response:
        assert (response.status, (await response.json())["error"]["error_subcode"]) == (400, 33)
    url = f"{graph.url}/v25.0/{media.id}?phone_number_id=999"
    async with http.get(url, headers=headers) as response:
        assert (response.status, (await response.json())["error"]["code"]) == (400, 100)
    async with http.get(f"{graph.url}/v25.0/{media.id}") as response:
        assert response.status == 401


# --- the fake: injected failures ------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status"), [(130429, 400), (131056, 400), (131047, 400), (131026, 400), (131000, 500)]
)
async def test_injected_failures_answer_like_the_cloud_api(
    http: aiohttp.ClientSession, graph: FakeGraphApi, code: int, status: int
) -> None:
    graph.fail_next(code, times=2)
    for _ in range(2):
        answer = await send(http, graph, VALID["reply buttons"])
        assert answer[0] == status
        assert shape_differences(answer[1], DOC_131056) == []
        assert answer[1]["error"]["code"] == code
        assert answer[1]["error"]["error_data"]["details"] == wa.ERRORS[code].details
    assert graph.sent == []
    assert (await send(http, graph, VALID["reply buttons"]))[0] == 200


async def test_the_pair_rate_limit_is_the_documented_error(
    http: aiohttp.ClientSession, graph: FakeGraphApi
) -> None:
    graph.fail_next(131056)
    status, answer = await send(http, graph, VALID["a reaction"])
    assert status == 400
    answer["error"]["fbtrace_id"] = DOC_131056["error"]["fbtrace_id"]
    assert answer == DOC_131056


async def test_failures_hit_only_valid_sends(
    http: aiohttp.ClientSession, graph: FakeGraphApi
) -> None:
    graph.fail_next(130429)
    assert (await send(http, graph, INVALID["four buttons"][0]))[1]["error"]["code"] == 131009
    assert (await send(http, graph, INVALID["a read receipt of another status"][0]))[0] == 400
    receipt = {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.abc"}
    assert (await send(http, graph, receipt))[0] == 200
    assert (await send(http, graph, VALID["a template"]))[1]["error"]["code"] == 130429
    with pytest.raises(ValueError, match="no error JSON"):
        graph.fail_next(999)


async def test_a_hanging_send_times_out_and_may_still_be_delivered(
    http: aiohttp.ClientSession, graph: FakeGraphApi
) -> None:
    graph.hang_next()
    graph.hang_next(accept=True)
    headers = {"Authorization": f"Bearer {graph.token}"}
    for _ in range(2):
        with pytest.raises(TimeoutError):
            await http.post(
                graph.messages_url,
                json=VALID["a template"],
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=0.2),
            )
    assert [call.status for call in graph.requests] == [None, None]
    assert len(graph.sent) == 1
    assert (await send(http, graph, VALID["a template"]))[0] == 200


async def test_a_held_template_send_is_answered_with_its_message_status_and_no_status(
    http: aiohttp.ClientSession,
) -> None:
    """Reference §2.1: a template's answer says its pacing status; a message Meta holds gets
    its `sent` (or `failed`) status only later, when the test queues it."""
    async with FakeGraphApi(auto_statuses=("sent",)) as graph:
        graph.hold_next()
        graph.hold_next("paused")
        answers = [(await send(http, graph, VALID["a template"]))[1] for _ in range(3)]
        said = [answer["messages"][0]["message_status"] for answer in answers]
        assert said == ["held_for_quality_assessment", "paused", "accepted"]
        for answer in answers:
            assert shape_differences(answer, DOC_SUCCESS) == []
        assert [s.message_status for s in graph.sent] == said
        assert [s["id"] for s in graph.status_queue] == [graph.sent[2].wamid]
        assert graph.queue_status(graph.sent[0], "delivered")["status"] == "delivered"
        with pytest.raises(ValueError, match="one of"):
            graph.hold_next("delayed")


# --- the fake: webhooks ---------------------------------------------------------------------


async def test_webhooks_are_signed_over_their_exact_ascii_escaped_bytes(
    graph: FakeGraphApi, receiver: Receiver
) -> None:
    message = wa.text("Grüße, zwei Salami 🍕")
    delivery = await graph.post_messages(receiver.hook, message)
    assert delivery.ok and delivery.payload == wa.inbound(message)
    [(headers, body)] = receiver.received
    assert body == delivery.body == wa.encode(wa.inbound(message))
    assert body.isascii() and b"\\u00fc" in body
    assert headers["X-Hub-Signature-256"] == wa.signature(body, graph.app_secret)
    assert verified(headers, body, graph.app_secret)
    assert not verified(headers, body + b" ", graph.app_secret)
    assert not verified(headers, body, "another-secret")
    await graph.post_webhook(receiver.hook, wa.inbound(message), signed_with="another-secret")
    assert not verified(*receiver.received[-1], graph.app_secret)


async def test_batches_and_duplicates_arrive_as_sent(
    graph: FakeGraphApi, receiver: Receiver
) -> None:
    many = wa.inbound(wa.text("one"), wa.list_reply("row1", "Priority Mail Express"))
    other = wa.inbound(wa.location(52.5, 13.4), customer=wa.Customer("Ada", "4915112345678"))
    first = await graph.post_webhook(receiver.hook, wa.batch(many, other))
    again = await graph.redeliver(first)
    await graph.post_webhook(receiver.hook, wa.batch(many, other, into="changes"))
    assert receiver.received[0] == receiver.received[1]
    assert again.body == first.body and again.headers == first.headers
    side_by_side, merged = receiver.payloads()[1:]
    assert [len(e["changes"]) for e in side_by_side["entry"]] == [1, 1]
    assert [len(e["changes"]) for e in merged["entry"]] == [2]
    assert len(side_by_side["entry"][0]["changes"][0]["value"]["messages"]) == 2


async def test_an_unreachable_webhook_is_a_delivery_without_status(graph: FakeGraphApi) -> None:
    async with Receiver() as gone:
        hook = gone.hook
    delivery = await graph.post_messages(hook, wa.text("hi"))
    assert (delivery.ok, delivery.status) == (False, None) and delivery.error


async def test_statuses_of_accepted_messages_match_the_samples(
    http: aiohttp.ClientSession, graph: FakeGraphApi, receiver: Receiver
) -> None:
    await graph.post_messages(receiver.hook, wa.text("hi"), customer=C)
    to = "+" + str(C.wa_id)
    await send(http, graph, envelope("text", {"body": "one"}) | {"to": to})
    await send(
        http, graph, envelope("text", {"body": "two"}, biz_opaque_callback_data="x") | {"to": to}
    )
    plain, tracked = graph.sent
    cases = [
        (graph.status_for(plain, "sent"), "status-sent"),
        (graph.status_for(tracked, "sent"), "status-sent-callback-data"),
        (graph.status_for(plain, "delivered"), "status-delivered"),
        (graph.status_for(plain.wamid, "read"), "status-read"),
        (graph.status_for(plain, "failed", error_code=131047), "status-failed"),
    ]
    for status_object, name in cases:
        payload = graph.status_payload(status_object)
        assert shape_differences(payload, load_sample(name)) == [], name
    assert {s["conversation"]["id"] for s, _ in cases[:4]} == {plain.conversation_id}
    assert cases[1][0]["biz_opaque_callback_data"] == "x"
    with pytest.raises(ValueError, match="failed status"):
        graph.status_for(plain, "failed")


async def test_pmp_statuses_have_the_current_shape(
    http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    built = wa.status(
        "wamid.x", "sent", recipient_id="1", pricing=wa.PMP, biz_opaque_callback_data="order-123"
    )
    assert shape_differences(built, DOC_PMP_STATUS) == []
    assert built["pricing"] == DOC_PMP_STATUS["pricing"]
    async with FakeGraphApi(pricing_model="PMP") as graph:
        await send(http, graph, template() | {"biz_opaque_callback_data": "order-123"})
        await send(http, graph, VALID["an image by id"])
        billed, free = (graph.status_for(sent, "sent") for sent in graph.sent)
        assert shape_differences(billed, DOC_PMP_STATUS) == []
        assert billed["pricing"] == DOC_PMP_STATUS["pricing"]
        assert free["pricing"] == {
            "billable": False,
            "pricing_model": "PMP",
            "type": "free_customer_service",
            "category": "service",
        }
        await graph.post_webhook(receiver.hook, graph.status_payload(billed, free))
        assert "contacts" not in receiver.payloads()[0]["entry"][0]["changes"][0]["value"]


async def test_queued_statuses_go_out_in_order_reordered_batched_or_twice(
    http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    async with FakeGraphApi(auto_statuses=("sent", "delivered", "read")) as graph:
        for body in ("one", "two"):
            await send(http, graph, envelope("text", {"body": body}))
        assert [s["status"] for s in graph.status_queue] == ["sent", "delivered", "read"] * 2
        queued = copy.deepcopy(graph.status_queue)
        [one] = await graph.flush_statuses(receiver.hook, batch=True)
        assert one.payload["entry"][0]["changes"][0]["value"]["statuses"] == queued
        graph.status_queue.extend(queued)
        deliveries = await graph.flush_statuses(receiver.hook, reverse=True, duplicate=True)
    assert len(deliveries) == 12 and graph.status_queue == []
    arrived = [p["entry"][0]["changes"][0]["value"]["statuses"][0] for p in receiver.payloads()[1:]]
    assert arrived[::2] == queued[::-1]
    assert [d.body for d in deliveries[::2]] == [d.body for d in deliveries[1::2]]


async def test_a_reaction_gets_only_a_sent_status(
    http: aiohttp.ClientSession, graph: FakeGraphApi
) -> None:
    await send(http, graph, VALID["a reaction"])
    [sent] = graph.sent
    assert graph.queue_status(sent, "sent")["status"] == "sent"
    with pytest.raises(ValueError, match="only a `sent` status"):
        graph.status_for(sent, "delivered")
    with pytest.raises(KeyError):
        graph.status_for("wamid.unknown", "sent")
