"""The story before the order: "I brew beer in a small brewery in Leuven and I am here for a
craft beer fair. One large Quattro Formaggi and one beer, please." orders one beer, and "I make
water puppets, I come to Berlin for a festival. I want one pizza Salami …" no water.

A sentence tells a story when its speakers do something in it ("I", "we", "ich", "wir"), or
the things it names do ("das Wasser stand zwei Zentimeter hoch", "the beer was warm"), that is
not ordering (no word of wanting, taking or asking), every item it names stands between words
of theirs (no count or choice before it, a word of the story after it), and a later sentence of
the message names an item (the order comes after it) or the message ends with a question (they
ask before they order). A sentence of a story names no order."""

from __future__ import annotations

from typing import Final

from framework.flows.understanding.lexicon import Lexicon
from framework.flows.understanding.matching import DEFINITE
from framework.flows.understanding.numbers import word_to_number
from framework.flows.understanding.second_thoughts import Part

__all__ = ["items_named", "of_someone", "tells_a_story", "without_introduction", "without_story"]

_SPEAKERS: Final = frozenset({"i", "we", "ich", "wir", "im", "ive", "mir", "mer"})
"""The speakers; Bavarian, Franconian, Swabian "mir" and Hessian, Palatine "mer" are "wir"
("Mir sin zu dritt … und ham heud den ganzen Tag am Messestand Bier ausgschenkt")."""
_BEFORE_TODAY: Final = frozenset({"yesterday", "gestern", "vorgestern", "gescht", "geschter"})
"""A sentence that opens with a day gone tells what was, it orders nothing (before the order)."""
_THEIRS: Final = frozenset({"my", "our", "mein", "meine", "meinen", "unser", "unsere", "unseren"})
"""Words of the speakers' own things: "mir ham … unser Bio-Bier ausgschenkt" tells a story."""
_ORDERING: Final = frozenset(
    {"want", "wants", "like", "take", "get", "order", "need", "please", "pls", "give"}
    | {"would", "d", "ll", "can", "could", "may", "bring", "send", "deliver", "gonna", "fancy"}
    | {"moechte", "moechten", "moecht", "haette", "haetten", "haett", "nehme", "nehmen", "nehm"}
    | {"will", "wollen", "bestelle", "bestellen", "krieg", "kriege", "kriegen", "brauche"}
    | {"brauchen", "gern", "gerne", "bitte", "bringt", "schickt", "liefert", "mag"}
    | {"nimm", "nehmt", "plus", "dazu", "noch"}
)
"""Words of ordering: a sentence with any of them may order what it names."""


def without_story(
    sentences: list[list[Part]], lexicon: Lexicon, *, asks: bool = False
) -> list[list[Part]]:
    """The sentences, those of a story before the order or before the question the message
    ends with (`asks`: "Mir sin zwei aus Mendig, do wo dat Bier en de Lavakeller reift. Wie
    lang dauert dat, bis ihr liefert?" orders nothing yet) without their item parts, and
    without the parts of an aside about an item named before it ("And two waters — she's got
    me drinking water now" orders two)."""
    items = [any(has_item for _w, _m, has_item in parts) for parts in sentences]
    named: set[str] = set()
    kept = []
    for at, parts in enumerate(sentences):
        later = any(items[at + 1 :]) or (asks and at < len(sentences) - 1)
        if items[at] and later and _tells(parts, lexicon):
            parts = [part for part in parts if not part[2]]
        kept_parts = []
        for part in parts:
            said = items_named(part, lexicon)
            if not (said and said <= named and _an_aside(part[0], lexicon)):
                kept_parts.append(part)
            named |= said
        kept.append(kept_parts)
    return kept


def items_named(part: Part, lexicon: Lexicon) -> set[str]:
    """The items a part of a message names (none when it names no item)."""
    words, _mention, has_item = part
    return {m.value for m in lexicon.items(frozenset()).find_all(words)} if has_item else set()


def _an_aside(words: list[str], lexicon: Lexicon) -> bool:
    """Words of the speakers about items inside their words, no word of ordering."""
    return not _US.isdisjoint(words) and _ORDERING.isdisjoint(words) and _all_inside(words, lexicon)


_SPOKEN_TO: Final = frozenset({"me", "us", "mich", "uns"})
"""The speakers as someone does something to them ("she's got me drinking water now")."""
_OTHERS: Final = frozenset(
    {"he", "she", "they", "his", "her", "their", "er", "sie", "sein", "seine", "ihre"}
    | {"buddy", "mate", "kollegin", "kollege", "freundin", "freund", "mann", "frau"}
)
"""Others of the party by a word of their own ("my buddy say he gon drink beer")."""
_US: Final = _SPEAKERS | _THEIRS | _SPOKEN_TO
_SOMEONE: Final = _US | _OTHERS


