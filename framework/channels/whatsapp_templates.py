"""WhatsApp's webhook fields about templates: a template's status changed
(`message_template_status_update`: APPROVED, PAUSED, DISABLED, REINSTATED, FLAGGED,
REJECTED, …) or its quality (`message_template_quality_update`: GREEN, YELLOW, RED, UNKNOWN).

    {"field": "message_template_status_update", "value": {"event": "PAUSED",
     "message_template_id": 1689556908129832, "message_template_name": "spring_offer",
     "message_template_language": "de", "reason": "NONE",
     "other_info": {"title": "FIRST_PAUSE", "description": "…paused for 3 hours…"}}}
    {"field": "message_template_quality_update", "value": {"previous_quality_score": "GREEN",
     "new_quality_score": "RED", "message_template_name": "spring_offer",
     "message_template_language": "de", …}}

Each change becomes a `TemplateNews` at the entry's `time` (0 when the entry has none: the
channel takes the time it arrived), or a `WebhookProblem` when it lacks the documented shape.
The webhook names a WhatsApp Business Account, not a number: templates are kept by name and
language for the deployment. Pure functions, no I/O, never raising: whatsapp_in.py hands
these fields here.
"""

from __future__ import annotations

from typing import Any

from framework.channels.messages import WebhookProblem
from framework.stores.template_states import TemplateNews, TemplateStateError

__all__ = ["QUALITY", "STATUS", "TEMPLATE_FIELDS", "read_template_news"]

STATUS, QUALITY = "message_template_status_update", "message_template_quality_update"
TEMPLATE_FIELDS = frozenset({STATUS, QUALITY})


def read_template_news(
    field: str, value: dict[str, Any], at: float | None
) -> TemplateNews | WebhookProblem:
    """The news of one template change (TemplateNews), or a WebhookProblem saying what is
    wrong with it."""
    name, language = value.get("message_template_name"), value.get("message_template_language")
    try:
        news = TemplateNews(
            str(name) if isinstance(name, str) else "",
            str(language) if isinstance(language, str) else "",
            at or 0.0,
            status=_text(value.get("event")) if field == STATUS else "",
            quality=_text(value.get("new_quality_score")) if field == QUALITY else "",
            reason=_reason(value) if field == STATUS else "",
        ).checked()
    except TemplateStateError as error:
        detail = f"WhatsApp sent an unreadable {field}: {error}"
        return WebhookProblem("malformed", detail, {"field": field})
    return news


def _text(found: Any) -> str:
    return found if isinstance(found, str) else ""


def _reason(value: dict[str, Any]) -> str:
    """Why, as Meta says it: a pause's title and description, else the reason (NONE: none)."""
    other = value.get("other_info")
    if isinstance(other, dict):
        said = " – ".join(_text(other.get(key)) for key in ("title", "description"))
        if said.strip(" –"):
            return said.strip(" –")
    reason = _text(value.get("reason"))
    return "" if reason == "NONE" else reason
