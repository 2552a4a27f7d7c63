"""Rasa's action server protocol, as data: the domain of a bot and the body of an action
call (shared/reference/rasa.md §3); rasa_outcome.py reads the answer.

Pure on purpose (no rasa_sdk, no I/O): the in-process runner and the remote one send the same
body, so both paths give the same `ActionOutcome`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from typing import Any

from framework.action_calls import ActionContext
from framework.flows.model import Bot, Slot, Text

__all__ = [
    "RASA_VERSION",
    "RESPONSE_PREFIX",
    "action_call",
    "digest_of",
    "domain_for",
    "encode",
]

RASA_VERSION = "3.21.0"
"""The Rasa version we speak for: rasa-sdk warns when its major.minor differs."""
RESPONSE_PREFIX = "utter_"
"""A bot's text `greet` is the Rasa response `utter_greet`."""

_SLOT_TYPES = {"integer": "float", "number": "float", "yes_no": "bool", "choices": "list"}
"""Theke slot type → Rasa slot type; the rest are `text`, or `any` for structured values."""
_STRUCTURED = frozenset({"address", "line"})


def domain_for(bot: Bot, actions: Collection[str] = ()) -> dict[str, Any]:
    """A Rasa domain of `bot`: its slots, its texts as `utter_<name>` responses (one variation
    per language, with `metadata.lang`, the template source as written), the action names
    and a form per flow that asks something (its asked slots, sorted, as `required_slots`:
    what `FormValidationAction` reads). No intents or entities: Theke understands itself."""
    return {
        "version": "3.1",
        "intents": [],
        "entities": [],
        "slots": {name: _slot(slot) for name, slot in sorted(bot.slots.items())},
        "responses": {
            RESPONSE_PREFIX + name: _variations(text) for name, text in sorted(bot.texts.items())
        },
        "actions": sorted(actions),
        "forms": {
            flow.name: {"required_slots": sorted(flow.asks)}
            for flow in bot.flows.values()
            if flow.asks
        },
    }


def _slot(slot: Slot) -> dict[str, Any]:
    kind = "any" if slot.type in _STRUCTURED else _SLOT_TYPES.get(slot.type, "text")
    found: dict[str, Any] = {"influence_conversation": False, "mappings": [{"type": "custom"}]}
    if slot.type == "choice" and slot.choices is not None:
        return {"type": "categorical", "values": list(slot.choices.choices), **found}
    return {"type": kind, **found}


def _variations(text: Text) -> list[dict[str, Any]]:
    return [
        {"text": template.source, "metadata": {"lang": lang}}
        for lang, template in text.variants.items()
    ]


def digest_of(domain: Mapping[str, Any]) -> str:
    """What `domain_digest` says: the server caches the domain under it."""
    return hashlib.sha256(encode(domain)).hexdigest()


def encode(body: Mapping[str, Any]) -> bytes:
    """JSON as sent; values JSON does not know (dates, decimals) as their text."""
    return json.dumps(body, default=str, separators=(",", ":"), sort_keys=True).encode()


def action_call(
    context: ActionContext, domain: Mapping[str, Any] | None, digest: str
) -> dict[str, Any]:
    """The body of `POST /webhook` that runs `context.action`.

    The tracker's events are the user's latest message, then a `slot` event per set slot:
    rasa-sdk's `FormValidationAction` validates the slot events at the end of the tracker
    (`tracker.slots_to_validate()`), as Rasa's form sends them after the user's message.
    Theke's own context (bot, language, step arguments, cart, profile) is in the latest
    message's `metadata.theke`; the request id is its `idempotency_key`.
    """
    time = context.now.timestamp()
    latest = {
        "text": context.message,
        "intent": {},
        "entities": [],
        "metadata": {"idempotency_key": context.request_id, "theke": _theke(context)},
    }
    user = {
        "event": "user",
        "timestamp": time,
        "text": context.message,
        "parse_data": latest,
        "input_channel": context.channel,
        "metadata": latest["metadata"],
    }
    slots = [
        {"event": "slot", "timestamp": time, "name": name, "value": value}
        for name, value in context.slots.items()
        if value is not None
    ]
    tracker = {
        "sender_id": context.sender,
        "slots": dict(context.slots),
        "latest_message": latest,
        "latest_event_time": time,
        "followup_action": None,
        "paused": False,
        "events": [user, *slots],
        "latest_input_channel": context.channel,
        "active_loop": {},
        "latest_action_name": "action_listen",
        "stack": [],
        "user_id": None,
    }
    body = {"next_action": context.action, "sender_id": context.sender, "tracker": tracker}
    if domain is not None:
        body["domain"] = dict(domain)
    return {**body, "domain_digest": digest, "version": RASA_VERSION}


def _theke(context: ActionContext) -> dict[str, Any]:
    return {
        "bot": context.bot,
        "lang": context.lang,
        "args": dict(context.args),
        "cart": [dict(line) for line in context.cart],
        "profile": dict(context.profile),
    }
