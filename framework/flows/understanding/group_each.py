"""One each for a group: "jeder eine Cola, wir sind zu viert", "die beiden Kinder je eine
kleine Margherita", "für Lukas und mich je ne Diavola", "a beer for each of us"."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

from framework.flows.model import Slot
from framework.flows.understanding.normalize import KEPT_READINGS, normalize
from framework.flows.understanding.numbers import UNSAID, word_to_number
from framework.flows.understanding.second_thoughts import Mention, Part

__all__ = ["EACH", "PEOPLE", "children_among", "each_of_the_group", "for_each_child", "group_size"]

EACH: Final = frozenset(
    {"jeder", "jede", "jedes", "jeden", "jedem", "jeweils", "je", "everyone", "everybody", "each"}
    | {"round", "runde"}  # "a round of beers, there's five of us"
)
_GROUP_SIZE: Final = (
    re.compile(r"\bzu (zweit|dritt|viert|fuenft|sechst|siebt|acht)\b"),
    re.compile(
        r"\b(?:wir sind|mir sin|mir san|mir sind) (\w+)\b"
    ),  # Bavarian, Franconian "mir sin"
    re.compile(r"\b(?:there are|there re|we are|we re) (\w+)(?: of us)?\b"),
    re.compile(r"\b(\w+) of us\b"),
    re.compile(r"\b(?:fuer|for) (\w+) (?:personen|leute|people|persons)\b"),
    re.compile(r"\b(?:that s|thats|das sind|also) (\w+)\b"),
    re.compile(r"\b(?:uns|wir) (\w+?)(?:en)?\b"),
)
_ORDINAL_GROUPS: Final = {
    **{"zweit": 2, "dritt": 3, "viert": 4, "fuenft": 5},
    **{"sechst": 6, "siebt": 7, "acht": 8},
}


_TWO_OF_US: Final = re.compile(
    r"\b(?:ich und (?:mein|meine) \w+|me and (?:my|the) \w+|my \w+ and (?:i|me)|wir (?:beide|zwei)|"
    r"(?:mein|meine) \w+ (?:und|and) ich|"
    r"(?:my|mein|meine) \w+ (?:and|und) (?:her|his|my|ihr|ihre|sein|seine|mein|meine) \w+|"
    r"uns (?:beide|beiden|zwei)|we both|both of us|the two of us|us two|us both|"
    r"(?:one|eine[nr]?|ein) (?:for|fuer) (?:me|mich) (?:and|und) "
    r"(?:one|eine[nr]?|ein) (?:for|fuer) \w+)\b"
)
"""Two people ordering: "me and my roommate want … each", "wir beide nehmen je …", "one for
me and one for Lisa"."""


@lru_cache(maxsize=KEPT_READINGS)
def group_size(text: str) -> int | None:
    """How many people the message says are ordering ("wir sind zu viert", "four of us")."""
    said = normalize(text)
    for pattern in _GROUP_SIZE:
        found = pattern.search(said)
        if found:
            word = found.group(1)
            number = _ORDINAL_GROUPS.get(word) or word_to_number(word)
            if number is not None and 1 < number <= 20:
                return number
    return 2 if _TWO_OF_US.search(said) else None  # "six of us … me and my sister": six


_FOR_WHOM: Final = re.compile(
    r"\b(?:[Ff]ür|[Ff]uer|[Ff]or)(?:'?n)?\s+(?:(?:den|die|der|meinen|meine|my|the)\s+)?"
    r"([A-ZÄÖÜ][a-zäöüß]+|mich|mi|me)\b"
)


def _named_for(text: str) -> int | None:
    """How many people the message orders for by name ("für mi …, fürn Schorsch …, für die
    Gerda …, fürn Heiner …. Und jeder a Bier": four), when two or more."""
    me = {"mich": "me", "mi": "me"}
    named = {me.get(found.lower(), found.lower()) for found in _FOR_WHOM.findall(text)}
    return len(named) if len(named) > 1 else None


