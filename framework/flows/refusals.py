"""A person's "no" in a group order: refusing their whole order ("Tom will doch keine"),
some of its extras ("keine Pilze", "doesn't want mushrooms"), or something the bot does not
sell ("dass ihre Freundin keine Ananas mag"), which leaves the order as it is."""

from __future__ import annotations

import itertools
from typing import Final

from framework.flows.named_things import named_things
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for

__all__ = ["NO", "refuses", "refuses_them"]

NO: Final = frozenset({"keine", "kein", "keinen", "no", "nix", "nichts", "nothing"})
_REFUSING: Final = frozenset({"ohne", "without", "doesnt", "dont", "wont"})
_SHORTENED: Final = frozenset({"doesn", "don", "won", "didn"})
_DOES: Final = frozenset({"does", "do", "did", "will", "would"})
""""doesn't" as the words it becomes ("doesn", "t")."""
_NOTHING_BUT: Final = frozenset(
    {"mehr", "more", "pizza", "pizzen", "pizzas", "essen", "food", "hunger"}
)
"""After "no", words that still refuse the person's whole order ("keine Pizza mehr")."""


def refuses(words: list[str]) -> bool:
    """ "keine Pilze", "ohne Oliven", "doesn't want mushrooms", "won't eat olives"."""
    shortened = any(
        (a in _SHORTENED and b == "t") or (a in _DOES and b == "not")  # "does not like olives"
        for a, b in itertools.pairwise(words)
    )
    return bool((NO | _REFUSING) & set(words)) or shortened


def refuses_them(turn: Turn, words: list[str]) -> bool:
    """A "no" that is about the person's order: not one followed by a word the bot does not
    sell ("keine Ananas mag": an ingredient disliked, no order taken back)."""
    return bool(NO & set(words)) and not any(
        word in NO
        and after.isalpha()
        and after not in _NOTHING_BUT | lexicon_for(turn.bot).kind_words
        and not any(named_things(turn.bot, [after]))
        for word, after in itertools.pairwise(words)
    )
