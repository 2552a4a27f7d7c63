"""Extras for one of several pizzas ordered in the same message ("Eine große Salami und eine
kleine Funghi, bei einer bitte noch extra Zwiebeln", "a large Tonno and a medium Prosciutto,
and put olives on one of them"): which one is not said, so they go on none yet and the bot
asks which (which_line.py) — never onto the last one named. The answer ("Auf die Funghi")
takes the place of "one of them"."""

from __future__ import annotations

import re
from typing import Final

from framework.flows.bot_slots import item_slots
from framework.flows.model import label_for
from framework.flows.named_things import many_choice_groups
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.numbers import word_to_number
from framework.flows.which_line import one_of_them

__all__ = ["one_of_several"]

_ONE: Final = frozenset({"one", "eine", "einer", "einen"})
_PIECES: Final = re.compile(r"([,;.!?]+\s*|\s+(?:und|and|aber|but)\s+)", re.IGNORECASE)


def one_of_several(turn: Turn, text: str) -> tuple[str, list[str], list[str]] | None:
    """The message without its part of extras for one of the pizzas it orders, that part's
    words and the names of the items it could be about; None when it has no such part."""
    if _ONE.isdisjoint(tokens(text)):
        return None  # every "one of them" says "one"/"eine"/"einer"/"einen"
    lexicon, many = lexicon_for(turn.bot), many_choice_groups(turn.bot)
    items = lexicon.items(frozenset())
    extras = [lexicon.choices(turn.bot.catalog.groups[group]) for group in many]
    pieces = _PIECES.split(text)
    for at in range(0, len(pieces), 2):
        words = tokens(pieces[at])
        if one_of_them(words) is None or items.find_all(words) or _of_a_count(pieces, at):
            continue
        if not any(index.find_all(words) for index in extras):
            continue
        rest = "".join(pieces[:at] + pieces[at + 1 :])
        named = _each_one_of(turn, rest, many)
        if len(named) >= 2:
            default = turn.bot.business.language
            catalog = turn.bot.catalog.items
            return rest, words, [label_for(catalog[v].name, turn.lang, default) for v in named]
    return None


def _of_a_count(pieces: list[str], at: int) -> bool:
    """Whether the part right before names several ("2 große Salami, eine davon mit Käse"):
    then "one of them" is one of those."""
    before = tokens(pieces[at - 2]) if at >= 2 else []
    return any((word_to_number(word) or 0) > 1 for word in before)


def _each_one_of(turn: Turn, text: str, groups: frozenset[str]) -> list[str]:
    """The items the text orders one each of that can have extras, when it orders no more
    than one of any ("drei Salami, eine davon mit Oliven" is about the Salami: none)."""
    catalog, items = turn.bot.catalog.items, item_slots(turn.bot)
    named: list[str] = []
    for mention in turn.names_for_order(text):
        item = next((str(mention[name]) for name in items if name in mention), None)
        if item is None or not groups & set(catalog[item].options):
            continue
        if any(isinstance(v, int) and v > 1 for v in mention.values()):
            return []
        named.append(item)
    return list(dict.fromkeys(named))
