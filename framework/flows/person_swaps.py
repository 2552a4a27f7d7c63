"""A person's pizza or drink swapped for another ("Lisa changed her mind, make hers a
Margherita", "Mike wants his as a Tonno instead"): their one line of that kind becomes the
item named, keeping the size and extras it can have."""

from __future__ import annotations

from typing import Final

from framework.flows.cart import describe_line
from framework.flows.edit_words import NOT, WITHOUT
from framework.flows.named_things import named_things
from framework.flows.session import CartLine
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for

__all__ = ["swap_theirs"]

_SWAPPING: Final = frozenset(
    {
        *("instead", "stattdessen", "lieber", "doch", "make", "mach", "soll", "changed"),
        *("switch", "switches", "swap", "swaps", "anders", "umentschieden", "rather", "as"),
        *("statt", "anstatt", "anstelle"),
    }
)
_ADDING: Final = frozenset(
    {"noch", "auch", "dazu", "also", "too", "another", "add", "adds", "extra"}
)
_ALSO: Final = frozenset({"auch", "also", "too"})


def swap_theirs(turn: Turn, words: list[str], theirs: list[CartLine]) -> str | None:
    """ "Lisa changed her mind, make hers a Margherita", "Mike wants his as a Tonno instead":
    their one line of that kind becomes the item named, with the size and extras it can keep
    ("Funghi statt Salami": the line of the item they have that is named). Not when the
    message adds ("und Max noch ein Bier") or names only an item they have."""
    said = set(words)
    found = lexicon_for(turn.bot).items(frozenset()).find_all(words)
    named = {m.value for m in found}
    starts = {m.start for m in found}
    adding = {  # "auch ein Bier" adds; "eine Hawaii, auch klein" says its size
        word
        for i, word in enumerate(words)
        if word in _ADDING
        and (word not in _ALSO or i + 1 >= len(words) or i + 1 in starts or i + 2 in starts)
        and (word != "extra" or i + 1 in starts)  # "an extra beer", not "nothing extra"
    }
    had = named & {line["item"] for line in theirs}  # "Lisa: doch lieber Funghi statt Salami"
    if len(named - had) != 1 or len(had) > 1 or not _SWAPPING & said or adding:
        return None
    [new] = named - had
    items = turn.bot.catalog.items
    pizza = "pizza" in items[new].tags
    same_kind = [
        line
        for line in theirs
        if ("pizza" in items[line["item"]].tags) == pizza and (not had or line["item"] in had)
    ]
    if len(same_kind) != 1 or same_kind[0]["item"] == new:
        return None
    line = same_kind[0]
    before = describe_line(turn.bot, turn.lang, line)
    line["item"] = new
    if WITHOUT.isdisjoint(said) and NOT.isdisjoint(said):  # "… a Hawaii with extra ham instead
        _said_for_it(turn, words, line)  # of the Salami": the ham, not the Salami's cheese
    turn.cart.reprice(line)
    return f"{before} → {describe_line(turn.bot, turn.lang, line)}"


def _said_for_it(turn: Turn, words: list[str], line: CartLine) -> None:
    """The choices the message names for the new item replace the line's of their groups."""
    options = turn.bot.catalog.items[line["item"]].options
    said = [t for t in named_things(turn.bot, words) if t.group is not None]
    for group in {str(t.group) for t in said if str(t.group) in options}:
        chosen = [t.value for t in said if str(t.group) == group]
        line["options"][group] = list(dict.fromkeys(chosen))
