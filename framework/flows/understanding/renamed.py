"""An item named again in other words, to make sure it is understood: "an Sprudel, also a
Wasser", "two beers, i.e. two pilsners" — one item, not two; said again with another count, the
count is corrected ("zwei Bier, also drei Bier": three).

The part that renames begins with a word of explaining ("sprich", "d.h.", "das heißt", "i.e.",
"that is", "namely", "bzw.", or a concluding "so": "no wait, Funghi — so a small Funghi") or of
emphasis ("two beers, definitely two beers", "eine Cola, ja, eine Cola"), and
names the same item as the part before it, with no other item. "also" explains in German and
adds in English ("a coke, also a coke for my wife"): it renames only when the two parts name
the item by different words ("Sprudel", "Wasser").
"""

from __future__ import annotations

from typing import Final

from framework.flows.understanding.lexicon import Lexicon
from framework.flows.understanding.second_thoughts import Part

__all__ = ["without_renamings"]


_EXPLAINING = frozenset({"sprich", "bzw", "beziehungsweise", "namely", "ie", "dh", "genauer", "so"})
_EXPLAINING |= {"definitely", "really", "absolutely", "wirklich", "unbedingt", "genau", "yes", "ja"}
_EXPLAINING_PAIRS: Final = frozenset({("das", "heisst"), ("that", "is")})
_ALSO: Final = "also"


def without_renamings(sentences: list[list[Part]], lexicon: Lexicon) -> list[list[Part]]:
    """Each sentence's parts without those that rename the item of the part before; what the
    renaming says (a count, a size, an option) goes to that part."""
    kept: list[list[Part]] = []
    for parts in sentences:
        kept.append([])
        for part in parts:
            before = kept[-1][-1] if kept[-1] else None
            if before is not None and _renames(before, part, lexicon):
                before[1].update(part[1])
                continue
            kept[-1].append(part)
    return kept


def _renames(before: Part, part: Part, lexicon: Lexicon) -> bool:
    words, _mention, has_item = part
    if not (has_item and before[2] and words):
        return False
    explains = words[0] in _EXPLAINING or tuple(words[:2]) in _EXPLAINING_PAIRS
    if not (explains or words[0] == _ALSO):
        return False
    items = lexicon.items(frozenset())
    mine, theirs = items.find_all(words), items.find_all(before[0])
    if len(mine) != 1 or len(theirs) != 1 or mine[0].value != theirs[0].value:
        return False
    said = words[mine[0].start : mine[0].end], before[0][theirs[0].start : theirs[0].end]
    return explains or said[0] != said[1]
