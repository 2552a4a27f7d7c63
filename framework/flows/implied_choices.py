"""Choices an answer implies: a question the flows ask only after one choice ("if fulfilment ==
'delivery'" → ask address) tells that choice when the customer answers it. A customer who
writes their street and postcode wants delivery, however they say it: ahead ("Zuastellen
bittschön, Reuterstraße 52", "nach Reuterstraße 52, 12047 Berlin" at "anything else?") or as
the answer to "Sollen wir liefern oder holst du ab?" ("Reuterplatz 3, 12047, 4. Stock"): nobody
gives their address for a pickup, and a waiter would not ask "deliver or pick up?" next.

Read once per loaded bot from the flows' structure: a `then` block of an `if` spans the
instructions between the branch and where it jumps when the condition fails, so an `ask` inside
it is guarded by that condition. Only conditions that are a comparison of a choice slot with one
of its options (or an `and` holding one) imply anything, and only when every `ask` of the slot
in every flow is guarded by the same one.
"""

from __future__ import annotations

import ast
from functools import lru_cache

from framework.flows.model import Bot, Slot
from framework.flows.session import Frame, move_on
from framework.flows.steps import Ask, Branch
from framework.flows.turn import Turn
from framework.flows.understanding.slot_values import find_address

__all__ = ["address_chooses", "address_switches", "implied_choices", "note_implied_choices"]

Choice = tuple[str, str]
"""A choice slot's name and one of its options."""


def note_implied_choices(turn: Turn, answered: list[str]) -> None:
    """Set the choices that the slots just `answered` imply, where the customer has not made
    them yet (one they made, even in the same message, stays: "pick up, my address is …")."""
    slots = turn.session["slots"]
    for name in answered:
        choice = implied_choices(turn.bot).get(name)
        if choice is not None and choice[0] not in slots and turn.acceptable(*choice):
            turn.set_slot(*choice)


def address_chooses(turn: Turn, frame: Frame, slot: Slot, text: str) -> bool:
    """Answer the choice asked with the option an address implies, when the message gives a
    whole address and names no option; whether it did."""
    if slot.type != "choice" or find_address(text) is None:
        return False
    implied = implied_choices(turn.bot)
    value = next(
        (
            option
            for name, (choice, option) in implied.items()
            if choice == slot.name and turn.slot(name).type == "address"
        ),
        None,
    )
    if value is None or not turn.acceptable(slot.name, value):
        return False
    turn.set_slot(slot.name, value)
    move_on(frame)
    return True


def address_switches(turn: Turn, text: str) -> dict[str, str] | None:
    """At the confirmation of an order for another option (a pickup), a whole address said
    without naming one ("To Boddinstraße 11, 12053, name Horvat"): the option the address
    implies, as a correction (delivery, to that address)."""
    if find_address(text) is None:
        return None
    slots = turn.session["slots"]
    for name, (choice, option) in implied_choices(turn.bot).items():
        chosen = slots.get(choice)
        if turn.slot(name).type == "address" and chosen not in (None, option):
            return {choice: option} if turn.acceptable(choice, option) else None
    return None


@lru_cache(maxsize=32)
def implied_choices(bot: Bot) -> dict[str, Choice]:
    """Each slot whose every `ask` is guarded by the same choice, with that choice."""
    guards: dict[str, set[Choice | None]] = {}
    for flow in bot.flows.values():
        branches = [(pc, step) for pc, step in enumerate(flow.program) if isinstance(step, Branch)]
        for pc, step in enumerate(flow.program):
            if isinstance(step, Ask):
                held = {
                    _choice_in(bot, branch.condition.source)
                    for at, branch in branches
                    if at < pc < branch.otherwise
                }
                guards.setdefault(step.slot, set()).add(_one(held - {None}))
    return {
        slot: choice
        for slot, found in guards.items()
        if len(found) == 1 and (choice := next(iter(found))) is not None
    }


def _one(choices: set[Choice | None]) -> Choice | None:
    return next(iter(choices)) if len(choices) == 1 else None


def _choice_in(bot: Bot, source: str) -> Choice | None:
    """`slot == 'option'` of a choice slot, alone or as one part of an `and`."""
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except SyntaxError:
        return None
    parts = tree.values if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.And) else [tree]
    found = {choice for part in parts if (choice := _equality(bot, part)) is not None}
    return _one(set(found))


def _equality(bot: Bot, node: ast.expr) -> Choice | None:
    if not (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], ast.Eq)
        and isinstance(node.left, ast.Name)
        and isinstance(node.comparators[0], ast.Constant)
        and isinstance(node.comparators[0].value, str)
    ):
        return None
    slot = bot.slots.get(node.left.id)
    option = node.comparators[0].value
    if slot is None or slot.type != "choice" or slot.choices is None:
        return None
    if option not in slot.choices.choices:
        return None
    return node.left.id, option
