"""The earlier mention a part points back to: "die Hawaii", "the Salami", "that one" in a later
part of the message is the one named before, not another; "the same medium Hawaii for me" is
another one like it; "two beers — brewskis" names the same two again. Read by combining.py."""

from __future__ import annotations

from typing import Final

from framework.flows.model import Slot
from framework.flows.understanding.lexicon import Lexicon
from framework.flows.understanding.matching import DEFINITE
from framework.flows.understanding.numbers import word_to_number
from framework.flows.understanding.recounted import count_slots
from framework.flows.understanding.second_thoughts import ALSO, Mention, Part

__all__ = ["named_again", "referred", "with_hesitation"]

_DEFINITE: Final = (
    DEFINITE
    | {"that", "this"}
    | {"your", "yer", "eure", "euer", "euren", "eurer", "eures", "eurem"}
)
"""The definite words, and the house's own ("one beer — I want to try your German beer", "ein
Bier, euer Bier soll ja gut sein"): the one just ordered, when the message ordered it."""
_SAME: Final = frozenset(
    {"same", "gleiche", "gleichen", "selbe", "selben", "dieselbe", "denselben"}
)


def referred(
    words: list[str], mention: Mention, mentions: list[Mention], slots: list[Slot]
) -> tuple[Mention | None, Mention]:
    """The earlier mention of the same item that "the Hawaii", "die Salami" points back to,
    when this part names no count of its own, and the part's mention; said as "the same"
    ("… and the same medium Hawaii for me"), no earlier one but the part as another of it,
    with its choices."""
    items = [slot.name for slot in slots if slot.type == "item" and slot.name in mention]
    if not items or not _points_back(words) or any(w.isdigit() for w in words):
        return None, mention
    item = mention[items[0]]
    earlier = next((m for m in reversed(mentions) if m.get(items[0]) == item), None)
    if earlier is None or _SAME.isdisjoint(words):
        return earlier, mention
    counts = count_slots(slots)
    return None, {**{n: v for n, v in earlier.items() if n not in counts}, **mention}


def _points_back(words: list[str]) -> bool:
    """Whether a definite word points back to an item said before; one after "for" names
    whom the item is for ("… and a medium Hawaii for the missus", "für die Kleine")."""
    return any(
        word in _DEFINITE and (at == 0 or words[at - 1] not in _FOR_SOMEONE)
        for at, word in enumerate(words)
    )


_FOR_SOMEONE: Final = frozenset({"for", "fuer"})


def with_hesitation(parts: list[Part], at: int) -> list[str]:
    """The part's words, after the "äh" of the part before when that was all it said
    ("zwöi Mineral – äh, zwöi Wasser")."""
    words = parts[at][0]
    before = parts[at - 1][0] if at else []
    return [*before, *words] if before and HESITATING.issuperset(before) else words


def named_again(
    words: list[str], mention: Mention, mentions: list[Mention], slots: list[Slot], lexicon: Lexicon
) -> bool:
    """The item just ordered with its count, named again at once by its name alone, with no
    count, article or choice ("two beers — brewskis for both of us", "ä Wasser – jaja,
    ausgerechnet Wasser"): the same ones."""
    if not mentions or not mention or len(mention) > 2:  # an item and its count at most
        return False
    counts = count_slots(slots)
    items = [slot.name for slot in slots if slot.type == "item" and slot.name in mention]
    if not items or set(mention) - counts - {items[0]}:
        return False
    before = mentions[-1]
    if before.get(items[0]) != mention[items[0]] or not counts & before.keys():
        return False
    found = lexicon.items(frozenset()).find_all(words)
    said = words[: found[0].start] if found else []
    if said[:1] and said[0] in HESITATING:  # "zwöi Mineral – äh, zwöi Wasser": put right,
        counts_before = {before[name] for name in counts & before.keys()}
        said = [w for w in said if w not in HESITATING and word_to_number(w) not in counts_before]
    return bool(found) and _only_remarks(said)


HESITATING: Final = frozenset(
    {
        "aeh",
        "aehm",
        "oeh",
        "uh",
        "uhm",
        "um",
        "umm",
        "er",
        "erm",
        "i",
        "ich",
        "mean",
        "mein",
        "meine",
    }
)
"""Words that put right what was just said ("äh", "I mean", "ich mein"): the same item with
the same count named after them is the same one."""


def _only_remarks(before: list[str]) -> bool:
    """Whether the words before the name only remark on it ("ä Wasser – jaja, ausgerechnet
    Wasser"), with nothing that makes it another: no count, article, "and", "also"."""
    return not any(
        word in _ANOTHER or word in ALSO or word_to_number(word) is not None for word in before
    )


_ANOTHER: Final = frozenset({"und", "and", "or", "oder", "for", "fuer", "a", "an", "ein", "eine"})
