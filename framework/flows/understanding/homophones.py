"""Numbers that voice input writes as words that sound alike: "I'd like to large
margheritas and for cokes" is two large Margheritas and four Colas."""

from __future__ import annotations

from typing import Final

__all__ = ["homophones"]

_SIZES: Final = frozenset({"small", "medium", "large", "big", "regular"})
_ORDERING: Final = frozenset(
    {"like", "have", "get", "want", "order", "and", "plus", "also", "with"}
)


def homophones(words: list[str]) -> list[str]:
    """ "like to large margheritas", "and for cokes": "to"/"too" before a size and "for"
    before things counted in the plural, right after a word of ordering, are numbers."""
    read = list(words)
    for at in range(1, len(words) - 1):
        before, word, after = words[at - 1], words[at], words[at + 1]
        if before not in _ORDERING:
            continue
        if word in ("to", "too") and after in _SIZES:
            read[at] = "two"
        elif word == "for" and len(after) > 3 and after.endswith("s") and after[:-1] not in _SIZES:
            read[at] = "four"
    return read