def each_of_the_group(
    text: str,
    sentences: list[list[Part]],
    slots: list[Slot],
    group: int | None,
) -> None:
    """ "Jeder eine Cola, wir sind zu viert", "a beer for each of us, there are four of us": one
    each for as many as the message (or an earlier one: `group`) says they are."""
    size = (
        (group_size(text) or group or _named_for(text))
        if EACH & set(normalize(text).split())
        else None
    )
    quantity = next((slot.name for slot in slots if slot.role == "quantity"), None)
    if quantity is None:
        return
    before = 0  # the count of the item said last: "two Margheritas for the kids, a Fanta each"
    for parts in sentences:
        for index, (words, mention, has_item) in enumerate(parts):
            theirs = before if before > 1 and not _US & set(words) else None  # "each of us":
            named = (
                _part_group(words)
                or _the_others(parts[:index], words, size)
                or _people_before(parts[:index], words)
                or _counted_after(parts[index + 1 : index + 3], words)
                or _counted_before(text, words)
                or _two_around(parts, index, words)
                or _them_named(parts[:index], words)
            )
            some = bool(_SOME_OF_US & set(words)) and not _ALL_OF_US & set(words)
            each = named or (theirs if some else size or theirs)  # as many as the people named
            both = _BOTH_WANT.search(" ".join(words)) is not None  # "Ella and Josh both want"
            if both and has_item and mention.get(quantity, 1) in (0, 1):
                mention[quantity] = 2
            elif (
                (each or (some and size))
                and has_item
                and (EACH & set(words) or _for_both(words))
                and mention.get(quantity, 1) == 1
                and not _one_of_each(words, parts[index + 1 :])
            ):  # "die beiden Kinder je eine"; "zu viert … de Kinder jeweils a kloane": how many?
                but = _but_some(words, parts[index + 1 :]) if each and not named else 0
                mention[quantity] = each - but if each and each > but else UNSAID
            elif has_item and (_ROUND | EACH) & set(words) and mention.get(quantity, 1) == 1:
                mention[quantity] = UNSAID  # "a round of beers", "für jeden n Bier": how many?
            elif has_item:
                before = int(mention.get(quantity, 1))
    _one_more_for_someone(sentences, quantity)


_ONE: Final = frozenset({"one", "eine", "einen", "eins", "ein", "ne", "nen", "another", "noch"})


def _one_more_for_someone(sentences: list[list[Part]], quantity: str) -> None:
    """ "a beer for me and one for Sam", "ein Bier für mich und eins für Jonas": one more of
    the item said for someone, for each "one for" after it (not "zwei Bier, eins für mich
    und eins für Jonas": the two are theirs already)."""
    for parts in sentences:
        last: Mention | None = None
        for words, mention, has_item in parts:
            if has_item:
                last = mention if _FOR & set(words) and mention.get(quantity) == 1 else None
            elif (
                last is not None
                and words[:1]
                and words[0] in _ONE
                and words[1:2]
                and words[1] in _FOR
            ):
                last[quantity] = int(last[quantity]) + 1
            elif words:
                last = None


_US: Final = frozenset({"us", "uns"})
_ROUND: Final = frozenset({"round", "runde"})
_BUT: Final = frozenset({"nur", "only", "except", "ausser", "but", "aber", "bis", "apart"})
_SOMEONE: Final = frozenset({"ich", "i", "me", "mir", "er", "sie", "he", "she"})


def _but_some(words: list[str], after: list[Part]) -> int:
    """ "wir sind fünf, jeder ein Bier, nur ich nehm ein Wasser", "a Coke each except me": the
    people who have something else instead (one less each)."""
    pairs = set(itertools.pairwise(words))
    count = int(any((but, me) in pairs for but in _BUT for me in _SOMEONE))
    for later, _mention, has_item in after:
        if EACH & set(later):
            break  # "… and a Fanta each except me": the Fanta's, not this one's
        count += bool(has_item and _BUT & set(later) and _SOMEONE & set(later))
    return count


_BOTH_WANT: Final = re.compile(
    r"\b(?:both (?:want|get|have|take|like|would like|d like)|(?:wollen|nehmen|moechten|kriegen|"
    r"bekommen|haetten gern|haetten gerne) (?:beide|alle beide))\b"
)
"""Two people named before want one each: "Ella and Josh both want small Hawaiis", "Lisa und
Tom wollen beide eine Margherita"."""

