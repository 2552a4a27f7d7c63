"""Several values in one message: "2 große Salami und eine Cola" → two mentions.

A message is cut into segments at commas and conjunctions; each segment that names a catalog
item starts a mention (item, its options, its quantity). A segment without an item ("…, groß")
adds to the mention before it — or, with "beide", "alle", "both", "each", to every mention
before it ("zwei Funghi und drei Tonno, beide groß"). Within a segment:

- an item named with an article or described without a number means one ("ne Cola",
  "large margherita with mushrooms"); a bare name ("Tonno") leaves the count to ask;
- a choice after "ohne", "kein", "no", "without" is not wanted ("Salami ohne Zwiebeln"), and
  "ohne alles", "keine Extras", "no toppings" answer a many-choice question with none.

Only the slots given (the running flow's) are filled.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

from framework.flows.model import Slot
from framework.flows.understanding.lexicon import Lexicon
from framework.flows.understanding.matching import PhraseIndex
from framework.flows.understanding.normalize import MAX_CHARS, tokens
from framework.flows.understanding.numbers import word_to_number
from framework.flows.understanding.slot_values import STREET_WORDS

__all__ = ["Mention", "extract_mentions", "speaks_for_all"]

Mention = dict[str, Any]
_SEPARATOR_WORDS = frozenset({"und", "unt", "and", "sowie", "plus", "ausserdem", "dazu", "&"})
_SEPARATOR_MARKS = re.compile(r"[,;+\n:]|\s[-–—]\s|[.!?]+(?:\s|$)")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n")
_MAX_QUANTITY = 99
_ARTICLES = frozenset({"ne", "nen", "n", "nem", "ner", "nes"})
"""Colloquial articles ("ne Cola", "'n Bier"): one, like "eine" and "a" (numbers already)."""
_NOT_WANTED = frozenset({"ohne", "kein", "keine", "keinen", "no", "without", "not", "minus"})
_NONE_WORDS = frozenset(
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
    }
)
"""After a word of _NOT_WANTED: nothing extra ("ohne alles", "keine Extras", "no toppings")."""
_PLAIN = frozenset({"plain", "pur", "einfach"})
_SECOND_THOUGHTS = frozenset(
    {
        "nee",
        "warte",
        "wait",
        "lieber",
        "rather",
        "actually",
        "sorry",
        "oops",
        "stattdessen",
        "instead",
        "moment",
    }
)
_TAKING_BACK = frozenset({"ach", "oh", "hm", "ne", "nee", "nein", "no", "nope", "warte", "wait"})
"""A part that starts so (or a part of nothing but _TAKING_BACK: "ach ne,") takes back the
item before: "eine große Salami, nee warte, lieber eine große Diavola"."""
_EVERY = frozenset(
    {
        "beide",
        "beiden",
        "alle",
        "alles",
        "allesamt",
        "jeweils",
        "sonst",
        "both",
        "all",
        "each",
        "either",
        "any",
        "neither",
    }
)


def speaks_for_all(text: str) -> bool:
    """Whether a message speaks for every item at hand ("beide ohne", "no extras on either")."""
    return bool(_EVERY & set(tokens(text[:MAX_CHARS])))


def _sentences(text: str) -> list[str]:
    """The message's sentences, without the clauses that say what the customer has already
    ("we've got plenty of water", "Getränke haben wir genug"): they order nothing."""
    sentences = (
        ",".join(part for part in sentence.split(",") if not _has_already(tokens(part)))
        for sentence in _SENTENCE_END.split(text[:MAX_CHARS])
    )
    return [sentence for sentence in sentences if sentence.strip()]


_HAVING = (
    ("we", "ve", "got"),
    ("we", "have", "got"),
    ("we", "got", "plenty"),
    ("we", "have", "plenty"),
    ("we", "have", "enough"),
    ("i", "ve", "got"),
    ("i", "have", "got"),
    ("i", "have", "plenty"),
    ("wir", "haben", "genug"),
    ("wir", "haben", "noch"),
    ("wir", "haben", "schon"),
    ("haben", "wir", "genug"),
    ("haben", "wir", "noch"),
    ("haben", "wir", "schon"),
    ("hab", "ich", "noch"),
    ("hab", "ich", "schon"),
    ("habe", "ich", "noch"),
    ("ich", "hab", "noch"),
    ("ich", "habe", "noch"),
)
"""Word runs that say the customer has something already."""


def _has_already(words: list[str]) -> bool:
    runs = {tuple(words[i : i + 3]) for i in range(len(words))}
    return any(having in runs for having in _HAVING)


def _segments(text: str) -> list[list[str]]:
    segments: list[list[str]] = []
    for part in _SEPARATOR_MARKS.split(text):
        current: list[str] = []
        for word in tokens(part):
            if word in _SEPARATOR_WORDS:
                segments.append(current)
                current = []
            else:
                current.append(word)
        segments.append(current)
    return [segment for segment in segments if segment]


def _mention(words: list[str], slots: list[Slot], lexicon: Lexicon) -> tuple[Mention, bool]:
    """The values one segment names, and whether it names an item."""
    mention: Mention = {}
    used: set[int] = set()
    has_item = False
    for slot in slots:
        if slot.type == "item" and not has_item:
            found = lexicon.items(slot.tags).find_all(words)
            if found:
                mention[slot.name] = found[0].value
                used.update(range(found[0].start, found[0].end))
                has_item = True
    for slot in slots:
        if slot.type in ("choice", "choices") and slot.choices is not None:
            _choices(mention, slot, lexicon.choices(slot.choices), words, used)
    quantity = next((slot for slot in slots if slot.role == "quantity"), None)
    if quantity is not None:
        described = has_item and len(mention) > 1  # the item came with a size or an option
        number = _quantity(words, used, described, has_item)
        if number is not None:
            mention[quantity.name] = number
    return mention, has_item


def _choices(
    mention: Mention, slot: Slot, index: PhraseIndex, words: list[str], used: set[int]
) -> None:
    found = [m for m in index.find_all(words) if m.start not in used]
    used.update(i for match in found for i in range(match.start, match.end))
    wanted = [m for m in found if not (m.start and words[m.start - 1] in _NOT_WANTED)]
    values = list(dict.fromkeys(match.value for match in wanted))
    if values:
        mention[slot.name] = values if slot.type == "choices" else values[0]
    elif slot.type == "choices" and (found or _nothing_extra(words)):
        mention[slot.name] = []  # "ohne Zwiebeln", "ohne alles": nothing of these


def _nothing_extra(words: list[str]) -> bool:
    """ "ohne alles", "keine (weiteren) Extras", "plain", "so wie sie ist", "nothing on it",
    or a part that ends in "ohne"/"without"."""
    plain = [word for word in words if word not in _FURTHER]
    pairs = itertools.pairwise(plain)
    return (
        bool(_PLAIN & set(words))
        or plain[-1:] in (["ohne"], ["without"])
        or any(first in _NOT_WANTED and second in _NONE_WORDS for first, second in pairs)
        or any(phrase in " ".join(words) for phrase in _AS_IT_IS)
    )


_FURTHER = frozenset(
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
_AS_IT_IS = (
    "wie sie ist",
    "wie er ist",
    "wie es ist",
    "so wie sie",
    "as it is",
    "as is",
    "nothing on it",
    "nothing on them",
    "nothing on top",
)


_NOT_A_COUNT_AFTER = frozenset(
    {
        "min",
        "mins",
        "minute",
        "minuten",
        "minutes",
        "uhr",
        "h",
        "std",
        "stunde",
        "stunden",
        "hour",
        "hours",
        "euro",
        "eur",
        "cm",
        "personen",
        "leute",
        "people",
        "persons",
        "jahre",
        "years",
        "tage",
        "days",
        "pm",
        "am",
    }
)
_NOT_A_COUNT_BEFORE = frozenset(
    {"in", "um", "at", "ab", "bis", "gegen", "nach", "nr", "nummer", "hausnummer", "number", "no"}
)
"""A number is a time, a price, an age or a house number here, not a count of items."""
_STREETISH = re.compile(rf"(?:{STREET_WORDS})$")
"""A word a house number follows."""


def _quantity(words: list[str], used: set[int], described: bool, has_item: bool) -> int | None:
    for index, word in enumerate(words):
        number = None if index in used else word_to_number(word)
        after = words[index + 1] if index + 1 < len(words) else ""
        before = words[index - 1] if index else ""
        if (
            after in _NOT_A_COUNT_AFTER
            or before in _NOT_A_COUNT_BEFORE
            or _STREETISH.search(before)
        ):
            continue  # "… Boddinstraße 7": a house number
        if number == 1 and word in ("a", "an") and (word_to_number(after) or 0) > 1:
            continue  # "a couple of beers", "a dozen": the next word counts
        if number is not None and 0 < number <= _MAX_QUANTITY:
            return number
    articles = _ARTICLES & {word for index, word in enumerate(words) if index not in used}
    if has_item and (described or articles):
        return 1  # "ne Cola", "large margherita with mushrooms": one, as a waiter hears it
    return None


def extract_mentions(text: str, slots: list[Slot], lexicon: Lexicon) -> list[Mention]:
    """Mentions in message order; empty when the flow has no catalog or choice slots.

    A turn reads one message for several sets of slots, several times: the result is kept
    per (text, slots) in the lexicon, and each caller gets its own copy to change."""
    key = (text, tuple(slot.name for slot in slots))
    found = lexicon.mentions.get(key)
    if found is None:
        found = _extract(text, slots, lexicon)
        if len(lexicon.mentions) >= _KEPT_READINGS:
            lexicon.mentions.clear()
        lexicon.mentions[key] = found
    return [{k: list(v) if isinstance(v, list) else v for k, v in m.items()} for m in found]


_KEPT_READINGS = 4096


def _extract(text: str, slots: list[Slot], lexicon: Lexicon) -> list[Mention]:
    """Sentence by sentence: a story before the order ("Kleine Geburtstagsfeier, es kommen 6
    Kinder.") names no order, and a count alone after it ("Danke euch 2!") none either."""
    if not any(slot.type in ("item", "choice", "choices") for slot in slots):
        return []
    sentences = [
        [(words, *_mention(words, slots, lexicon)) for words in _segments(sentence)]
        for sentence in _sentences(text)
    ]
    ordering = [any(has_item for _w, _m, has_item in parts) for parts in sentences]
    first = ordering.index(True) if True in ordering else 0
    mentions: list[Mention] = []
    for parts in sentences[first:]:
        _read(parts, mentions, slots, lexicon)
    leading = _without_leading_count(mentions, slots, lexicon.takes)
    return _once_each(_one_each(_without_context(leading, _counts(slots)), slots))


def _once_each(mentions: list[Mention]) -> list[Mention]:
    """A choice said twice is chosen once ("Diavola mit Jalapeños, ich kann's nicht scharf
    genug haben": "scharf" names the jalapeños again)."""
    for mention in mentions:
        for name, value in mention.items():
            if isinstance(value, list):
                mention[name] = list(dict.fromkeys(value))
    return mentions


def _one_each(mentions: list[Mention], slots: list[Slot]) -> list[Mention]:
    """An item ordered with its details, or in a list of several, but without a count is one
    ("Salami, groß"; "medium tonno + water + beer"), as a waiter hears it; a name alone
    ("Tonno") leaves the count to the flow's question. Decided last, so that a bare name
    before its detailed order stays context."""
    items = {slot.name for slot in slots if slot.type == "item"}
    count = next((slot.name for slot in slots if slot.role == "quantity"), None)
    ordered = [mention for mention in mentions if items & set(mention)]
    if count is not None:
        for mention in ordered:
            if len(ordered) > 1 or set(mention) - items - {count}:
                mention.setdefault(count, 1)
    return mentions


def _takes_back(words: list[str]) -> bool:
    """ "ach ne,", "oh wait," take back the item before; "oh," alone ("Oh and two beers")
    does not."""
    return set(words) <= _TAKING_BACK and bool(set(words) - _SIGHS)


_SIGHS = frozenset({"ach", "oh", "hm"})


def _has_items(mentions: list[Mention], slots: list[Slot]) -> bool:
    items = {slot.name for slot in slots if slot.type == "item"}
    return any(items & set(mention) for mention in mentions)


def _read(
    parts: list[tuple[list[str], Mention, bool]],
    mentions: list[Mention],
    slots: list[Slot],
    lexicon: Lexicon,
) -> None:
    correcting = False
    for words, mention, has_item in parts:
        if _one_made_into(words, mentions, slots, lexicon):
            continue
        correcting = correcting or words[0] in _SECOND_THOUGHTS
        if not has_item and mention.keys() <= _counts(slots) and _has_items(mentions, slots):
            mention = {}  # a count of nothing, after the order: a number of the story
        if not mention:
            correcting = correcting or _takes_back(words)
            continue
        earlier = _referred(words, mention, mentions, slots)
        if earlier is not None:
            earlier.update((n, v) for n, v in mention.items() if n not in _counts(slots))
        elif correcting and has_item and mentions:
            mentions[-1] = mention  # "eine Salami, nee warte, lieber eine Diavola"
        elif not has_item and _of_them(words) and (source := _source(mentions, slots)):
            _split(mentions, source, mention, slots)
        else:
            _add(mentions, mention, has_item, words, _counts(slots))
        correcting = False


_MAKING = frozenset({"make", "mach", "mache", "machst", "change", "aendere", "switch", "swap"})
_OF = frozenset({"of", "der", "von", "den"})


def _one_made_into(
    words: list[str], mentions: list[Mention], slots: list[Slot], lexicon: Lexicon
) -> bool:
    """ "make one of the Salamis a Diavola", "mach eine der Salami zur Diavola": of the
    earlier mention of the first item, one becomes the second item (with the same details
    where it can have them). False when the part says no such thing."""
    item_slot = next((slot for slot in slots if slot.type == "item"), None)
    if item_slot is None or not _MAKING & set(words):
        return False
    found = lexicon.items(item_slot.tags).find_all(words)
    ones = [i for i, word in enumerate(words[:-1]) if word in _ONE and words[i + 1] in _OF]
    if len(found) != 2 or not ones or ones[0] > found[0].start:
        return False
    old, new = found[0].value, found[1].value
    source = next((m for m in reversed(mentions) if m.get(item_slot.name) == old), None)
    counts = _counts(slots)
    count = next((n for n in counts if source is not None and n in source), None)
    if source is None or count is None or source[count] < 2:
        return False
    source[count] -= 1
    by_name = {slot.name: slot for slot in slots}
    made = {n: v for n, v in source.items() if n in counts or lexicon.takes(new, by_name[n])}
    made.update({item_slot.name: new, count: 1})
    mentions.insert(mentions.index(source) + 1, made)
    return True


_ONE = frozenset({"one", "eine", "einer", "eins", "einen", "einmal"})
_OTHER = frozenset({"other", "andere", "anderen", "zweite", "second"})


def _of_them(words: list[str]) -> bool:
    """A part about one of the items before: "one with jalapeños", "die andere ohne"."""
    return words[0] in _ONE or (len(words) > 1 and words[1] in _OTHER)


def _source(mentions: list[Mention], slots: list[Slot]) -> Mention | None:
    """The newest item mention whose count can still be shared out ("2 medium diavola")."""
    counts = _counts(slots)
    items = {slot.name for slot in slots if slot.type == "item"}
    for mention in reversed(mentions):
        if items & set(mention):
            count = next((mention[name] for name in counts if name in mention), 1)
            return mention if isinstance(count, int) and count >= 1 else None
    return None


def _split(mentions: list[Mention], source: Mention, part: Mention, slots: list[Slot]) -> None:
    """ "2 medium diavola, one with jalapeños, one without": one of them becomes a mention of
    its own with the part's values; the last one left takes the part's values itself."""
    counts = _counts(slots)
    name = next((n for n in counts if n in source), None)
    values = {n: v for n, v in part.items() if n not in counts}
    if name is None or source[name] <= 1:
        source.update(values)
        return
    source[name] -= 1
    one = {**source, **values}
    one[name] = 1
    mentions.insert(mentions.index(source), one)


def _add(
    mentions: list[Mention], mention: Mention, has_item: bool, words: list[str], counts: set[str]
) -> None:
    """A new mention, or the values of a part without an item for the mentions before it:
    every one's with "beide"/"both", and a part that says nothing extra ("a medium tonno and a
    medium salami, no extras", "no extras on the other two") is everyone's too; other values
    continue the last mention."""
    values = {name: value for name, value in mention.items() if name not in counts}
    nothing = bool(values) and all(value == [] for value in values.values())
    if mentions and not has_item and (_EVERY & set(words) or nothing):
        for previous in mentions:
            for name, value in values.items():
                previous.setdefault(name, value)
    elif mentions and not has_item and _joins(mentions[-1], mention):
        for name, value in mention.items():
            known = mentions[-1].get(name)
            mentions[-1][name] = known + value if isinstance(known, list) else value
    else:
        mentions.append(mention)


def _without_leading_count(
    mentions: list[Mention], slots: list[Slot], takes: Callable[[str, Slot], bool]
) -> list[Mention]:
    """A part before the first item is no order of its own: its count is not the item's
    ("liefern an Hauptstr. 3: eine …"), its other values are everyone's that can have them
    ("3 medium pizzas - a hawaii, a tonno and a quattro formaggi"). Values no item after it
    can have answer for the item already asked about ("klein, mit Käse, und zwei Bier dazu"
    while a Diavola's size is asked): they stay a part of their own, before the items."""
    by_name = {slot.name: slot for slot in slots}
    item_slot = next((slot.name for slot in slots if slot.type == "item"), None)
    if len(mentions) < 2 or item_slot is None or item_slot in mentions[0]:
        return mentions
    shared = {n: v for n, v in mentions[0].items() if n not in _counts(slots)}
    kept: Mention = {}
    for name, value in shared.items():
        takers = [m for m in mentions[1:] if takes(str(m.get(item_slot, "")), by_name[name])]
        for mention in takers:
            mention.setdefault(name, value)
        if not takers:
            kept[name] = value
    if kept:  # "mushrooms and olives, two of them, and a Fanta": the count goes with them
        kept.update((n, v) for n, v in mentions[0].items() if n in _counts(slots))
    return [kept, *mentions[1:]] if kept else mentions[1:]


_DEFINITE = frozenset({"the", "der", "die", "das", "den", "dem", "that", "this"})


def _referred(
    words: list[str], mention: Mention, mentions: list[Mention], slots: list[Slot]
) -> Mention | None:
    """The earlier mention of the same item that "the Hawaii", "die Salami" points back to,
    when this part names no count of its own."""
    items = [slot.name for slot in slots if slot.type == "item" and slot.name in mention]
    if not items or not _DEFINITE & set(words) or any(w.isdigit() for w in words):
        return None
    item = mention[items[0]]
    return next((m for m in reversed(mentions) if m.get(items[0]) == item), None)


def _counts(slots: list[Slot]) -> set[str]:
    return {slot.name for slot in slots if slot.role == "quantity"}


def _without_context(mentions: list[Mention], counts: set[str]) -> list[Mention]:
    """An item named without a count and then ordered in detail later in the message ("die
    Kinder wollen Hawaii, also bitte zwei kleine Hawaii") is one order, the detailed one."""
    kept = []
    for index, mention in enumerate(mentions):
        later = mentions[index + 1 :]
        bare = not counts & set(mention)
        if bare and any(mention.items() < other.items() for other in later):
            continue
        kept.append(mention)
    return kept


def _joins(previous: Mention, mention: Mention) -> bool:
    """'Salami, groß' and 'Käse und Pilze' continue the mention before; a second size does not."""
    return all(isinstance(previous[name], list) for name in mention.keys() & previous.keys())
