"""A choice named only to be refused ("ohne Zwiebeln", "keine Oliven bitte", "I don't like
ham", "alles außer Oliven", "skip the onions"): read alike in a message's mentions and in a
plain answer to "Extras dazu?", which must never add what the customer refused."""

from __future__ import annotations

from collections.abc import Sequence

from framework.flows.understanding.combining import NOT_WANTED
from framework.flows.understanding.negation import dropped, excepted, negated, not_had, replaced

__all__ = ["refused"]


def refused(words: Sequence[str], start: int) -> bool:
    """Whether the value that begins at `words[start]` is said not to be wanted."""
    return (
        (start > 0 and words[start - 1] in NOT_WANTED)
        or negated(words, start)
        or not_had(words, start)  # "but I don't like olives"
        or excepted(words, start)
        or dropped(words, start)
        or replaced(words, start)  # "Oliven statt Schinken"
    )
