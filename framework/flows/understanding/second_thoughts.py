"""Second thoughts inside a message: "eine große Salami, nee warte, lieber eine Diavola", "a
small Vegetaria… actually no, make it a medium", "eine Cola. Oder doch Cola Zero", "and a
beer. Or, hmm — water instead": which part takes back what, and what it puts in its place
(read by combining.py)."""

from __future__ import annotations

from typing import Any, Final

from framework.flows.model import Slot
from framework.flows.understanding.lexicon import Lexicon
from framework.flows.understanding.matching import Match

__all__ = [
    "ALSO",
    "SECOND_THOUGHTS",
    "TAKING_BACK",
    "Mention",
    "Part",
    "after_second_thoughts",
    "corrected",
    "fits_in_place",
    "second_thoughts",
    "takes_itself_back",
]

Mention = dict[str, Any]
"""Slot names and the values a part of a message names for them."""
Part = tuple[list[str], Mention, bool]
"""A part of a message: its words, what it names, and whether it names an item."""

SECOND_THOUGHTS: Final = frozenset(
    {
        "nee",
        "warte",
        "wait",
        "lieber",
        "rather",
        "actually",
        "sorry",
        "oops",
        "stattdessen",
        "instead",
        "moment",
    }
)

TAKING_BACK: Final = frozenset(
    {"ach", "oh", "hm", "ne", "nee", "nein", "na", "no", "nope", "warte", "wait"}
)
"""A part that starts so (or a part of nothing but TAKING_BACK: "ach ne,") takes back the
item before: "eine große Salami, nee warte, lieber eine große Diavola"; also Bavarian and
Austrian "na" (no): "drei Bier — na, da Bua kriagt a Wossa"."""


def after_second_thoughts(found: list[Match], words: list[str]) -> list[Match]:
    """The items named after second thoughts in the same part ("I was going to order a
    salami but actually … a large funghi"): the ones before them are not wanted."""
    turning = [
        at
        for at, word in enumerate(words)
        if word in SECOND_THOUGHTS and words[at + 1 : at + 2] not in (["of"], ["than"])
    ]  # "a Fanta instead of the lemonade": the lemonade is the one not wanted
    if len(found) < 2:
        return found
    given_up = _given_up(found, words)  # "statt ihrer Cola ein Wasser": not the Cola
    found = [match for match in found if match not in given_up] or found
    after = [match for match in found if turning and match.start > turning[-1]]
    return after or found


_IN_PLACE_OF: Final = frozenset({"statt", "anstatt", "anstelle"})


def _given_up(found: list[Match], words: list[str]) -> list[Match]:
    """The item right after "statt", "instead of": the one given up for another."""
    starts = [
        at + (2 if word == "instead" else 1)
        for at, word in enumerate(words)
        if word in _IN_PLACE_OF or words[at : at + 2] == ["instead", "of"]
    ]
    return [
        next(match for match in found if match.start >= start)
        for start in starts
        if any(match.start >= start for match in found)
    ]


def corrected(mentions: list[Mention], mention: Mention, has_item: bool, counts: set[str]) -> bool:
    """Second thoughts about the mention before: "eine Salami, nee warte, lieber eine Diavola"
    takes its place, with what was said for it and not said again (its count, its size, "no
    extras": "Prosciutto, small, no extras. actually no, make it Funghi"), "a small Vegetaria,
    actually no, make it a medium" changes its value. False when the part corrects nothing."""
    if has_item:
        mentions[-1] = mentions[-1] | mention
        return True
    if _corrects(mentions[-1], mention, counts):
        mentions[-1].update(mention)
        return True
    return False


def fits_in_place(previous: Mention, mention: Mention, slots: list[Slot], lexicon: Lexicon) -> bool:
    """Whether the item of second thoughts can have what was said before it ("onions then,
    and a Fanta instead" after a sold-out lemonade: the onions are the pizza's, the Fanta comes
    besides)."""
    items = [
        str(mention[slot.name]) for slot in slots if slot.type == "item" and slot.name in mention
    ]
    return not items or all(
        lexicon.takes(items[0], slot)
        for slot in slots
        if slot.name in previous and slot.type in ("choice", "choices")
    )


def second_thoughts(parts: list[Part], at: int) -> bool:
    """Whether the part at `at` begins second thoughts ("nee warte, …", "oder doch …"), or
    ends with "instead" after a pause."""
    words = parts[at][0]
    if not words:
        return False  # "the same" read as its item, nothing else said (same_as.py)
    rather = words[0] in ("oder", "or") and len(words) > 1 and words[1] in _RATHER
    after_a_pause = words[-1] in _INSTEAD and not (at and parts[at - 1][2])
    return words[0] in SECOND_THOUGHTS or rather or after_a_pause


def takes_itself_back(words: list[str], has_item: bool, lexicon: Lexicon) -> bool:
    """A part whose end takes back what it said, so the next one corrects it: "a small
    Vegetaria… actually no, a medium", "I wanted a Prosciutto but actually my wife is
    vegetarian, so a Funghi" (second thoughts after its item; not "a Salami, and actually
    also a beer")."""
    if words[-1:] and words[-1] in TAKING_BACK:
        return True
    named = lexicon.items(frozenset()).find_all(words) if has_item else []
    last = max((match.end for match in named), default=len(words))
    turning = any(word in SECOND_THOUGHTS - _INSTEAD for word in words[last:])
    return turning and not ALSO & set(words)  # "a Fanta instead, and a Cola Zero": the Fanta
    # replaces what was said before it, the next part takes nothing back


ALSO = frozenset({"also", "auch", "noch", "more", "mehr", "another", "too", "additionally"})
ALSO |= {"zusaetzlich", "ausserdem", "obendrein", "plus"}
"""Words that make what follows an addition, not second thoughts ("and actually also a beer",
"one of them also with mushrooms")."""
_RATHER: Final = SECOND_THOUGHTS | {"doch", "besser", "better", "maybe", "vielleicht"}
"""After "oder"/"or": the item before is taken back ("eine Cola. Oder doch Cola Zero")."""


_INSTEAD: Final = frozenset({"instead", "stattdessen"})
"""A part that ends so takes back the item before it after a pause ("and a beer. Or, hmm —
water instead"); right after another item it ends a list ("a large funghi and a large
margherita instead") and replaces nothing in it."""


def _corrects(previous: Mention, mention: Mention, counts: set[str]) -> bool:
    """A part of second thoughts that names another value for the mention before (and no
    other count): "eine große Salami, nee warte, eine kleine", "actually make it a medium",
    "mit Oliven, nee, mit Zwiebeln"."""
    if any(previous.get(name) != value for name, value in mention.items() if name in counts):
        return False
    return any(
        name in previous and previous[name] != value and (previous[name] or value)
        for name, value in mention.items()
        if name not in counts
    )  # extras too: "mit Oliven, nee, mit Zwiebeln" (not "nee, auch mit …": combining.py)
