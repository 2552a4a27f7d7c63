"""A value said with "nicht" or "not" before it is the one the customer does not mean:
"mittel, nicht groß", "zwei, nicht drei", "I meant three, not four", "nicht die große"."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["dropped", "excepted", "negated"]

_NOT = frozenset({"nicht", "nich", "not"})
_BETWEEN = frozenset({"der", "die", "das", "den", "dem", "the", "a", "an", "ein", "eine", "so"})
"""Words that may stand between the "not" and its value ("nicht die große", "not the large")."""


def negated(words: Sequence[str], start: int) -> bool:
    """Whether the value that begins at `words[start]` is negated."""
    before = words[max(0, start - 2) : start]
    if before and before[-1] in _BETWEEN:
        before = before[:-1]
    return bool(before) and before[-1] in _NOT


_EXCEPT = frozenset({"ausser", "except", "besides", "apart"})


def excepted(words: Sequence[str], start: int) -> bool:
    """Whether the value at `start` is named as an exception ("außer den Oliven keine Extras":
    the olives said before, not a further wish)."""
    before = words[max(0, start - 2) : start]
    if before and before[-1] in _BETWEEN | {"den", "dem", "der", "from"}:
        before = before[:-1]
    return bool(before) and before[-1] in _EXCEPT


_DROPPING = frozenset({"drop", "remove", "skip", "lose", "streich", "streiche", "entferne"})


def dropped(words: Sequence[str], start: int) -> bool:
    """Whether the value at `start` is asked to go ("drop the delivery fee", "remove the
    olives"): it is not the one chosen."""
    before = words[max(0, start - 2) : start]
    if before and before[-1] in _BETWEEN:
        before = before[:-1]
    return bool(before) and before[-1] in _DROPPING
