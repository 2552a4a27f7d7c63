"""A broadcast's notice that names an approved WhatsApp template: its bot message carries the
template (`whatsapp_template`: name, Meta's code, the body's texts, its header and buttons as
they are sent), which the WhatsApp channel sends instead of the text, inside the 24-hour
window or outside it, as WhatsApp Manager's campaigns do — a notification's (`outside_only`)
only outside it, where it replaces the number's generic template; other channels send the text
and ignore it.

The code is the template's in the conversation's language (the session's `lang` after the
turn), else in the bot's default language's (`default`, decided when the notice was made:
framework/broadcasts/sending.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from framework.stores.records import LogEntry

__all__ = ["TEMPLATE", "WHATSAPP", "with_template"]

TEMPLATE = "whatsapp_template"
"""The key of the template in the notice's data and in its bot message."""
WHATSAPP = "whatsapp"
"""The channel that sends it (the others send the text)."""


def with_template(told: list[LogEntry], data: Mapping[str, Any], lang: Any, channel: str) -> None:
    """The notice's template put on its first bot message (`told`: the turn's bot messages)
    on WhatsApp; nothing when the notice names none, or on another channel."""
    spec = data.get(TEMPLATE)
    if not told or not isinstance(spec, Mapping) or channel != WHATSAPP:
        return
    languages = spec.get("languages")
    code = languages.get(lang) if isinstance(languages, Mapping) else None
    parameters = spec.get("parameters")
    template: dict[str, Any] = {
        "name": str(spec.get("name", "")),
        "language": str(code or spec.get("default", "")),
        "parameters": [str(p) for p in parameters] if isinstance(parameters, list) else [],
    }
    if spec.get("outside_only"):
        template["outside_only"] = True
    header, buttons = spec.get("header"), spec.get("buttons")
    if isinstance(header, Mapping):
        template["header"] = _texts(header)
    if isinstance(buttons, list):
        template["buttons"] = [_texts(b) if isinstance(b, Mapping) else {} for b in buttons]
    told[0]["whatsapp_template"] = template


def _texts(part: Mapping[str, Any]) -> dict[str, str]:
    """A header or a button as texts (`type`, `text`, `link`, `payload`…)."""
    return {str(key): str(value) for key, value in part.items()}
