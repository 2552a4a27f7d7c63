"""An extra moved from one pizza to another: "die Oliven gehören auf die Margherita, nicht auf
die Salami", "the jalapeños go on the Tonno, not the Margherita", "nicht auf die Salami,
sondern auf die Margherita": off the line named with "not", onto the other — never a pizza
replaced by the other, nor the extras dropped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from framework.flows.cart import describe_line
from framework.flows.edit_words import NOT
from framework.flows.named_things import Thing, holds, line_with, many_choice_groups
from framework.flows.one_of_the_group import SHARED_BY, one_of_theirs
from framework.flows.session import CartLine
from framework.flows.turn import Turn

__all__ = ["move_extras"]

_NEAR: Final = 3
"""How far before an item its "nicht"/"not" may stand ("nicht auf die Salami")."""


def move_extras(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    """The change when the sentence names extras and two items, one of them after "not"
    and holding the extras; None otherwise."""
    many = many_choice_groups(turn.bot)
    extras = [t for t in things if t.group in many]
    items = [t for t in things if t.group is None]
    if not extras or len(items) != 2 or len(extras) + 2 != len(things):
        return None
    negated = [t for t in items if NOT & set(words[max(0, t.start - _NEAR) : t.start])]
    if len(negated) != 1:
        return None
    source = negated[0]
    target = next(t for t in items if t is not source)
    off = _whose(turn, words, source, lambda line: all(holds(line, t) for t in extras))
    onto = _whose(turn, words, target, lambda line: True)
    if off is None or onto is None or off is onto or not all(holds(off, t) for t in extras):
        return None
    before = [describe_line(turn.bot, turn.lang, line) for line in (off, onto)]
    for extra in extras:
        group = str(extra.group)
        off["options"][group] = [c for c in off["options"].get(group, []) if c != extra.value]
        chosen = onto["options"].get(group, [])
        onto["options"][group] = list(dict.fromkeys([*chosen, extra.value]))
    for line in (off, onto):
        turn.cart.reprice(line)
    after = [describe_line(turn.bot, turn.lang, line) for line in (off, onto)]
    return ", ".join(f"{a} → {b}" for a, b in zip(before, after, strict=True))


def _whose(
    turn: Turn, words: list[str], item: Thing, fits: Callable[[CartLine], bool]
) -> CartLine | None:
    """The line of the item that the person named right before it has ("auf Dennis' Tonno,
    nicht auf Kalles Salami"; "Finn's" of a line for Finn and Leo: his one made a line of its
    own), else one that fits (the Salami with the jalapeños), else the item's line."""
    before = set(words[max(0, item.start - _NEAR) : item.start])
    lines = [line for line in turn.session["cart"]["lines"] if holds(line, item)]
    named = [m for line in lines for m in _members(line) if {m, f"{m}s"} & before]
    if len(named) == 1 and one_of_theirs(turn, named[0]):  # "Finn's" of Finn's and Leo's
        lines = [line for line in turn.session["cart"]["lines"] if holds(line, item)]
    theirs = [line for line in lines if named and line.get("person") == named[0]]
    fitting = [line for line in theirs or lines if fits(line)]
    return fitting[0] if len(fitting) == 1 else line_with(turn, item)


def _members(line: CartLine) -> list[str]:
    """Whom the line is for ("kalle"; "finn", "leo" of one they share)."""
    return [member for member in line.get("person", "").split(SHARED_BY) if member]
