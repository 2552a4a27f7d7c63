"""Nothing extra on a pizza, in the customer's words: "ohne alles", "keine (weiteren) Extras",
"plain", "so wie sie ist", "nah, just as it comes", "nae extras" — the answer "none" to a
question of optional choices, and what a mention of an item says of its options."""

from __future__ import annotations

import itertools
from typing import Final

from framework.flows.understanding.combining import NOT_WANTED
from framework.flows.understanding.other_things import ENOUGH

__all__ = ["says_nothing_extra"]

_NONE_WORDS: Final = frozenset(
    {
        "alles",
        "extras",
        "extra",
        "belag",
        "toppings",
        "topping",
        "zutaten",
        "sonderwuensche",
        "things",
        "stuff",
        "was",
        "nix",
        "nichts",
        "anything",
        "etwas",
        "schnickschnack",
        "jedoens",
        "gedoens",
        "firlefanz",
        *("xtra", "xtras", "extrs", "extraz", "xtraz", "extrass", "topings", "toppins"),
    }
)
"""After a word of NOT_WANTED: nothing extra ("ohne alles", "keine Extras", "no toppings"; and
as typed in a hurry: "no extrs", "no xtras")."""
_PLAIN: Final = frozenset({"plain", "pur", "einfach"})
_REFUSED: Final = NOT_WANTED | {"nein", "nah", "nope"}
"""Before a word of _NONE_WORDS: "keine Extras", "nae extras" (Scots, read as "nein")."""


def says_nothing_extra(words: list[str]) -> bool:
    """ "ohne alles", "keine (weiteren) Extras", "plain", "so wie sie ist", "nothing on it",
    or a part that ends in "ohne"/"without"."""
    if _CUES.isdisjoint(words):
        return False  # most parts of an order: none of the ways of saying it can be there
    following = [*words[1:], ""]  # "keine weiteren Extras"; but "kein extra", "no extra for both"
    plain = [
        word
        for word, after in zip(words, following, strict=False)
        if word not in _FURTHER
        or not (after in _NONE_WORDS | _FURTHER or _last_further(word, after))
    ]
    pairs = itertools.pairwise(plain)
    said = f" {' '.join(words)} "
    return (
        _plain(words)
        or plain[-1:] in (["ohne"], ["without"])
        or any(first in _REFUSED and second in _NONE_WORDS for first, second in pairs)
        or any(_as_it_is(said, phrase) for phrase in _AS_IT_IS_SAID)
    )


def _as_it_is(said: str, phrase: str) -> bool:
    """The phrase said, not after "enough" ("the Diavola is hot enough as it is": no more
    spice, not no olives)."""
    at = said.find(phrase)
    while at >= 0:
        if said[:at].rsplit(" ", 1)[-1] not in ENOUGH:
            return True
        at = said.find(phrase, at + 1)
    return False


def _plain(words: list[str]) -> bool:
    """ "plain", "pur", "einfach" said of the pizza ("eine Margherita einfach", "einfach so"),
    not "einfach" as "just" before what to do ("Klingel kaputt, einfach anrufen")."""
    following = [*words[1:], ""]
    return any(
        word in _PLAIN and (word != "einfach" or after in _PLAIN_AFTER)
        for word, after in zip(words, following, strict=False)
    )


_PLAIN_AFTER: Final = frozenset({"", "so", "normal", "pur", "bitte", "danke"})


def _last_further(word: str, after: str) -> bool:
    """ "ohne weitere": a last word of _FURTHER that refuses nothing itself ("extra" does)."""
    return not after and word not in _NONE_WORDS


_FURTHER: Final = frozenset(
    {
        "weitere",
        "weiteren",
        "zusaetzliche",
        "zusaetzlichen",
        "sonstige",
        "sonstigen",
        "other",
        "further",
        "additional",
        "any",
        "more",
        "extra",
    }
)
"""Between "ohne"/"no" and "Extras": "ohne weitere Extras", "no other toppings"."""
_AS_IT_IS: Final = (
    "wie sie ist",
    "wie er ist",
    "wie es ist",
    "so wie sie",
    "as it is",
    "as is",
    "nothing on it",
    "nothing on them",
    "nothing on top",
    "nothing else on",
    "as it comes",
    "wie sie kommt",
    "nothing extra",
    "nichts extra",
    "nix extra",
    "nichts drauf",
    "nix drauf",
    "nichts weiter drauf",
    "ganz normal",
    "einfach normal",
    "just normal",
    "just regular",
)
_AS_IT_IS_SAID: Final = tuple(f" {phrase} " for phrase in _AS_IT_IS)
"""The phrases as they stand among the words of a message."""
_CUES: Final = _PLAIN | _REFUSED | {"ohne", "without"} | {phrase.split()[0] for phrase in _AS_IT_IS}
"""A word every way of saying nothing extra holds: a plain word, a refusal, a last "ohne", or
the first word of a phrase (a phrase is found among whole words: tokens hold no spaces)."""
