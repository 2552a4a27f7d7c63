"""A broadcast's approved WhatsApp template as the channel sends it, checked by the fake Graph
API exactly as the Cloud API checks a send (`type: template`, `template: {name, language:
{code}, components: [{type: body, parameters: [{type: text, text}]}]}`): inside the 24-hour
window and outside it alike, each parameter one line; Meta's 132015 (paused) and 132016
(disabled) on a send kept as the template's state. And Meta's template webhooks read into
news, a malformed one into a problem, never raising."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from framework.channels.messages import WebhookProblem
from framework.channels.whatsapp import NumberSettings, WhatsAppChannel
from framework.channels.whatsapp_in import parse_webhook
from framework.runtime.sending import SendFailure
from framework.stores.memory.template_states import MemoryTemplateStates
from framework.stores.records import LogEntry
from framework.stores.template_states import TemplateNews
from tests.fakes.graph_api import FakeGraphApi, settings_for
from tests.fakes.webhooks import load_sample

NOW = 1_800_000_000.0
TEMPLATED: LogEntry = {
    "from": "bot",
    "text": "Angebot: 20 % auf alles!",
    "broadcast": "b1",
    "whatsapp_template": {
        "name": "spring_offer",
        "language": "en_US",
        "parameters": ["20 %\n\toff", "Lina   and    Ben"],
    },
}
BODY = [{"type": "text", "text": "20 % off"}, {"type": "text", "text": "Lina and Ben"}]


@pytest.fixture
async def sending() -> AsyncIterator[tuple[FakeGraphApi, WhatsAppChannel, MemoryTemplateStates]]:
    states = MemoryTemplateStates()
    async with FakeGraphApi(templates={"spring_offer", "theke_update"}) as graph:
        number = NumberSettings("shop", ("theke_update", "de"))
        settings = replace(settings_for(graph, number), templates=states)
        channel = WhatsAppChannel(settings, lambda: NOW)
        try:
            yield graph, channel, states
        finally:
            await channel.close()


def sent_template(graph: FakeGraphApi) -> dict[str, Any]:
    assert [sent.type for sent in graph.sent] == ["template"]
    payload: dict[str, Any] = graph.sent[0].payload
    return payload


@pytest.mark.parametrize("outside", [False, True])
async def test_the_template_goes_with_its_code_and_one_line_parameters(
    sending: tuple[FakeGraphApi, WhatsAppChannel, MemoryTemplateStates], outside: bool
) -> None:
    graph, channel, _ = sending
    send = channel.send_outside_window if outside else channel.send
    sent = await send(
        "shop", {"to": "4915100000001"}, TEMPLATED, callback="shop:whatsapp:4915100000001|3"
    )
    payload = sent_template(graph)
    assert sent.message_id == graph.sent[0].wamid
    assert payload["template"] == {
        "name": "spring_offer",
        "language": {"code": "en_US"},
        "components": [{"type": "body", "parameters": BODY}],
    }
    assert payload["to"] == "4915100000001"
    assert payload["biz_opaque_callback_data"] == "shop:whatsapp:4915100000001|3"


async def test_a_template_without_parameters_has_no_components(
    sending: tuple[FakeGraphApi, WhatsAppChannel, MemoryTemplateStates],
) -> None:
    graph, channel, _ = sending
    entry: LogEntry = {
        "from": "bot",
        "text": "x",
        "whatsapp_template": {"name": "spring_offer", "language": "de", "parameters": []},
    }
    await channel.send("shop", {"recipient": "US.1349"}, entry, callback="k|1")
    assert sent_template(graph)["template"] == {"name": "spring_offer", "language": {"code": "de"}}


@pytest.mark.parametrize(("code", "status"), [(132015, "PAUSED"), (132016, "DISABLED")])
async def test_a_paused_or_disabled_template_is_kept_as_meta_said(
    sending: tuple[FakeGraphApi, WhatsAppChannel, MemoryTemplateStates], code: int, status: str
) -> None:
    graph, channel, states = sending
    graph.fail_next(code)
    with pytest.raises(SendFailure) as refused:
        await channel.send("shop", {"to": "4915100000001"}, TEMPLATED, callback="k|1")
    assert (refused.value.code, refused.value.permanent) == (code, True)
    kept = (await states.of_template("spring_offer"))["en_US"]
    assert (kept.status, kept.status_at) == (status, NOW)
    assert str(code) in kept.reason


async def test_another_refusal_says_nothing_of_the_template(
    sending: tuple[FakeGraphApi, WhatsAppChannel, MemoryTemplateStates],
) -> None:
    graph, channel, states = sending
    graph.fail_next(131026)
    with pytest.raises(SendFailure):
        await channel.send("shop", {"to": "4915100000001"}, TEMPLATED, callback="k|1")
    assert await states.of_template("spring_offer") == {}


def change(field: str, value: Any, time_: Any = 1751247548) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": "102290129340398", "time": time_, "changes": [{"field": field, "value": value}]}
        ],
    }


PAUSED = {
    "event": "PAUSED",
    "message_template_id": 1689556908129832,
    "message_template_name": "spring_offer",
    "message_template_language": "de",
    "reason": "NONE",
    "other_info": {"title": "FIRST_PAUSE", "description": "Paused for 3 hours: low quality."},
}


def test_meta_s_samples_and_a_pause_read_as_news() -> None:
    def parse(payload: Any) -> list[Any]:
        return parse_webhook(payload, lambda number: "shop")

    assert parse(load_sample("template-status-approved")) == [
        TemplateNews("order_confirmation", "en_US", 1751247548, status="APPROVED")
    ]
    assert parse(load_sample("template-status-rejected")) == [
        TemplateNews("abandoned_cart", "en", 1751247548, status="REJECTED", reason="INVALID_FORMAT")
    ]
    assert parse(change("message_template_status_update", PAUSED)) == [
        TemplateNews(
            "spring_offer",
            "de",
            1751247548,
            status="PAUSED",
            reason="FIRST_PAUSE – Paused for 3 hours: low quality.",
        )
    ]
    quality = {
        "previous_quality_score": "GREEN",
        "new_quality_score": "RED",
        "message_template_id": 1689556908129832,
        "message_template_name": "spring_offer",
        "message_template_language": "de",
    }
    assert parse(change("message_template_quality_update", quality, "oops")) == [
        TemplateNews("spring_offer", "de", 0.0, quality="RED")  # no time: when it arrives
    ]


@pytest.mark.parametrize(
    "value",
    [
        {**PAUSED, "message_template_name": "Spring Offer!"},
        {**PAUSED, "message_template_name": ["spring_offer"]},
        {**PAUSED, "message_template_language": None},
        {**PAUSED, "event": {"$gt": ""}},
        {**PAUSED, "event": ""},
        {**PAUSED, "message_template_name": "x" * 100_000},
    ],
)
def test_a_malformed_template_change_is_a_problem(value: Any) -> None:
    found = parse_webhook(change("message_template_status_update", value), lambda n: "shop")
    assert len(found) == 1 and isinstance(found[0], WebhookProblem)
    assert found[0].kind == "malformed"


def test_a_quality_meta_never_sends_is_a_problem() -> None:
    value = {
        "new_quality_score": "PURPLE",
        "message_template_name": "a",
        "message_template_language": "de",
    }
    found = parse_webhook(change("message_template_quality_update", value), lambda n: "shop")
    assert isinstance(found[0], WebhookProblem)
