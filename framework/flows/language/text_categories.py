"""A bot text's category (`texts:` in bot.yaml), what WhatsApp would call it as a template:

texts:
  flight_delayed:
    category: utility      # news of something the customer started or asked for
    de: "Flug {{ flight }} ist verspätet: neuer Abflug {{ time }} Uhr."
  spring_offer:
    category: marketing    # an offer: never a notification
    de: "Frühlingsangebot: {{ discount }} auf alles!"

A notification (the notify API, `theke notify`, a `notify:` broadcast) refuses a marketing text:
an offer may not reach people who only agreed to flight news, and WhatsApp re-categorises a
utility message that carries one (framework/broadcasts/whatsapp_template.py checks it).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Final, Protocol

from framework.flows.language.yaml_loader import position_of
from framework.flows.model import Position, Text

__all__ = ["MARKETING_TEXT", "categorized"]

MARKETING_TEXT: Final = "marketing"


class Context(Protocol):
    def text(self, value: Any, pos: Position) -> Text | None: ...

    def problem(self, pos: Position, message: str, hint: str = "") -> None: ...


def categorized(ctx: Context, raw: Any, pos: Position) -> Text | None:
    """One of the bot's texts with its category (marketing or utility: bot.schema.json
    refuses any other word before this runs); a problem when nothing but the category is given."""
    if not isinstance(raw, dict) or "category" not in raw:
        return ctx.text(raw, pos)
    category = raw["category"]
    variants = {lang: source for lang, source in raw.items() if lang != "category"}
    here = position_of(category, position_of(raw, pos))
    if not variants:
        ctx.problem(here, "a text with a category needs its words", "{category: utility, de: …}")
        return None
    text = ctx.text(variants, position_of(raw, pos))
    return replace(text, category=str(category)) if text is not None else None
