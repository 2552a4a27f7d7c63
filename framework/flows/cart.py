"""Cart operations: lines priced at the moment they are added, in integer minor units."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from framework.errors import FlowError, MoneyError
from framework.flows.model import Bot, Item, Label, label_for
from framework.flows.session import SHARED_BY, CartData, CartLine
from framework.money import Money

__all__ = ["MAX_QUANTITY", "Cart", "CartError"]

MAX_QUANTITY: Final = 99


class CartError(FlowError):
    """A cart step got something it cannot add: an unknown item, a bad quantity."""


def _ids(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(element) for element in value]
    return [str(value)]


class Cart:
    """Changes `session["cart"]` in place; the engine works on a copy of the session."""

    def __init__(self, bot: Bot, data: CartData) -> None:
        self._bot, self._data = bot, data
        self._currency = bot.business.currency

    def _item(self, item_id: Any) -> Item:
        item = self._bot.catalog.items.get(str(item_id))
        if item is None:
            raise CartError(f"cart.add: {item_id!r} is not an item of the catalog")
        return item

    def _quantity(self, quantity: Any) -> int:
        try:
            exact = Decimal(str(quantity))
        except InvalidOperation:
            raise CartError(f"the quantity {quantity!r} is not a whole number") from None
        if not exact.is_finite() or exact != exact.to_integral_value():
            raise CartError(f"the quantity {quantity!r} is not a whole number")
        number = int(exact)
        if not 0 <= number <= MAX_QUANTITY:
            raise CartError(f"the quantity {number} is outside 0..{MAX_QUANTITY}")
        return number

    def group_options(self, item: Item, chosen: list[Any]) -> dict[str, list[str]]:
        """Sort chosen option ids into the item's option groups; others do not apply to it."""
        grouped: dict[str, list[str]] = {}
        for choice in (choice for value in chosen for choice in _ids(value)):
            for group in item.options:
                if choice in self._bot.catalog.groups[group].choices:
                    grouped.setdefault(group, []).append(choice)
                    break
        return grouped

    def unit_price(self, item: Item, options: Mapping[str, list[str]]) -> int:
        minor = item.price.minor
        for group, choices in options.items():
            for choice in choices:
                price = self._bot.catalog.groups[group].choices[choice].price
                minor += price.minor if price is not None else 0
        return minor

    def add(
        self, item_id: Any, options: list[Any], quantity: Any, source: dict[str, Any]
    ) -> CartLine | None:
        """The line the item went into (a new one, or the same item and options again);
        None when the quantity is zero."""
        item = self._item(item_id)
        if not item.available:
            raise CartError(f"{item.id!r} is not available")
        count = self._quantity(quantity)
        if count == 0:
            return None
        grouped = self.group_options(item, options)
        lines = self._data["lines"]
        for line in lines:
            if line["item"] == item.id and line["options"] == grouped:
                line["quantity"] = min(MAX_QUANTITY, line["quantity"] + count)
                line["source"] = source
                return line
        line_id = self._data["next_line"]
        self._data["next_line"] = line_id + 1
        added: CartLine = {
            "id": line_id,
            "item": item.id,
            "options": grouped,
            "quantity": count,
            "unit": self.unit_price(item, grouped),
            "source": source,
        }
        lines.append(added)
        return added

    def find(self, line: Any) -> CartLine | None:
        """A line by its id (an int or digits, as `line` slots store it) or its item's id."""
        lines = self._data["lines"]
        if isinstance(line, int) or (isinstance(line, str) and line.isdigit()):
            number = int(line)
            by_id = [entry for entry in lines if entry["id"] == number]
            return by_id[0] if by_id else None
        matching = [entry for entry in lines if entry["item"] == line]
        return matching[-1] if matching else None

    def remove(self, line: Any) -> None:
        found = self.find(line)
        if found is not None:
            self._data["lines"].remove(found)

    def update(self, line: Any, quantity: Any) -> None:
        found = self.find(line)
        if found is None:
            return
        count = self._quantity(quantity)
        if count == 0:
            self._data["lines"].remove(found)
        else:
            found["quantity"] = count

    def reprice(self, line: CartLine) -> None:
        item = self._item(line["item"])
        line["options"] = {g: c for g, c in line["options"].items() if g in item.options}
        line["unit"] = self.unit_price(item, line["options"])

    def join_same(self, line: CartLine) -> CartLine:
        """The line after an edit made it the same as another (the Fanta swapped for a Cola
        beside a Cola): one line with both quantities, the earlier one kept. Two people's
        lines of one each become one line of both ("bei ihm die Jalapeños weg": Timo's and my
        large Salami, 2×, `timo+ich`), from which either may still take theirs out to change
        it (people.py); other lines of two people stay apart."""
        lines = self._data["lines"]
        for other in lines:
            if other is line or _kind(other) != _kind(line):
                continue
            person = _joint_person(other, line)
            if person is None:
                continue
            other["quantity"] = min(MAX_QUANTITY, other["quantity"] + line["quantity"])
            if person:
                other["person"] = person
            lines.remove(line)
            return other
        return line

    def clear(self) -> None:
        self._data["lines"].clear()
        self._data["fees"].clear()

    def set_fee(self, fee_id: str, name: Label, price: Any) -> None:
        fees = [fee for fee in self._data["fees"] if fee["id"] != fee_id]
        try:
            money = price if isinstance(price, Money) else Money.parse(price or 0, self._currency)
        except MoneyError as error:
            raise CartError(f"the fee {fee_id!r}: {error}") from None
        if money.minor < 0:
            raise CartError(f"the fee {fee_id!r} cannot be negative")
        if money.minor:
            fees.append({"id": fee_id, "name": dict(name), "minor": money.minor})
        self._data["fees"] = fees


def _kind(line: CartLine) -> tuple[str, dict[str, list[str]]]:
    """A line's item and chosen options; no extras left is none chosen."""
    return line["item"], {group: chosen for group, chosen in line["options"].items() if chosen}


def _joint_person(line: CartLine, other: CartLine) -> str | None:
    """Whom two alike lines are for together: the same person (or nobody: ""), or each of two
    people's lines of one each (`SHARED_BY`); None when they stay apart."""
    first, second = line.get("person", ""), other.get("person", "")
    if first == second:
        return first
    members = [*first.split(SHARED_BY), *second.split(SHARED_BY)]
    one_each = all(
        len(part.get("person", "").split(SHARED_BY)) == part["quantity"] for part in (line, other)
    )
    return SHARED_BY.join(members) if one_each and first and second else None


def describe_line(bot: Bot, lang: str, line: CartLine) -> str:
    """A line as the bot says it back: "2× Salami (Groß, Extra Käse)"."""
    item = bot.catalog.items[line["item"]]
    name = label_for(item.name, lang, bot.business.language)
    chosen = [
        label_for(bot.catalog.groups[group].choices[choice].name, lang, bot.business.language)
        for group, choices in line["options"].items()
        for choice in choices
    ]
    details = f" ({', '.join(chosen)})" if chosen else ""
    return f"{line['quantity']}× {name}{details}"
