"""What a person changes in the cart of a conversation they hold: a catalog item added with its
options and quantity, a line's quantity, a line removed.

A change travels as JSON (the admin API, `theke handoffs cart` and the agent inbox make it,
the handoff's `changed` news carries it to the conversation) in one of three shapes:

    {"add": {"item": "salami", "options": ["large", "cheese"], "quantity": 2}}
    {"line": 3, "quantity": 1}
    {"remove": 3}

It is applied with the catalog's rules and prices, as the bot's own cart steps price a line:
the item is one of the catalog's and available, each option a choice of one of the item's
option groups (exactly one of a pick-one group, its default when none is named; at most `max`
of a pick-many group), a quantity a whole number from 1 to MAX_QUANTITY, a line one the cart
has and the bot is not still asking about (named_lines.py). What does not fit is refused with
a CartError that says why, and nothing is changed. The same `change_cart` checks a change
against the state the store shows (the caller's dry run, so the agent reads a refusal at once)
and applies it in the turn of the news (the engine), so both judge alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any, Final

from framework.flows.cart import MAX_QUANTITY, Cart, CartError, describe_line
from framework.flows.model import Bot, ChoiceSet, Item
from framework.flows.session import CartLine, Session
from framework.flows.turn import WAIT_PAY

__all__ = ["MAX_OPTIONS", "CartChange", "change_cart"]

MAX_OPTIONS: Final = 20
_WHOLE: Final = re.compile(r"[0-9]{1,6}")
_SHAPES: Final = (
    '{"add": {"item": …, "options": […], "quantity": n}}, {"line": n, "quantity": n}'
    ' or {"remove": n}'
)


def _whole(value: Any, what: str, least: int, most: int) -> int:
    """A whole number from least to most (an int, or digits as a form or a terminal sends)."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, bool) or not (isinstance(text, int) or _WHOLE.fullmatch(str(text))):
        raise CartError(f"{what} must be a whole number, not {str(value)[:20]!r}")
    number = int(text)
    if not least <= number <= most:
        raise CartError(f"{what} must be from {least} to {most}, not {number}")
    return number


def _quantity(value: Any) -> int:
    return _whole(value, "the quantity", 1, MAX_QUANTITY)


def _line_number(value: Any) -> int:
    return _whole(value, "the line", 1, 999_999)


@dataclass(frozen=True, slots=True)
class CartChange:
    """One change: `item` (with `options` and `quantity`) to add, or `line` to set to
    `quantity`, or `line` to remove."""

    item: str = ""
    options: tuple[str, ...] = ()
    quantity: int = 1
    line: int = 0
    remove: bool = False

    def to_json(self) -> dict[str, Any]:
        if self.item:
            add = {"item": self.item, "options": list(self.options), "quantity": self.quantity}
            return {"add": add}
        if self.remove:
            return {"remove": self.line}
        return {"line": self.line, "quantity": self.quantity}

    @classmethod
    def read(cls, data: Any) -> CartChange:
        """The change a JSON object describes; CartError saying what is wrong with it."""
        keys = set(data) if isinstance(data, Mapping) else set()
        if keys == {"add"}:
            return _added(data["add"])
        if keys == {"remove"}:
            return cls(line=_line_number(data["remove"]), remove=True)
        if keys == {"line", "quantity"}:
            return cls(line=_line_number(data["line"]), quantity=_quantity(data["quantity"]))
        raise CartError(f"a cart change is {_SHAPES}")


def _added(add: Any) -> CartChange:
    if not isinstance(add, Mapping) or not set(add) <= {"item", "options", "quantity"}:
        raise CartError("add is an object with the item, its options and a quantity")
    item, options = add.get("item"), add.get("options") or []
    if not isinstance(item, str) or not 1 <= len(item.strip()) <= 64:
        raise CartError("add needs the item: the catalog's id of it, e.g. 'salami'")
    if isinstance(options, str):
        options = options.replace(",", " ").split()
    if not isinstance(options, list) or len(options) > MAX_OPTIONS:
        raise CartError(f"the options are a list of at most {MAX_OPTIONS} option ids")
    if not all(isinstance(option, str) and 0 < len(option) <= 64 for option in options):
        raise CartError("each option is an option's id, e.g. 'large'")
    chosen = tuple(dict.fromkeys(option.strip() for option in options))
    return CartChange(item.strip(), chosen, _quantity(add.get("quantity", 1)))


