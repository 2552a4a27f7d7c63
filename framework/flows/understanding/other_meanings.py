"""Catalog words that name something else beside certain words: another product ("Diet Coke",
"tap water"), a feeling ("großen Hunger"), a price ("the delivery fee"). The lexicon blocks
these phrases, so the name in them is not read as the item or the choice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

__all__ = ["INTERJECTIONS", "NOT_CHOSEN", "VARIANT_AFTER", "VARIANT_BEFORE", "variants_of"]

VARIANT_BEFORE: Final = (
    "diet",
    "light",
    "lite",
    "cherry",
    "vanilla",
    "decaf",
    "sugar free",
    "caffeine free",
    "alcohol free",
    "non alcoholic",
    "vegan",
    "gluten free",
    "zuckerfrei",
    "zuckerfreie",
    "zuckerfreies",
    "koffeinfrei",
    "koffeinfreie",
    "koffeinfreies",
    "alkoholfrei",
    "alkoholfreie",
    "alkoholfreies",
    "vegane",
    "veganes",
    "glutenfrei",
    "glutenfreie",
    "glutenfreies",
    "kirsch",
    "vanille",
    "tap",
    "ginger",
    "root",
)
VARIANT_AFTER: Final = ("light", "lite", "zero", "diet", "cherry", "vanilla", "vanille", "kirsch")
"""Words that make a catalog item's name another product ("Diet Coke", "Cola light",
"alkoholfreies Bier", "vegan Margherita", "tap water", "ginger beer"): the item is not what
was asked for, so the name is not read as it (said not to be on the menu, where a message
orders only it); a catalog name with such a word ("Cola Zero") stays what it is."""


_FEELINGS: Final = ("hunger", "durst", "appetit", "appetite", "kohldampf")
"""After a choice's word, what makes it no choice: "hab großen Hunger" is no large pizza."""
_COSTS: Final = ("fee", "fees", "charge", "charges", "gebühr", "zuschlag", "pauschale")
"""After a choice's word, the price for it: "pick it up and save the delivery fee" chooses no
delivery. Not "cost" nor "kosten", verbs as well ("what do onions cost extra?")."""
NOT_CHOSEN: Final = (*_FEELINGS, *_COSTS)


_FROM_THE_TAP: Final = (
    "from the tap",
    "out of the tap",
    "aus dem hahn",
    "vom hahn",
    "aus der leitung",
)
"""After a drink's name, what makes it tap water or draught ("he'll just drink water from the
tap"): not the bottle of the catalog."""


def variants_of(phrases: list[tuple[str, str]]) -> Iterator[str]:
    """Each (phrase, value)'s phrase with the words that make it another product."""
    for phrase, _ in phrases:
        yield from (f"{variant} {phrase}" for variant in VARIANT_BEFORE)
        yield from (f"{phrase} {variant}" for variant in (*VARIANT_AFTER, *_FROM_THE_TAP))


INTERJECTIONS: Final = ("ach mensch", "oh mensch", "och mensch", "mensch meier", "mensch maier")
"""Interjections with a command's word ("Ach Mensch, jetzt hagelt's … doch lieber liefern"):
no one asks for a person."""
