"""Whether a count said alone is an item's count: "2" after "salami groß" at "anything
else?", "vier" at the extras of "ein paar Margherita", "I meant three, not four"; and when it
is no count at all ("it's number 13, not 31": a house number)."""

from __future__ import annotations

from typing import Final

from framework.flows.model import Slot
from framework.flows.turn import Turn
from framework.flows.understanding.extract import Mention
from framework.flows.understanding.negation import negated
from framework.flows.understanding.numbers import word_to_number

__all__ = ["count_of_nothing", "counts_the_item"]

_ADDRESS_WORDS: Final = frozenset(
    {"nummer", "hausnummer", "nr", "number", "strasse", "str", "street", "plz", "postcode"}
)


_COUNTED: Final = frozenset(
    {"stueck", "stk", "mal", "x", "pizzas", "pizzen", "pizza", "bitte", "please"}
)


def counts_the_item(turn: Turn, asked: Slot, words: list[str]) -> bool:
    """A count alone at "anything else?" ("2", "zwei Stück", "two pizzas"), right after one
    item whose count was not asked, or at a question of the item being ordered (its extras):
    how many of it, the answer to the question the customer expected (the quantity slot only:
    `_correction`). After several items, it is unclear."""
    counts = [word for word in words if word_to_number(word) is not None]
    if len(counts) != 1 or set(words) - set(counts) > _COUNTED:
        return False
    if asked.type in ("choice", "choices"):
        return True  # "vier" while the extras of "ein paar Margherita" are asked
    if asked.type != "yes_no":
        return False
    lines = turn.session["cart"]["lines"]
    newest = max((line.get("said", -1) for line in lines), default=-1)
    return sum(line.get("said") == newest for line in lines) == 1


def count_of_nothing(mention: Mention, words: list[str], lines_of: frozenset[str]) -> bool:
    """A count that belongs to no item named with it, in a message that is more than "make
    it 3" or speaks of an address ("it's number 13, not 31"): never a new quantity. `lines_of`:
    the slots cart lines are made of, what a count may come with (an item, a size; not
    delivery: "ich hab ja drei Hunde an der Leine. Doch liefern bitte")."""
    named = any(name in lines_of for name in mention)
    if _ADDRESS_WORDS & set(words):
        return not named
    instead_of_a_count = any(negated(words, i) and word_to_number(w) for i, w in enumerate(words))
    return not named and len(words) > 3 and not instead_of_a_count  # "I meant 3, not 4"
