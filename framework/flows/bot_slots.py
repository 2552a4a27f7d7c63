"""What a bot's flows ask, found once per loaded bot: the ordering flow, the slots that take
catalog items, the choice slots some flow asks."""

from __future__ import annotations

from functools import cache, lru_cache

from framework.flows.model import Bot, Slot

__all__ = [
    "asked_choices",
    "item_slots",
    "line_slots",
    "ordering_flow",
    "quantity_slots",
    "slots_named",
]


@cache
def ordering_flow(bot: Bot) -> str | None:
    """The bot's flow that takes catalog items, if it has one (found once per loaded bot)."""
    for name, flow in bot.flows.items():
        if any(bot.slots[slot].type == "item" for slot in flow.asks):
            return name
    return None


@lru_cache(maxsize=32)
def item_slots(bot: Bot) -> frozenset[str]:
    """The names of the bot's slots that take catalog items (found once per loaded bot)."""
    return frozenset(name for name, slot in bot.slots.items() if slot.type == "item")


@lru_cache(maxsize=32)
def quantity_slots(bot: Bot) -> frozenset[str]:
    """The slots that count an item (`role: quantity`)."""
    return frozenset(name for name, slot in bot.slots.items() if slot.role == "quantity")


@lru_cache(maxsize=32)
def line_slots(bot: Bot) -> frozenset[str]:
    """The slots a cart line is made of besides its count: the items and the choices of the
    catalog's option groups (a size, extras; not delivery)."""
    groups = {group.id for group in bot.catalog.groups.values()}
    options = {n for n, slot in bot.slots.items() if slot.choices and slot.choices.id in groups}
    return item_slots(bot) | options


@lru_cache(maxsize=32)
def asked_choices(bot: Bot) -> tuple[tuple[str, Slot], ...]:
    """The bot's choice slots that some flow asks, by name (found once per loaded bot)."""
    asked = {name for flow in bot.flows.values() for name in flow.asks}
    return tuple(
        (name, slot)
        for name, slot in bot.slots.items()
        if slot.type == "choice" and slot.choices is not None and name in asked
    )


@lru_cache(maxsize=256)
def slots_named(bot: Bot, names: frozenset[str]) -> tuple[Slot, ...]:
    """The bot's slots of these names, sorted by name (a turn reads its message for the same
    few sets of slots several times)."""
    return tuple(bot.slots[name] for name in sorted(names))
