"""What "it" is in a change, when the sentence before named one line: "my son says the Diavola
is too spicy for him. Make it a Salami instead — also large" swaps the Diavola (it ordered a
second pizza), not the line ordered last; and "them" in "swap them for ham" after the
mushrooms of "on the one with mushrooms": the mushrooms."""

from __future__ import annotations

from typing import Final

from framework.flows.edit_words import CHANGING
from framework.flows.named_things import Thing, line_with, named_things
from framework.flows.turn import Turn

__all__ = ["it_named"]

_IT: Final = frozenset({"it", "es", "sie", "ihn"})


def it_named(turn: Turn, words: list[str], before: tuple[list[str], list[Thing]]) -> list[str]:
    """The words, "it" after a word of changing ("make it", "mach sie") or "drauf", "on it" in
    a sentence that names no item said as the one item of the cart the sentence before named
    ("make the Diavola …", "Schinken auf die Diavola"); none when "it" is an item the sentence
    before ordered anew (`_its_new`)."""
    if _its_new(turn, words, before):
        return []
    words = _swapped_named(turn, words)
    said, things = before
    items = [t for t in things if t.group is None]
    if len(items) != 1 or line_with(turn, items[0]) is None:
        return words
    name = said[items[0].start : items[0].end]
    for at, word in enumerate(words[1:], 1):
        if word in _IT and words[at - 1] in CHANGING:
            return [*words[:at], "the", *name, *words[at + 1 :]]
    if any(thing.group is None for thing in named_things(turn.bot, words)):
        return words
    for at, word in enumerate(words):  # "Die Diavola ist scharf genug. Lieber Schinken drauf."
        if word in _ON_IT:
            return [*words[:at], "auf", "die", *name, *words[at + 1 :]]
        if word == "on" and words[at + 1 : at + 2] == ["it"]:  # "… Put ham on it instead."
            return [*words[:at], "on", "the", *name, *words[at + 2 :]]
    return words


_ON_IT: Final = frozenset({"drauf", "darauf"})


def _its_new(turn: Turn, words: list[str], before: tuple[list[str], list[Thing]]) -> bool:
    """Whether "it" in a sentence that names no item is the item the sentence before ordered
    anew ("… make that a medium Diavola instead, no extras. My sister wants it spicy"): what it
    says is of that one, no line of the cart."""
    if _IT.isdisjoint(words) or any(t.group is None for t in named_things(turn.bot, words)):
        return False
    items = [t for t in before[1] if t.group is None]
    return bool(items) and line_with(turn, items[-1]) is None


_THEM: Final = frozenset({"them", "it", "sie", "es"})
_SWAPPING: Final = frozenset({"swap", "switch", "change", "replace", "tausch", "tausche", "ersetz"})


def _swapped_named(turn: Turn, words: list[str]) -> list[str]:
    """ "on the one with mushrooms, swap them for ham": "them" after a word of swapping is the
    choice named last before it (the mushrooms), as if said by name; "not Salami, change it to
    a medium Diavola": the item of the cart named last before it."""
    for at, word in enumerate(words[1:], 1):
        if word in _THEM and words[at - 1] in _SWAPPING:
            before = list(named_things(turn.bot, words[:at]))
            if not before or (before[-1].group is None and line_with(turn, before[-1]) is None):
                continue
            the = ["the"] if before[-1].group is None else []
            named = words[before[-1].start : before[-1].end]
            return [*words[:at], *the, *named, *words[at + 1 :]]
    return words