PEOPLE: Final = frozenset(
    {"kinder", "kids", "jungs", "maedels", "leute", "freunde", "friends", "boys", "girls"}
    | {"kollegen", "colleagues", "gaeste", "guests", "children", "toechter", "soehne", "sons"}
    | {"daughters", "twins", "zwillinge", "brothers", "sisters", "brueder", "schwestern"}
    | {"enkel", "grandkids", "grandchildren", "mates", "kumpels", "lads"}
)
"""People counted in groups ("die zwei Kinder", "my two daughters")."""
_SOME_OF_US: Final = PEOPLE | {"kiddos"}
"""Some of a group ("the kids … each"): not as many as the whole group."""
_ALL_OF_US: Final = _US | {"everyone", "everybody", "alle", "all", "jeden", "jedem"}


_FOR_BOTH: Final = frozenset({("fuer", "beide"), ("fuer", "beiden"), ("for", "both")})
_SHARING: Final = frozenset({"teilen", "share", "sharing", "split"})


def _for_both(words: list[str]) -> bool:
    """ "und für beide eine Cola": one each for two (not "eine für beide zum Teilen")."""
    return bool(_FOR_BOTH & set(itertools.pairwise(words))) and _SHARING.isdisjoint(words)


def _one_of_each(words: list[str], after: list[Part]) -> bool:
    """ "for both of us one Fanta and one water": one thing and another for the two of them,
    not one each of both."""
    return _for_both(words) and bool(after) and after[0][2] and EACH.isdisjoint(after[0][0])


def _part_group(words: list[str]) -> int | None:
    """How many the part itself says get one each: "die beiden Kinder je eine", "the two
    kids each a small one", "both boys each", "und für beide eine Cola"."""
    if _for_both(words):
        return 2
    if not EACH & set(words):
        return None
    if {"beiden", "beide", "both"} & set(words):
        return 2
    for word, after in itertools.pairwise(words):
        number = word_to_number(word)
        if number is not None and 1 < number <= 20 and after in PEOPLE:
            return number
    return None


_THAT_IS: Final = frozenset(
    {("das", "sind"), ("that", "s"), ("thats",), ("that", "makes"), ("macht",)}
)


def _counted_after(after: list[Part], words: list[str]) -> int | None:
    """ "Die Kinder kriegen je eine kleine Margherita, das sind drei", "a small Hawaii each, no
    extras — that's three": the count said right after the part that gives one each."""
    if not EACH & set(words):
        return None
    for following, _mention, has_item in after:
        if has_item:
            return None
        for lead in _THAT_IS:
            rest = following[len(lead) :]
            if tuple(following[: len(lead)]) == lead and len(rest) == 1:
                number = word_to_number(rest[0])
                return number if number is not None and 1 < number <= 20 else None
    return None


def _counted_before(text: str, words: list[str]) -> int | None:
    """ "… die Oma und die zwei Kinder. …, die Kinder jeweils eine kleine Hawaii": the people
    the part gives one each to, counted where the message named them first."""
    if not EACH & set(words):
        return None
    nouns = (PEOPLE | _CHILDREN) & set(words)
    said = normalize(text).split()
    for noun in nouns:
        for word, after in itertools.pairwise(said):
            number = word_to_number(word) if after == noun else None
            if number is not None and 1 < number <= 20:
                return number
    return None


_EACH_OF_SOME: Final = frozenset({"je", "jeweils", "each"})


def _the_others(before: list[Part], words: list[str], size: int | None) -> int | None:
    """ "Wir sind zu viert. Meine Frau und ich teilen uns 'ne große Tonno, die Nachbarn nehmen
    je 'ne mittlere Prosciutto": each of the others, the group less the two who ordered
    before (not the speaker's own part: "… und ich je eine")."""
    if size is None or _EACH_OF_SOME.isdisjoint(words) or not _SELF.isdisjoint(words):
        return None  # "a water for everybody" is for all of them
    earlier = " and ".join(" ".join(part[0]) for part in before)
    return size - 2 if size > 3 and _TWO_OF_US.search(earlier) else None


