"""How the parts of a message combine into mentions: a part without an item continues the one
before or is everyone's ("beide ohne"), "one of them" splits a count, "nee warte, lieber …"
takes the item before back, "die Hawaii" points back to an earlier one (referred.py), "make
one of the Salamis a Diavola" changes one, and a count before the first item is nobody's
(extract.py reads the parts; this decides what they mean together)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, Final

from framework.flows.model import Slot
from framework.flows.understanding.lexicon import Lexicon
from framework.flows.understanding.matching import DEFINITE
from framework.flows.understanding.numbers import word_to_number
from framework.flows.understanding.recounted import (
    count_of_a_kind,
    count_of_the_last,
    count_slots,
    said_times,
)
from framework.flows.understanding.referred import named_again, referred, with_hesitation
from framework.flows.understanding.second_thoughts import (
    ALSO,
    TAKING_BACK,
    Mention,
    Part,
    corrected,
    fits_in_place,
    second_thoughts,
    takes_itself_back,
)
from framework.flows.understanding.segments import WITH_OR_WITHOUT

__all__ = [
    "EVERY",
    "Mention",
    "once_each",
    "one_each",
    "read_parts",
    "without_context",
    "without_leading_count",
]


EVERY: Final = frozenset(
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


def once_each(mentions: list[Mention]) -> list[Mention]:
    """A choice said twice is chosen once ("Diavola mit Jalapeños, ich kann's nicht scharf
    genug haben": "scharf" names the jalapeños again)."""
    for mention in mentions:
        for name, value in mention.items():
            if isinstance(value, list):
                mention[name] = list(dict.fromkeys(value))
    return mentions


def one_each(mentions: list[Mention], slots: list[Slot]) -> list[Mention]:
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


def _drop_unwanted(mention: Mention, words: list[str], slots: list[Slot], lexicon: Lexicon) -> None:
    """ "Margherita mit Oliven … nein, ohne Oliven": a choice the part does not want is taken
    from the mention it continues."""
    for slot in slots:
        chosen = mention.get(slot.name)
        if slot.type != "choices" or slot.choices is None or not isinstance(chosen, list):
            continue
        found = lexicon.choices(slot.choices).find_all(words)
        unwanted = {m.value for m in found if m.start and words[m.start - 1] in NOT_WANTED}
        mention[slot.name] = [value for value in chosen if value not in unwanted]


def _same_kind(previous: Mention, mention: Mention, slots: list[Slot], lexicon: Lexicon) -> bool:
    """Whether second thoughts can put this item in the place of the one before: items with
    the same option groups ("eine Salami, nee, lieber eine Diavola"), never a drink for a
    pizza ("a Margherita, no extras. Actually, one coke after all": both)."""
    items = [slot.name for slot in slots if slot.type == "item"]
    before = next((previous[name] for name in items if name in previous), None)
    now = next((mention[name] for name in items if name in mention), None)
    return before is None or now is None or lexicon.same_kind(str(before), str(now))


def _takes_back(words: list[str]) -> bool:
    """ "ach ne,", "oh wait," take back the item before; "oh," alone ("Oh and two beers")
    does not."""
    return set(words) <= TAKING_BACK and bool(set(words) - _SIGHS)


_SIGHS: Final = frozenset({"ach", "oh", "hm"})


def _has_items(mentions: list[Mention], slots: list[Slot]) -> bool:
    items = {slot.name for slot in slots if slot.type == "item"}
    return any(items & set(mention) for mention in mentions)


def read_parts(
    parts: list[Part],
    mentions: list[Mention],
    slots: list[Slot],
    lexicon: Lexicon,
) -> None:
    correcting = False
    told: Mention | None = None  # the one of several just told apart ("one with onions")
    counted = False  # the last item was said with a count of more than one
    for at, (words, mention, has_item) in enumerate(parts):
        if has_item:
            counted = any((word_to_number(word) or 0) > 1 for word in words)
        if (
            _one_made_into(words, mentions, slots, lexicon)
            or _one_is_another(words, mentions, slots, lexicon)
            or named_again(with_hesitation(parts, at), mention, mentions, slots, lexicon)
        ):
            continue
        correcting = correcting or second_thoughts(parts, at)
        if not has_item and mention.keys() <= count_slots(slots) and _has_items(mentions, slots):
            if count_of_the_last(
                words, mention, mentions, slots, correcting or said_times(words, counted)
            ) or count_of_a_kind(parts, at, slots, lexicon.kind_words):
                continue
            mention = {}  # a count of nothing, after the order: a number of the story
        if not mention:
            correcting = correcting or _takes_back(words)
            continue
        earlier, mention = referred(words, mention, mentions, slots)
        if earlier is not None:
            earlier.update((n, v) for n, v in mention.items() if n not in count_slots(slots))
        elif (
            correcting
            and mentions
            and not ALSO & set(words)  # "nee, auch noch eine Cola": more, not instead
            and _same_kind(mentions[-1], mention, slots, lexicon)
            and fits_in_place(mentions[-1], mention, slots, lexicon)
            and corrected(mentions, mention, has_item, count_slots(slots))
        ):
            pass
        elif (
            not has_item
            and not lexicon.kind_words & set(words)  # "und eine große Pizza": another one
            and (shared := _told_apart(words, mention, mentions, slots, told))
        ):
            told = shared
            correcting = takes_itself_back(words, has_item, lexicon)
            continue
        else:
            _add_part(mentions, mention, has_item, words, slots, lexicon)
        correcting = takes_itself_back(words, has_item, lexicon)
        told = None


def _told_apart(
    words: list[str],
    mention: Mention,
    mentions: list[Mention],
    slots: list[Slot],
    told: Mention | None,
) -> Mention | None:
    """A part about one of several items before ("one with onions"), or more of its extras
    right after it ("… and olives"): the mention that took them; None for any other part."""
    if _an_extra(words, mention) and mentions:
        for name, value in mention.items():  # Austrian "mit Zwiebel und an Jalapeños"
            if isinstance(value, list):
                mentions[-1][name] = [*mentions[-1].get(name, []), *value]
        return mentions[-1]
    if _of_them(words) and (source := _source(mentions, slots)):
        the_other, also = bool(_OTHER & set(words[:2])), bool(ALSO & set(words))
        return _split(mentions, source, mention, slots, the_other=the_other, also=also)
    if told is None or not _more_of_its_extras(words, mention):
        return None
    for name, value in mention.items():  # "one with onions and olives": both its own
        told[name] = [*told.get(name, []), *value]
    return told


def _an_extra(words: list[str], mention: Mention) -> bool:
    """ "… und an Jalapeños": an article before an extra, no "one with" ("eine mit …")."""
    extras = {name: value for name, value in mention.items() if isinstance(value, list)}
    return (
        len(words) > 1
        and words[0] in _ARTICLES
        and words[1] not in WITH_OR_WITHOUT
        and _more_of_its_extras(words, extras)
    )


_ARTICLES: Final = frozenset({"a", "an"})


def _more_of_its_extras(words: list[str], mention: Mention) -> bool:
    """A part of nothing but choices of a group that takes many ("… and olives") goes on
    with the part before; one for all of them ("and olives on both") does not."""
    values = list(mention.values())
    return bool(values) and not EVERY & set(words) and all(isinstance(v, list) for v in values)


def _add_part(
    mentions: list[Mention],
    mention: Mention,
    has_item: bool,
    words: list[str],
    slots: list[Slot],
    lexicon: Lexicon,
) -> None:
    if not has_item and mentions:
        _drop_unwanted(mentions[-1], words, slots, lexicon)
    _add(mentions, mention, has_item, words, count_slots(slots))


_MAKING: Final = frozenset(
    {"make", "mach", "mache", "machst", "change", "aendere", "switch", "swap"}
)
_OF: Final = frozenset({"of", "der", "von", "den"})


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
    return _one_becomes(found[0].value, found[1].value, mentions, slots, lexicon)


_BEING: Final = frozenset({"is", "ist", "als", "as", "soll", "should", "sei", "be"})


def _one_is_another(
    words: list[str], mentions: list[Mention], slots: list[Slot], lexicon: Lexicon
) -> bool:
    """ "three Cola, one is Zero", "drei Cola, eine als Zero": one of the item just named
    is the other one."""
    item_slot = next((slot for slot in slots if slot.type == "item"), None)
    if item_slot is None or len(words) < 3 or words[0] not in _ONE or words[1] not in _BEING:
        return False
    found = lexicon.items(item_slot.tags).find_all(words)
    last = next((m.get(item_slot.name) for m in reversed(mentions) if item_slot.name in m), None)
    if len(found) != 1 or last is None or found[0].value == last:
        return False
    return _one_becomes(str(last), found[0].value, mentions, slots, lexicon)


def _one_becomes(
    old: str, new: str, mentions: list[Mention], slots: list[Slot], lexicon: Lexicon
) -> bool:
    item_slot = next(slot for slot in slots if slot.type == "item")
    source = next((m for m in reversed(mentions) if m.get(item_slot.name) == old), None)
    counts = count_slots(slots)
    count = next((n for n in counts if source is not None and n in source), None)
    if source is None or count is None or source[count] < 2:
        return False
    source[count] -= 1
    by_name = {slot.name: slot for slot in slots}
    made = {n: v for n, v in source.items() if n in counts or lexicon.takes(new, by_name[n])}
    made.update({item_slot.name: new, count: 1})
    mentions.insert(mentions.index(source) + 1, made)
    return True


_ONE: Final = frozenset(
    {"one", "eine", "einer", "eins", "einen", "einem", "einmal", "ein", "a", "an"}
)
NOT_WANTED: Final = frozenset({"ohne", "kein", "keine", "keinen", "no", "without", "not", "minus"})
"""Words that say the next thing is not wanted ("ohne Zwiebeln", "no other extras")."""
_OTHER: Final = frozenset({"other", "andere", "anderen", "zweite", "second"})


_OF_THESE: Final = frozenset({"davon", "them", "denen"})
_ON: Final = frozenset({"bei", "auf", "on", "for", "fuer"})
"""Before "one": the part is about one of the items before ("bei einer Zwiebeln"), also with
an article between ("auf der einen extra Schinken", Swiss "ufem einte …")."""
_THE: Final = frozenset({"der", "dem", "die", "the"})


def _of_them(words: list[str]) -> bool:
    """A part about some of the items before: "one with jalapeños", "die andere ohne", "zwei
    davon mit Jalapeños", "two of them with olives"."""
    if words[0] in _ONE or (len(words) > 1 and words[1] in _OTHER):
        return words[0] not in NOT_WANTED  # "no other extras" is about all of them
    if any(a in _ON and b in _ONE for a, b in itertools.pairwise(words)):
        return True  # "bei einer bitte Zwiebeln drauf", "onions on one of them"
    if word_to_number(words[0]) is not None and words[1:2] and words[1] in WITH_OR_WITHOUT:
        return True  # "2 diavola mittel 1 mit jalapenos 1 ohne", "two with olives"
    if word_to_number(words[0]) is not None and bool(_OF_THESE & set(words[1:3])):
        return True  # "zwei davon mit Jalapeños"
    if _THE.isdisjoint(words):
        return False
    triples = zip(words, words[1:], words[2:], strict=False)
    return any(a in _ON and b in _THE and c in _ONE for a, b, c in triples)  # "auf der einen …"


def _source(mentions: list[Mention], slots: list[Slot]) -> Mention | None:
    """The newest item mention whose count can still be shared out ("2 medium diavola")."""
    counts = count_slots(slots)
    items = {slot.name for slot in slots if slot.type == "item"}
    for mention in reversed(mentions):
        if items & set(mention):
            count = next((mention[name] for name in counts if name in mention), 1)
            return mention if isinstance(count, int) and count >= 1 else None
    return None


def _other_one(source: Mention, values: Mention) -> bool:
    """Whether a part about "one" gives the single item before another one-pick value than it
    has (a second size): then it is another one of that item, not the same one changed."""
    return any(
        not isinstance(value, list) and name in source and source[name] != value
        for name, value in values.items()
    )


def _split(
    mentions: list[Mention],
    source: Mention,
    part: Mention,
    slots: list[Slot],
    *,
    the_other: bool = False,
    also: bool = False,
) -> Mention:
    """ "2 medium diavola, one with jalapeños, one without": one of them becomes a mention of
    its own with the part's values (returned); the last one left takes the part's values
    itself. The others have none of the extras the one got, unless said later ("… one
    without").

    "The other" is the one left, never a further one: a size it names against the size said
    for both is the plain one ("zwei große Salami, eine mit Pilzen, die andere normal"). With
    `also` the one keeps what all of them have ("both with extra cheese, and one of them also
    with mushrooms")."""
    counts = count_slots(slots)
    name = next((n for n in counts if n in source), None)
    values = {n: v for n, v in part.items() if n not in counts}
    if the_other and (name is None or source[name] <= 1):
        source.update({n: v for n, v in values.items() if isinstance(v, list) or n not in source})
        return source
    if name is None or source[name] <= 1:
        if _other_one(source, values):  # "eine große Margherita und eine mittlere": two
            items = {slot.name for slot in slots if slot.type == "item"}
            another = {n: v for n, v in source.items() if n in items}
            mentions.append({**another, **values, **({name: 1} if name else {})})
            return mentions[-1]
        source.update(values)
        return source
    taken = part.get(name, 1) if isinstance(part.get(name), int) else 1
    if taken >= source[name]:
        source.update(values)  # "the other two without": the rest of them
        return source
    source[name] -= taken
    one = {**source, **values}
    if also:
        one.update({n: [*source.get(n, []), *v] for n, v in values.items() if isinstance(v, list)})
    one[name] = taken
    mentions.insert(mentions.index(source), one)
    for option, chosen in values.items():
        if isinstance(chosen, list):
            source.setdefault(option, [])  # "drei Salami, eine davon mit Schinken": two plain
    return one


def _add(
    mentions: list[Mention], mention: Mention, has_item: bool, words: list[str], counts: set[str]
) -> None:
    """A new mention, or the values of a part without an item for the mentions before it:
    every one's with "beide"/"both", and a part that says nothing extra ("a medium tonno and a
    medium salami, no extras", "no extras on the other two") is everyone's too; other values
    continue the last mention."""
    values = {name: value for name, value in mention.items() if name not in counts}
    nothing = bool(values) and all(value == [] for value in values.values())
    if mentions and not has_item and (EVERY & set(words) or nothing):
        last = _item_of(mentions[-1])
        for previous in mentions:
            for name, value in values.items():
                known = previous.setdefault(name, value)
                if isinstance(known, list) and known is not value and _item_of(previous) == last:
                    previous[name] = list(dict.fromkeys([*known, *value]))  # "… onions on both"
    elif mentions and not has_item and _joins(mentions[-1], mention, counts):
        for name, value in mention.items():
            known = mentions[-1].get(name)
            if known == [] and _GOING_ON.isdisjoint(words) and not _THE_OR_YOURS.isdisjoint(words):
                continue  # "…, no extras — I want to taste the cheese", "… test your cheese":
                # still none (the pizza's own cheese; a bare "please onions" after "not
                # jalapeños" is wanted)
            mentions[-1][name] = known + value if isinstance(known, list) else value
    else:
        mentions.append(mention)


_GOING_ON: Final = frozenset(
    {"with", "mit", "extra", "plus", "aber", "but", "except", "ausser", "only", "nur", "and"}
    | {"und", "also", "auch", "noch", "dazu", "drauf", "on", "auf", "w"}
)
"""Words with which a part after "no extras" still puts some on ("…, no extras, only olives",
"ohne Extras, aber mit Oliven")."""


_THE_OR_YOURS: Final = DEFINITE | {"your", "eure", "euren", "euer", "eueren", "ihren"}


def _item_of(mention: Mention) -> frozenset[Any]:
    """A mention's item and one-pick choices (its size): the pizzas "both" speaks of share
    them."""
    return frozenset(v for v in mention.values() if isinstance(v, str))


def without_leading_count(
    mentions: list[Mention],
    slots: list[Slot],
    takes: Callable[[str, Slot], bool],
    apart: bool = False,
) -> list[Mention]:
    """A part before the first item is no order of its own: its count is not the item's
    ("liefern an Hauptstr. 3: eine …"), its other values are everyone's that can have them
    ("3 medium pizzas - a hawaii, a tonno and a quattro formaggi"). Values no item after it
    can have answer for the item already asked about ("klein, mit Käse, und zwei Bier dazu"
    while a Diavola's size is asked), and so do the values of a sentence of their own before
    the items (`apart`) that every item after it says its own of: they stay a part of their
    own, before the items."""
    by_name = {slot.name: slot for slot in slots}
    item_slot = next((slot.name for slot in slots if slot.type == "item"), None)
    if len(mentions) < 2 or item_slot is None or item_slot in mentions[0]:
        return mentions
    shared = {n: v for n, v in mentions[0].items() if n not in count_slots(slots)}
    kept: Mention = {}
    for name, value in shared.items():
        takers = [m for m in mentions[1:] if takes(str(m.get(item_slot, "")), by_name[name])]
        for mention in takers:
            mention.setdefault(name, value)
        if not takers or (apart and all(item_slot in m and m[name] != value for m in takers)):
            kept[name] = value  # each said its own: "Mit Oliven. Und eine kleine Funghi ohne
            # Extras" (the olives answer for the pizza asked about)
    if kept:  # "mushrooms and olives, two of them, and a Fanta": the count goes with them
        kept.update((n, v) for n, v in mentions[0].items() if n in count_slots(slots))
    return [kept, *mentions[1:]] if kept else mentions[1:]


def without_context(mentions: list[Mention], counts: set[str]) -> list[Mention]:
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


def _joins(previous: Mention, mention: Mention, counts: set[str]) -> bool:
    """'Salami, groß' and 'Käse und Pilze' continue the mention before; a second size does
    not, unless it is the same one said again without a count ("two wee Margheritas, the
    small ones")."""
    again = not counts & mention.keys()
    return all(
        isinstance(previous[name], list) or (again and previous[name] == mention[name])
        for name in mention.keys() & previous.keys()
    )
