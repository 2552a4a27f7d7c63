"""A size word said of something other than a pizza ("I had a big lunch", "we had a big
breakfast", "ich hab großen Hunger", "eine große Runde"): no size chosen. Read beside
`people_called` ("die Kleinen": the children) wherever choices are found; so is one followed
by "genug" or "enough". An item said as an amount ("mit viel Wasser") or as the first word of
one of those nouns ("a beer festival") is no order either."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from framework.flows.understanding.numbers import word_to_number

__all__ = ["ENOUGH", "of_something_else", "only_told_of"]

_OTHER_THINGS: Final = frozenset(
    {"lunch", "breakfast", "dinner", "meal", "appetite", "day", "night", "week", "family"}
    | {"group", "party", "crowd", "game", "match", "fan", "hunger", "appetit", "fruehstueck"}
    | {"mittagessen", "abendessen", "tag", "woche", "familie", "runde", "gruppe", "feier"}
    | {"change", "changes", "correction", "question", "favour", "favor", "mistake", "problem"}
    | {"aenderung", "korrektur", "frage", "sache", "fehler", "dank", "dorst", "durst"}
    | {"storm", "thunderstorm", "rain", "hail", "wind", "gewitter", "sturm", "regen", "hagel"}
    | {"unwetter", "fair", "festival", "concert", "event", "trip", "city", "messe", "konzert"}
    | {"reise", "stadt"}
    | {"tower", "towers", "turm", "garden", "garten", "tent", "zelt", "hall", "museum"}
    | {"walk", "stroll", "detour", "spaziergang", "umweg", "spaziergaengle", "ausflug"}
    | {"buffalo", "buffaloes", "polo", "park", "pump", "pumps", "sports", "tank", "mill", "wheel"}
    | {"people", "lovers", "lover", "fans", "leute"}  # "yes we are cheese people"
)
"""Nouns a size word may describe at a pizzeria that are not pizzas: meals, hunger, the day,
the party, the weather, a fair, a trip or a walk, and the message itself ("one small change", "eine
kleine Änderung", "a big favour", "a big thunderstorm is starting"); after an item, places
named for it ("the big water tower", "a beer garden") and things named after it ("carabaos —
water buffalo", "a water pump")."""


ENOUGH: Final = frozenset({"enough", "genug", "genuch"})
"""After a choice: what something already is ("die Diavola ist scharf genug", "hot enough"),
not a wish for it."""


def of_something_else(words: Sequence[str], end: int) -> bool:
    """Whether the choice that ends before `words[end]` describes one of those nouns, or
    something that is so enough already."""
    return end < len(words) and (words[end] in _OTHER_THINGS or words[end] in ENOUGH)


_PLENTY: Final = frozenset({"viel", "vieel", "much", "plenty", "lots", "loads", "tons"})
_OF: Final = frozenset({"of", "o"})


def only_told_of(words: Sequence[str], start: int, end: int) -> bool:
    """Whether the item said in `words[start:end]` is told as an amount, not ordered ("das
    Neujahr mit viel Wasser", "lots of beer at the festival", "plenty o' water"), or names one
    of those other nouns ("over for a beer festival")."""
    before = words[max(0, start - 2) : start]
    return (
        (end < len(words) and words[end] in _OTHER_THINGS)
        or _carried_in(words, start)
        or (
            bool(before)
            and (
                before[-1] in _PLENTY
                or (len(before) == 2 and before[0] in _PLENTY and before[1] in _OF)
            )
        )
    )


def _carried_in(words: Sequence[str], start: int) -> bool:
    """ "big lads pullin wee carts o beer", "trucks full of crates of water": the item told
    of in other things, no serving of it ("two pints of beer", "a couple of Colas") and no
    count of those things."""
    if start < 2 or words[start - 1] not in _OF:
        return False
    things = words[start - 2]
    counted = start > 2 and word_to_number(words[start - 3]) is not None
    return len(things) > 3 and things.endswith("s") and things not in _SERVINGS and not counted


_SERVINGS: Final = frozenset(
    {"bottles", "cans", "glasses", "pints", "cups", "rounds", "litres", "liters", "servings"}
    | {"lots", "loads", "tons", "plenty", "kinds", "sorts", "types"}
)
