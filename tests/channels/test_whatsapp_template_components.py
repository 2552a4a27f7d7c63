"""An approved template's header, body and buttons in the Cloud API's exact format (reference
§2.1 "Template with parameters", Meta's gate_change sample): only the components the template
has, buttons with their index in the template as a string, text parameters on one line and
shortened; and the channel sending them, checked by the fake Graph API as Meta checks a send."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from framework.channels.whatsapp import WhatsAppChannel
from framework.channels.whatsapp_out import approved_template
from framework.stores.records import LogEntry
from tests.fakes.graph_api import (
    FakeGraphApi,
    check_template,
    settings_for,
)

TO = {"to": "+16505551234"}
IMAGE_PARAMETER = {"type": "image", "image": {"link": "https://x.example/img.jpg"}}
SAMPLE = {  # reference §2.1, its body's currency and date_time left out (a broadcast has texts)
    "messaging_product": "whatsapp",
    "recipient_type": "individual",
    "to": "+16505551234",
    "type": "template",
    "template": {
        "name": "gate_change",
        "language": {"code": "en_US"},
        "components": [
            {"type": "header", "parameters": [IMAGE_PARAMETER]},
            {"type": "body", "parameters": [{"type": "text", "text": "BA117"}]},
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
    },
}
IMAGE = {"type": "image", "link": "https://x.example/img.jpg"}
BUTTONS = [{"type": "quick_reply", "payload": "ACK_BA117"}, {"type": "url", "text": "A12345"}]


def components(**parts: Any) -> list[dict[str, Any]]:
    sent = approved_template(TO, "gate_change", "en_US", parts.pop("body", []), **parts)
    check_template(sent["template"])
    found: list[dict[str, Any]] = sent["template"].get("components", [])
    return found


def test_header_body_and_buttons_are_meta_s_sample_to_the_letter() -> None:
    sent = approved_template(TO, "gate_change", "en_US", ["BA117"], header=IMAGE, buttons=BUTTONS)
    assert sent == SAMPLE
    check_template(sent["template"])


def test_only_the_components_the_template_has() -> None:
    assert components(header=IMAGE) == [{"type": "header", "parameters": [IMAGE_PARAMETER]}]
    assert components(buttons=BUTTONS[:1]) == [
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": "0",
            "parameters": [{"type": "payload", "payload": "ACK_BA117"}],
        }
    ]
    assert components() == []
    callers_of_before = approved_template(TO, "gate_change", "de", ["x"], callback="k|1")
    assert callers_of_before["template"]["components"] == [
        {"type": "body", "parameters": [{"type": "text", "text": "x"}]}
    ]


@pytest.mark.parametrize("kind", ["image", "video"])
def test_a_media_header_goes_by_its_link(kind: str) -> None:
    header = {"type": kind, "link": "https://cdn.example/a.bin"}
    assert components(header=header) == [
        {"type": "header", "parameters": [{"type": kind, kind: {"link": header["link"]}}]}
    ]


def test_a_document_header_carries_its_filename() -> None:
    header = {"type": "document", "link": "https://x.example/t.pdf", "filename": "Ticket 42.pdf"}
    sent = approved_template(TO, "ticket", "de", [], header=header)
    assert sent["template"]["components"] == [
        {
            "type": "header",
            "parameters": [
                {
                    "type": "document",
                    "document": {"link": "https://x.example/t.pdf", "filename": "Ticket 42.pdf"},
                }
            ],
        }
    ]


def test_text_parameters_are_one_line_and_shortened() -> None:
    found = components(
        body=["a\n\tb" + "c" * 2000],
        header={"type": "text", "text": "Frühling\n  im " + "Laden " * 20},
        buttons=[{"type": "url", "text": "  A1\n"}],
    )
    header, body, button = (component["parameters"][0]["text"] for component in found)
    assert header == ("Frühling im " + "Laden " * 20)[:59].rstrip() + "…"
    assert len(header) <= 60 and len(body) == 1024 and body.startswith("a bccc")
    assert button == "A1"
    empty = components(header={"type": "text", "text": " \n "})
    assert empty[0]["parameters"] == [{"type": "text", "text": "…"}]


def test_parts_of_another_shape_are_left_out_and_keep_the_others_indexes() -> None:
    found = components(
        header={"type": "audio", "link": "https://x.example/a.ogg"},
        buttons=["x", {"type": "flow"}, {"type": "url", "text": "A1"}],
    )
    assert found == [
        {
            "type": "button",
            "sub_type": "url",
            "index": "2",
            "parameters": [{"type": "text", "text": "A1"}],
        }
    ]
    assert components(header={"type": "image"}) == []  # no link: nothing Meta would refuse


NOW = 1_800_000_000.0


@pytest.fixture
async def sending() -> AsyncIterator[tuple[FakeGraphApi, WhatsAppChannel]]:
    async with FakeGraphApi(templates={"spring_offer"}) as graph:
        settings = settings_for(graph)
        channel = WhatsAppChannel(settings, lambda: NOW)
        try:
            yield graph, channel
        finally:
            await channel.close()


@pytest.mark.parametrize("outside", [False, True])
async def test_the_channel_sends_the_header_and_buttons_the_notice_carries(
    sending: tuple[FakeGraphApi, WhatsAppChannel], outside: bool
) -> None:
    graph, channel = sending
    entry: LogEntry = {
        "from": "bot",
        "text": "Angebot",
        "whatsapp_template": {
            "name": "spring_offer",
            "language": "de",
            "parameters": ["20 %"],
            "header": {"type": "text", "text": "Frühling\n20 %"},
            "buttons": [{"type": "quick_reply", "payload": "OFFER_YES"}],
        },
    }
    send = channel.send_outside_window if outside else channel.send
    await send("shop", {"to": "4915100000001"}, entry, callback="k|1")
    assert [sent.type for sent in graph.sent] == ["template"]
    assert graph.sent[0].payload["template"]["components"] == [
        {"type": "header", "parameters": [{"type": "text", "text": "Frühling 20 %"}]},
        {"type": "body", "parameters": [{"type": "text", "text": "20 %"}]},
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": "0",
            "parameters": [{"type": "payload", "payload": "OFFER_YES"}],
        },
    ]
