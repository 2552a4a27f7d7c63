"""Extras for the pizza just ordered, said after it ("and extra ham on it as well", "noch
Oliven drauf", "auf beide noch Zwiebeln"): they go on that line (or on every line that can
have them), never a new line."""

from __future__ import annotations

from framework.flows.cart import describe_line
from framework.flows.named_things import Thing, many_choice_groups
from framework.flows.turn import Turn

__all__ = ["extend"]

_ALL_OF_THEM = frozenset({"beide", "beiden", "alle", "allen", "both", "all", "each", "jeweils"})
_ON_IT = frozenset({"drauf", "darauf", "dazu", "auch", "noch", "well", "too", "also", "it", "add"})
"""'… on it as well', 'noch Oliven drauf': an extra for the pizza just ordered."""


def extend(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    """Extras for the newest line that can have them, when nothing else is named and they
    do not answer the open question ("and extra ham on it as well", "noch Oliven drauf")."""
    many = many_choice_groups(turn.bot)
    if any(t.group not in many for t in things) or not _ON_IT & set(words):
        return None
    frame = turn.frame
    asked = turn.slot(frame["wait"]) if frame is not None and frame.get("wait") else None
    if asked is not None and asked.choices is not None and asked.choices.id in many:
        return None  # "Extras dazu?" is answered by the extras, not edited
    group = str(things[0].group)
    items = turn.bot.catalog.items
    fitting = [
        line for line in turn.session["cart"]["lines"] if group in items[line["item"]].options
    ]
    targets = fitting if _ALL_OF_THEM & set(words) else fitting[-1:]  # "auf beide noch Zwiebeln"
    for line in targets:
        chosen = line["options"].get(group, [])
        line["options"][group] = list(dict.fromkeys(chosen + [t.value for t in things]))
        turn.cart.reprice(line)
    return ", ".join(describe_line(turn.bot, turn.lang, line) for line in targets) or None
