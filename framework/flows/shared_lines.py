"""Lines several share without a person named for them ("zwei Bier", "a Fanta for each of
us"): one person's one of them taken out, not the line."""

from __future__ import annotations

from framework.flows.cart import describe_line
from framework.flows.edit_words import WHOSE_ITEM
from framework.flows.session import CartLine
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for

__all__ = ["one_of_shared", "one_of_the_shared", "shared_lines"]


def one_of_the_shared(turn: Turn, words: list[str], owned: bool = False) -> str | None:
    """ "Zwei Cola, eine für jeden" … "Paul will doch keine Cola": his one of the shared line,
    not both; `owned`: only of the items said as theirs ("sini Funghi und sis Bier striiche",
    not "remove his pizza, but keep all three waters")."""
    found = lexicon_for(turn.bot).items(frozenset()).find_all(words)
    named = {m.value for m in found if not owned or (m.start and words[m.start - 1] in WHOSE_ITEM)}
    shared = [line for line in shared_lines(turn) if line["item"] in named]
    return ", ".join(one_of_shared(turn, line) for line in shared) or None


def shared_lines(turn: Turn) -> list[CartLine]:
    """The lines several share without a person named for them ("a Fanta for each of us")."""
    lines = turn.session["cart"]["lines"]
    return [line for line in lines if line["quantity"] > 1 and "person" not in line]


def one_of_shared(turn: Turn, line: CartLine) -> str:
    """One person's one of a shared line taken out, said back ("2× Fanta → 1× Fanta")."""
    before = describe_line(turn.bot, turn.lang, line)
    line["quantity"] -= 1
    return f"{before} → {describe_line(turn.bot, turn.lang, line)}"
