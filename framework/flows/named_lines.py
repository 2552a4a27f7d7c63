"""An item is in the cart as soon as the customer has named it whole.

"2 große Margherita" names the item, its count and a choice for each of the item's pick-one
option groups (the size): a waiter writes it down at once and only then asks "any extras?".
The ordering flow still asks what is open about it (its extras) and takes it into the cart
with its `cart.add` afterwards; until then the cart shows it between turns as that step would
add it with what is known so far: a line of its own, or more of a line with the same item and
options. Items named with it that wait their turn are shown the same way when they are whole.

Such units are marked `early` on their line. The engine takes them out before it handles the
next event and shows them again after it, so every understanding pass reads the order in
progress where it always has (the ordering flow's answers and its queue: one source of truth),
and the answer to the extras question edits the line simply by being the flow's answer. The
customer who asks for the total, the person who takes the conversation over, and the shop's
views see what was ordered.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from framework.flows.cart import MAX_QUANTITY
from framework.flows.in_progress import order_in_progress
from framework.flows.model import Bot, Item
from framework.flows.session import CartLine, Session
from framework.flows.steps import CartAdd
from framework.flows.turn import WAIT_PAY, Turn
from framework.flows.understanding.extract import Mention

__all__ = ["show_named", "take_out_named"]


def take_out_named(session: Session) -> None:
    """The cart as the flows left it: without the units shown early."""
    lines = session["cart"]["lines"]
    for line in lines:
        line["quantity"] -= line.pop("early", 0)
    lines[:] = [line for line in lines if line["quantity"] > 0]


def show_named(turn: Turn) -> None:
    """Show the items in progress that are named whole in the cart, while the ordering flow
    waits for the customer."""
    frame, ordering = turn.frame, turn.ordering_flow()
    if frame is None or ordering is None or frame["flow"] != ordering:
        return
    adds = _adds(turn.bot, ordering)
    if adds is None or frame.get("wait") in (None, WAIT_PAY):
        return
    next_id = turn.session["cart"]["next_line"]
    for mention in order_in_progress(turn):
        whole = _whole(turn, adds, mention)
        if whole is not None and _show(turn, adds, next_id, *whole):
            next_id += 1


@dataclass(frozen=True, slots=True)
class _Adds:
    """The slots the ordering flow's `cart.add` makes its line from."""

    item: str
    options: tuple[str, ...]
    quantity: str | None


@cache
def _adds(bot: Bot, ordering: str) -> _Adds | None:
    """The ordering flow's `cart.add`, when it takes every value from a slot (once per bot)."""
    for step in bot.flows[ordering].program:
        if not isinstance(step, CartAdd) or step.item.slot_name is None:
            continue
        options = tuple(option.slot_name for option in step.options)
        quantity = step.quantity.slot_name if step.quantity is not None else None
        if all(options) and (step.quantity is None or quantity):
            return _Adds(step.item.slot_name, tuple(filter(None, options)), quantity)
    return None


def _whole(
    turn: Turn, adds: _Adds, mention: Mention
) -> tuple[Item, dict[str, list[str]], int] | None:
    """The item, its options and its count, when the mention names all the line needs: an
    item that can be had, its count, and a choice for each of its pick-one option groups that
    the flow asks (its extras may come later)."""
    item = turn.bot.catalog.items.get(str(mention.get(adds.item)))
    count = mention.get(adds.quantity, None) if adds.quantity else 1
    if item is None or not item.available or count is None:
        return None
    if adds.quantity and not turn.acceptable(adds.quantity, count):
        return None
    chosen = [mention[name] for name in adds.options if name in mention]
    grouped = turn.cart.group_options(item, chosen)
    groups = turn.bot.catalog.groups
    asked = {choices.id for name in adds.options if (choices := turn.slot(name).choices)}
    missing = [
        group
        for group in item.options
        if group not in grouped and not groups[group].many and group in asked
    ]
    return None if missing else (item, grouped, int(count))


def _show(
    turn: Turn, adds: _Adds, line_id: int, item: Item, options: dict[str, list[str]], count: int
) -> bool:
    """More of the line with the same item and options, as `cart.add` would add it, or a line
    of its own numbered `line_id` (True)."""
    lines = turn.session["cart"]["lines"]
    for line in lines:
        if line["item"] == item.id and line["options"] == options:
            more = min(count, MAX_QUANTITY - line["quantity"])
            line["quantity"] += more
            line["early"] = line.get("early", 0) + more
            return False
    added: CartLine = {
        "id": line_id,
        "item": item.id,
        "options": options,
        "quantity": count,
        "unit": turn.cart.unit_price(item, options),
        "source": {"item": adds.item, "options": list(adds.options), "quantity": adds.quantity},
        "early": count,
    }
    lines.append(added)
    return True