def of_someone(words: list[str]) -> bool:
    """Words of what someone of the party does or likes, no word of ordering ("my buddy say
    he gon drink beer", "meine Kollegin trinkt nur Wasser")."""
    return not _SOMEONE.isdisjoint(words) and _ORDERING.isdisjoint(words)


def without_introduction(words: list[str], lexicon: Lexicon) -> list[str]:
    """The words after the speaker's introduction of themselves ("colac boy here doin a gap
    year", "hey, big Hawaii fan here"): a few words and "here" name who writes, not an order.
    Not when a count, a size or a word of ordering is among them ("two Colas here please")."""
    if "here" not in words[:_INTRODUCTION]:
        return words
    here = words.index("here")
    said, after = words[:here], words[here + 1] if here + 1 < len(words) else ""
    if not said or not _ORDERING.isdisjoint([*said, after]) or after in _HERE_AS_PLACE:
        return words
    menu = lexicon.choice_words()
    if any(word in menu or word_to_number(word) is not None for word in said):
        return words
    if len(said) == 1 and lexicon.items(frozenset()).exact(said):
        return words  # "… and the Funghi here": an item, not a writer
    return words[here + 1 :]


_INTRODUCTION: Final = 5
"""Words of an introduction at most, "here" included ("hey mate, colac boy here")."""
_HERE_AS_PLACE: Final = frozenset({"and", "too", "for", "to", "now", "is", "are"})
"""After "here", a word that makes it a place ("here and there", "here to eat")."""


def tells_a_story(words: list[str], lexicon: Lexicon) -> bool:
    """Whether the words of one clause tell of the speakers, every item in them inside their
    story ("here with my colleague for a water workshop"): no one orders there."""
    return _of_the_speakers(words) and _all_inside(words, lexicon)


def _tells(parts: list[Part], lexicon: Lexicon) -> bool:
    words = [word for part in parts for word in part[0]]
    if words[:1] and words[0] in _BEFORE_TODAY and _ORDERING.isdisjoint(words):
        return True  # "Yesterday was Songkran, we splash water with friends, very cold water!"
    return (_of_the_speakers(words) or _of_the_things(words, lexicon)) and all(
        _all_inside(_with_what_follows(parts, at, lexicon), lexicon)
        for at, (_words, _mention, has_item) in enumerate(parts)
        if has_item
    )


def _with_what_follows(parts: list[Part], at: int, lexicon: Lexicon) -> list[str]:
    """A part's words, and the first word of the next part when that names no item and no
    count or article comes before the part's last word: the story goes on after the comma
    ("bei zwee Grad Wassa, und jetze hab ick 'n Hunger", "i schliif Mineralie, drum bin i
    do"); not in a list ("ich trinke Cola, mein Mann Bier"), nor after a count ("make it two
    Margheritas, both the same")."""
    words = parts[at][0]
    following = parts[at + 1] if at + 1 < len(parts) else None
    if following is None or following[2] or not following[0]:
        return words
    ending = [m for m in lexicon.items(frozenset()).find_all(words) if m.end == len(words)]
    if not ending or ending[0].start == 0 or word_to_number(words[ending[0].start - 1]) is not None:
        return words
    return [*words, following[0][0]]


def _of_the_speakers(words: list[str]) -> bool:
    """The speakers or their things are in the words, and no word of ordering."""
    return not (_SPEAKERS | _THEIRS).isdisjoint(words) and _ORDERING.isdisjoint(words)


def _of_the_things(words: list[str], lexicon: Lexicon) -> bool:
    """Every item in the words is one already there ("the", "das"), and no word of ordering:
    "das Wasser stand zwei Zentimeter hoch" in the story of a flooded kitchen."""
    found = lexicon.items(frozenset()).find_all(words)
    return _ORDERING.isdisjoint(words) and all(
        match.start > 0 and words[match.start - 1] in DEFINITE for match in found
    )


def _all_inside(words: list[str], lexicon: Lexicon) -> bool:
    menu = lexicon.menu_words() | lexicon.choice_words()
    return all(
        _inside(words, match.start, match.end, menu)
        for match in lexicon.items(frozenset()).find_all(words)
    )


def _inside(words: list[str], start: int, end: int, menu: frozenset[str]) -> bool:
    """Whether the item's name stands inside the speaker's words, with a word of theirs
    before it and a word of the story after it ("make water puppets", "at a beer garden",
    "brew beer in …"), not in a list ("ich: Funghi", "Cola und Bier") nor described
    ("kleine Funghi") nor wanted ("a beer for me")."""
    before, after = words[start - 1] if start else "", words[end] if end < len(words) else ""
    theirs = before in DEFINITE or (
        before.isalpha() and before not in menu and before not in _SPEAKERS
    )
    return theirs and after.isalpha() and after not in menu and after not in _TAILS


_TAILS = _SPEAKERS | {"too", "also", "auch", "then", "dann", "please", "pls", "bitte", "for"}
_TAILS |= {"fuer", "with", "mit", "and", "und", "or", "oder", "each", "jeweils", "thanks"}