def change_cart(bot: Bot, session: Session, change: CartChange, agent: str) -> str:
    """Apply `change` to the session's cart (in place); what was done, as the agent reads it.
    CartError (nothing changed) when the catalog or the cart cannot take it."""
    if any(frame.get("wait") == WAIT_PAY for frame in session["stack"]):
        raise CartError(
            "the customer is paying for an order made from this cart: a change would not be in it"
        )
    cart, lang = session["cart"], str(session["lang"])
    if change.item:
        line, merged = _add(bot, Cart(bot, cart), cart["lines"], change, agent)
        said = describe_line(bot, lang, line)
        number = line["id"]
        return f"line {number} is now {said}" if merged else f"{said} added as line {number}"
    found = _line(cart["lines"], change.line)
    if change.remove:
        cart["lines"].remove(found)
        return f"line {change.line} removed: {describe_line(bot, lang, found)}"
    found["quantity"] = change.quantity
    return f"line {change.line} is now {describe_line(bot, lang, found)}"


def _line(lines: list[CartLine], number: int) -> CartLine:
    for line in lines:
        if line["id"] == number and line.get("early"):
            raise CartError(  # shown while the bot still asks about it (named_lines.py)
                f"line {number} is still being ordered: the bot is asking the customer about it"
            )
        if line["id"] == number:
            return line
    have = ", ".join(str(line["id"]) for line in lines)
    raise CartError(f"the cart has no line {number}" + (f" (its lines: {have})" if have else ""))


def _add(
    bot: Bot, cart: Cart, lines: list[CartLine], change: CartChange, agent: str
) -> tuple[CartLine, bool]:
    """The line the item went into, and whether it was one the cart had (same item, same
    options): its quantity grows."""
    item = _item(bot, change.item)
    grouped = _options(bot, item, change.options)
    same = [line for line in lines if line["item"] == item.id and line["options"] == grouped]
    if same and same[0]["quantity"] + change.quantity > MAX_QUANTITY:
        raise CartError(
            f"line {same[0]['id']} has {same[0]['quantity']} already: at most {MAX_QUANTITY}"
        )
    chosen = [choice for choices in grouped.values() for choice in choices]
    line = cart.add(item.id, chosen, change.quantity, {"agent": agent})
    assert line is not None  # a quantity of at least 1
    return line, bool(same)


def _item(bot: Bot, name: str) -> Item:
    item = bot.catalog.items.get(name)
    if item is None:
        close = get_close_matches(name, list(bot.catalog.items), 1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise CartError(f"{name[:64]!r} is not an item of the catalog{hint}")
    if not item.available:
        raise CartError(f"{item.id!r} is not available")
    return item


def _options(bot: Bot, item: Item, names: tuple[str, ...]) -> dict[str, list[str]]:
    """The chosen options by the item's option groups, as a cart line keeps them."""
    groups = {group: bot.catalog.groups[group] for group in item.options}
    grouped: dict[str, list[str]] = {}
    for name in names:
        group = next((g for g, found in groups.items() if name in found.choices), None)
        if group is None:
            raise CartError(f"{name[:64]!r} is not an option of {item.id!r}: {_menu(groups)}")
        grouped.setdefault(group, []).append(name)
    for group, found in groups.items():
        picked = grouped.get(group, [])
        if not found.many and not picked and found.default is not None:
            grouped[group] = [found.default]
        elif not found.many and len(picked) != 1:
            what = "both " + " and ".join(picked) if picked else "none"
            one = ", ".join(found.choices)
            raise CartError(f"{item.id!r} takes one {group} ({one}), not {what}")
        elif found.max is not None and len(picked) > found.max:
            raise CartError(f"{item.id!r} takes at most {found.max} {group}, not {len(picked)}")
    return {group: grouped[group] for group in item.options if group in grouped}


def _menu(groups: Mapping[str, ChoiceSet]) -> str:
    if not groups:
        return "it has none"
    return "; ".join(f"{group}: {', '.join(found.choices)}" for group, found in groups.items())