def _two_around(parts: list[Part], index: int, words: list[str]) -> int | None:
    """ "my daughter and her husband each want …", "… each for me and my wife": two people
    named in the part or its neighbours (of a group of five)."""
    if not EACH & set(words):
        return None
    around = " and ".join(" ".join(part[0]) for part in parts[max(0, index - 1) : index + 2])
    return 2 if _TWO_OF_US.search(around) else None


_THEM: Final = frozenset({"them", "ihnen", "die", "sie"})


def _them_named(before: list[Part], words: list[str]) -> int | None:
    """ "Kamau a large Salami …, Otieno a small Hawaii, and a Coke each for them": as many
    as the parts before name someone first, then what they have (a name, then a count)."""
    if not (EACH & set(words) and _THEM & set(words)):
        return None
    named = sum(
        1
        for said, _mention, has_item in before
        if has_item
        and len(said) > 1
        and word_to_number(said[0]) is None
        and word_to_number(said[1]) is not None
    )
    return named if named > 1 else None


_SELF: Final = frozenset({"ich", "mich", "mir", "i", "me", "myself"})
_FOR: Final = frozenset({"fuer", "for"})
_NAME_PART: Final = 3
"""Words at most in a part that only names a person ("für Lukas", "Anna")."""


def _people_before(before: list[Part], words: list[str]) -> int | None:
    """People named in the parts before, joined by "und"/commas to this one: "für Lukas und
    mich je ne Diavola", "Anna, Ben und ich je eine Cola", "for Tom and Ben a Coke each", "Kai
    und Ole wollen je eine Diavola" (the parts are split at "und": ["fuer", "lukas"], ["mich",
    "je", …])."""
    if not EACH & set(words):
        return None
    if words[0] not in _SELF and len(words) > 1 and words[1] in _WANTEACH:
        named = _names_said(before)  # "Kai und Ole wollen je eine Diavola"
        return named + 1 if named else None
    count = 1
    for earlier, _mention, has_item in reversed(before):
        if has_item or len(earlier) > _NAME_PART:
            break
        count += 1
        if earlier[0] in _FOR:
            return count
    return count if count > 1 and words[0] in _SELF else None


_WANTEACH = EACH | {"wollen", "moechten", "nehmen", "kriegen", "bekommen", "haetten"}
_WANTEACH |= {"want", "get", "have", "take", "would", "need", "like"}
"""After the last of the names, what makes them the ones who get one each: "Kai und Ole
wollen je eine Diavola", "Tom and Ben want a Coke each", "für Nora, Paul und Lisa je eine"."""


def _names_said(before: list[Part]) -> int:
    """How many people the parts right before name, a name a part ("Kai", "für Nora"); a
    heading before them is nobody ("Für die Kanzlei: Jana und Malte …")."""
    count = 0
    for earlier, _mention, has_item in reversed(before):
        if has_item or len(earlier) > 2 or (len(earlier) == 2 and earlier[0] not in _FOR):
            break
        count += 1
        if len(earlier) == 2:
            break  # "für Nora": the first of them
    return count


_CHILDREN: Final = frozenset(
    {"kind", "kinder", "kids", "kid", "child", "children", "kiddo", "kiddos"}
)
_A_CHILD: Final = frozenset(
    {"sohn", "tochter", "kleine", "kleiner", "kleinen", "junge", "maedchen", "kind", "bub"}
    | {"son", "daughter", "boy", "girl", "kid", "little", "baby", "enkel", "enkelin"}
)
"""Words of a person ordered for that say it is a child ("für meinen Sohn", "für die Kleine")."""


@lru_cache(maxsize=KEPT_READINGS)
def for_each_child(text: str) -> bool:
    """ "Jedes Kind kriegt eine Fanta", "a Fanta for each of the kids". Kept per text: a turn
    asks it of its message with every reading of the message's mentions (four to six times)."""
    if _CHILD_STEM.search(text) is None:  # most messages: no normalizing needed
        return False
    words = set(normalize(text).split())
    return bool(EACH & words and _CHILDREN & words)


_CHILD_STEM: Final = re.compile(r"kind|kid|child", re.IGNORECASE)


def children_among(people: Iterable[str | None]) -> int | None:
    """How many of the people the order's lines are for are children (None for none)."""
    children = {person for person in people if person and _A_CHILD & set(person.split())}
    return len(children) or None
