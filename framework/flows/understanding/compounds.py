"""Words of the menu inside a longer name: "Water-taxi captain from Union Island", "a bottle of
olive-oil from home", "zwei Prosciutto-Zeilen", "Groß-Gerau" name no water, olives, Prosciutto
or size. A menu word joined by a hyphen to a word the menu does not know is part of a
compound that names something else; the compound is read as one word. A hyphen between two
words of the menu ("Coca-Cola", "Cola-Zero"), to a joining word ("ham-and-cheese") or to a word
of size ("medium-sized", "large-ish") joins nothing."""

from __future__ import annotations

import re
from typing import Final

from framework.flows.understanding.lexicon import Lexicon
from framework.flows.understanding.normalize import tokens

__all__ = ["compounds_joined"]

_HYPHENED: Final = re.compile(r"(?<![\w-])([^\W\d_]+)-([^\W\d_]{3,})(?![\w-])")
_NOT_A_NAME: Final = frozenset(
    {"and", "und", "with", "mit", "ohne", "without", "oder", "auf", "ish", "one", "ones"}
    | {"size", "sized", "sizes", "groesse", "style", "type", "sorte", "extra", "extras"}
)


def compounds_joined(text: str, lexicon: Lexicon) -> str:
    """`text` with each compound of a menu word and another word written as one word."""
    if "-" not in text:
        return text
    known = lexicon.menu_words() | lexicon.choice_words()

    def joined(found: re.Match[str]) -> str:
        first, second = tokens(found[1]), tokens(found[2])
        compound = (
            len(first) == 1
            and first[0] in known
            and len(second) == 1
            and second[0] not in known
            and second[0] not in _NOT_A_NAME
        )
        return found[1] + found[2].lower() if compound else found[0]

    return _HYPHENED.sub(joined, text)
