"""The buttons a question offers by itself: its choices, or the catalog items it takes."""

from __future__ import annotations

from functools import lru_cache

from framework.flows.events import Button
from framework.flows.model import Bot, Slot, label_for

__all__ = ["offered", "offered_by"]


@lru_cache(maxsize=256)
def offered(bot: Bot, lang: str, slot: str) -> tuple[Button, ...]:
    """The buttons of one of the bot's slots in a language (made once per loaded bot)."""
    return offered_by(bot, lang, bot.slots[slot])


def offered_by(bot: Bot, lang: str, slot: Slot) -> tuple[Button, ...]:
    """The choices of a slot, or the catalog items it takes, as buttons."""
    default = bot.business.language
    if slot.choices is not None:
        return tuple(
            Button(label_for(choice.name, lang, default), choice.id)
            for choice in slot.choices.choices.values()
        )
    if slot.type == "item":
        return tuple(
            Button(label_for(item.name, lang, default), item.id)
            for item in bot.catalog.items.values()
            if item.available and (not slot.tags or slot.tags & item.tags)
        )
    return ()
