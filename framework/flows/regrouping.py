"""Pizzas already in the cart told apart again while another one's extras are asked: "Drei
kleine Margherita, eine davon mit Käse", then at the Diavola's extras "Paul will jetzt auch
Käse. Also zwei mit Käse, eine ohne". The counts add up to the three Margheritas, not to the
one Diavola asked about: the Margheritas are shared out again (their size kept), and the
Diavola's question is asked again. Taken for the round asked about, the message made two
Diavolas with cheese and dropped "eine ohne" — the customer was asked to pay for a pizza they
never ordered.

Only when exactly one item of the cart has that many in all, in lines that differ by extras
alone; otherwise nothing changes here.
"""

from __future__ import annotations

from framework.flows.cart import describe_line
from framework.flows.named_things import many_choice_groups
from framework.flows.session import CartLine
from framework.flows.turn import Turn
from framework.flows.understanding.extract import Mention

__all__ = ["regroup"]


def regroup(turn: Turn, parts: list[tuple[int, Mention]], asked: str) -> bool:
    """Share `parts` (count, the asked slot's extras) out over the one item of the cart whose
    lines hold that many; True when the cart changed (and the change was said)."""
    many = many_choice_groups(turn.bot)
    wanted = sum(count for count, _ in parts)
    lines = turn.session["cart"]["lines"]
    fitting = [
        group
        for item in dict.fromkeys(line["item"] for line in lines)
        if (group := [line for line in lines if line["item"] == item])
        and sum(line["quantity"] for line in group) == wanted
        and len({_kept(line, many) for line in group}) == 1
    ]
    if len(fitting) != 1:
        return False
    group = fitting[0]
    item, kept = group[0]["item"], list(_kept(group[0], many))
    for line in group:
        lines.remove(line)
    changed: list[CartLine] = []
    for count, said in parts:
        added = turn.cart.add(item, [*kept, said.get(asked)], count, {})  # the cart reads ids
        if added is not None and added not in changed:
            changed.append(added)
    turn.changed()
    said_lines = ", ".join(describe_line(turn.bot, turn.lang, line) for line in changed)
    turn.say_named("order_changed", change=said_lines)
    turn.record("order_edited")
    turn.reask()
    return True


def _kept(line: CartLine, many: frozenset[str]) -> tuple[str, ...]:
    """The line's options that are no extras (its size): kept when it is shared out."""
    return tuple(
        choice
        for group, choices in sorted(line["options"].items())
        if group not in many
        for choice in choices
    )
