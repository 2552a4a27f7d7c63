"""An item's name that is also a word of a knowledge question ("veggie": the Vegetaria, and
vegetarian food): asked about in a question with nothing that orders it before it ("any veggie
options?", "what veggie pizzas do you have?"), it is the question; with a count, an article or
a size before it ("can I get a large veggie?", "A veggie please") it is the item."""

from __future__ import annotations

from collections.abc import Sequence

from framework.flows.understanding.matching import Match, PhraseIndex
from framework.flows.understanding.segments import leads_an_item

__all__ = ["asked_by_name"]


def asked_by_name(
    words: Sequence[str],
    name: Match,
    question: bool,
    knowledge: PhraseIndex,
    choice_words: frozenset[str],
) -> bool:
    """Whether the item's name at `name` asks the knowledge question written the same way."""
    if not question:
        return False
    before = words[name.start - 1] if name.start else ""
    if before and (leads_an_item(before) or before in choice_words):
        return False
    return any(
        asked.start == name.start and asked.end == name.end and knowledge.written(words, asked)
        for asked in knowledge.find_all(words)
    )
