"""The Rasa protocol as data: the domain of a bot, the body of a call, the outcome of an
answer, and answers of the wrong shape."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from framework.action_calls import ActionError, ActionOutcome, OutgoingMessage, Reminder
from framework.actions.rasa_outcome import outcome_of
from framework.actions.rasa_protocol import RASA_VERSION, action_call
from tests.actions.rasa_server import context, domain

SLOTS = frozenset({"item", "quantity", "size"})


def test_the_domain_has_slots_responses_actions_and_a_form_per_asking_flow() -> None:
    found = domain()
    assert found["slots"]["quantity"]["type"] == "float"
    assert found["slots"]["confirmed"]["type"] == "bool"
    assert found["slots"]["size"] == {
        "type": "categorical",
        "values": ["small", "medium", "large"],
        "influence_conversation": False,
        "mappings": [{"type": "custom"}],
    }
    assert {"metadata": {"lang": "en"}, "text": "Yes"} in found["responses"]["utter_yes"]
    assert "quantity" in found["forms"]["order"]["required_slots"]
    assert "validate_order" in found["actions"]
    assert found["intents"] == found["entities"] == []


def test_the_call_carries_the_tracker_as_rasa_sends_it() -> None:
    ctx = context("action_quote_price", size=None)
    body = action_call(ctx, None, "abc")
    assert "domain" not in body
    assert (body["next_action"], body["sender_id"]) == ("action_quote_price", ctx.sender)
    assert (body["domain_digest"], body["version"]) == ("abc", RASA_VERSION)
    tracker = body["tracker"]
    assert tracker["latest_message"]["text"] == "2 salami bitte"
    assert tracker["latest_message"]["metadata"]["idempotency_key"] == ctx.request_id
    assert tracker["latest_message"]["metadata"]["theke"]["args"] == {"note": "from a test"}
    assert [e["event"] for e in tracker["events"]] == ["user", "slot", "slot"]
    assert [e["name"] for e in tracker["events"][1:]] == ["item", "quantity"]
    assert tracker["latest_action_name"] == "action_listen"
    assert tracker["latest_event_time"] == ctx.now.timestamp()
    assert action_call(ctx, {"slots": {}}, "abc")["domain"] == {"slots": {}}


def test_events_map_to_an_outcome_in_order() -> None:
    events: list[dict[str, Any]] = [
        {"event": "slot", "name": "item", "value": "salami"},
        {"event": "slot", "name": "requested_slot", "value": "size"},
        {"event": "reset_slots"},
        {"event": "slot", "name": "quantity", "value": 3},
        {"event": "followup", "name": "checkout"},
        {"event": "pause"},
        {"event": "reminder", "intent": "order", "date_time": "2026-12-04T19:30:00+00:00"},
        {"event": "cancel_reminder", "name": "old"},
        {"event": "action_execution_rejected", "name": "x"},
    ]
    assert outcome_of({"events": events, "responses": []}, SLOTS) == ActionOutcome(
        slots={"quantity": 3},
        reset_slots=True,
        start="checkout",
        handoff=True,
        reminders=(
            Reminder("order", datetime(2026, 12, 4, 19, 30, tzinfo=UTC), "order"),
            Reminder("old", None, None),
        ),
    )
    restarted = outcome_of(
        {
            "events": [
                {"event": "slot", "name": "item", "value": 1},
                {"event": "restart"},
                {"event": "resume"},
            ]
        },
        SLOTS,
    )
    assert (restarted.slots, restarted.restart, restarted.handoff) == ({}, True, False)


def test_a_reminder_time_without_zone_is_the_servers_local_time() -> None:
    event = {"event": "reminder", "intent": "order", "date_time": "2026-12-04T19:30:00"}
    (reminder,) = outcome_of({"events": [event]}, SLOTS).reminders
    assert reminder.at == datetime(2026, 12, 4, 19, 30).astimezone(UTC)


def test_responses_map_to_messages() -> None:
    responses = [
        {"text": "hi", "buttons": [{"title": "Yes", "payload": "/yes"}, {"title": "No"}]},
        {"text": None, "image": "https://x/p.png", "custom": {}, "buttons": []},
        {"custom": {"card": 1}},
        {"json_message": {"card": 2}},
        {"text": None, "response": "utter_human", "buttons": [], "custom": {}},
        {"text": None, "elements": [{"a": 1}], "attachment": "x"},
    ]
    assert outcome_of({"responses": responses}, SLOTS).messages == (
        OutgoingMessage(text="hi", buttons=(("Yes", "/yes"), ("No", "No"))),
        OutgoingMessage(image="https://x/p.png"),
        OutgoingMessage(custom={"card": 1}),
        OutgoingMessage(custom={"card": 2}),
        OutgoingMessage(text_name="human"),
    )


def test_no_answer_is_no_change() -> None:
    assert outcome_of(None, SLOTS) == outcome_of({}, SLOTS) == ActionOutcome()


@pytest.mark.parametrize(
    "body",
    [
        [],
        "events",
        {"events": {"event": "slot"}},
        {"events": ["slot"]},
        {"events": [{"event": "slot", "name": 3, "value": 1}]},
        {"events": [{"event": "followup"}]},
        {"events": [{"event": "reminder", "intent": "x", "date_time": "tomorrow"}]},
        {"events": [{"event": "reminder", "date_time": "2026-12-04T19:30:00"}]},
        {"events": [{"event": "slot", "name": "item", "value": 1}] * 201},
        {"responses": [{"text": "x" * 5000}]},
        {"responses": [{"text": ["a"]}]},
        {"responses": [{"buttons": "yes"}]},
        {"responses": [{"buttons": [{"payload": "/x"}]}]},
        {"responses": [{"custom": [1]}]},
        {"responses": [{"response": "greet"}]},
        {"responses": [{"text": "x"}] * 51},
    ],
)
def test_an_answer_of_the_wrong_shape_is_an_action_error(body: object) -> None:
    with pytest.raises(ActionError):
        outcome_of(body, SLOTS)
