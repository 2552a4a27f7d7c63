"""The whole order said again as it should be ("So your cart says: … Please change it to: 1x
Tonno large + onions, 1x Salami MEDIUM, 2x Cola Zero"): every line named once, and what differs
from the cart is changed — never a second order added, never a change said back that changes
nothing."""

from __future__ import annotations

import re
from typing import Any, Final

from framework.flows.bot_slots import item_slots
from framework.flows.cart import MAX_QUANTITY, describe_line
from framework.flows.session import CartLine
from framework.flows.turn import Turn

__all__ = ["restated_changed"]

_AS_IT_SHOULD_BE: Final = re.compile(
    r"\b(?:change (?:it|that|this|the order|my order) to|should (?:be|say|read)|correct(?:ed)?"
    r" (?:order|version)|(?:ä|ae)nder(?:e|n)? (?:es|das|die bestellung) (?:auf|zu|in)"
    r"|(?:so|richtig) (?:soll|muss) es (?:sein|hei(?:ß|ss)en)|richtig w(?:ä|ae)re)\s*:?",
    re.IGNORECASE,
)


def restated_changed(turn: Turn, text: str) -> bool:
    """Change the cart to the order said after "change it to" / "should be"; False when the
    message says no whole order so (each line of the cart named once, nothing else)."""
    found = list(_AS_IT_SHOULD_BE.finditer(text[:1000]))
    lines = turn.session["cart"]["lines"]
    if not found or len(lines) < 2:
        return False
    mentions = turn.order_mentions(text[found[-1].end() :])
    items = item_slots(turn.bot)
    named = [next((m[n] for n in items if n in m), None) for m in mentions]
    in_cart = [line["item"] for line in lines]
    if (
        None in named
        or sorted(map(str, named)) != sorted(in_cart)
        or len(set(in_cart)) < len(in_cart)
    ):
        return False
    changes = [
        change
        for mention, item in zip(mentions, named, strict=True)
        if (change := _as_said(turn, next(line for line in lines if line["item"] == item), mention))
    ]
    if changes:
        turn.changed()
        turn.say_named("order_changed", change="; ".join(changes))
        turn.record("order_edited")
    else:
        turn.say_named("already_noted")
    turn.reask()
    return True


def _as_said(turn: Turn, line: CartLine, mention: dict[str, Any]) -> str | None:
    """The line made as the mention says it, said back; None when nothing differs."""
    before = describe_line(turn.bot, turn.lang, line)
    for name, value in mention.items():
        slot = turn.slot(name)
        if slot.role == "quantity":
            if isinstance(value, int) and 0 < value <= MAX_QUANTITY:  # not "Salamis": unsaid
                line["quantity"] = value
        elif slot.choices is not None and slot.type in ("choice", "choices"):
            line["options"][slot.choices.id] = value if isinstance(value, list) else [value]
    turn.cart.reprice(line)
    after = describe_line(turn.bot, turn.lang, line)
    return f"{before} → {after}" if after != before else None
