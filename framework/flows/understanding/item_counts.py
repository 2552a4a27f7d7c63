"""The count a customer says of an item in a part of a message: "2 große Salami", "ne Cola",
"ein paar Margherita" — and the numbers that count no item: times, prices, ages, floors, house
numbers and postcodes, people ("my two daughters are sharing a large Hawaii")."""

from __future__ import annotations

import itertools
import re
from typing import Final

from framework.flows.understanding.group_each import EACH, PEOPLE
from framework.flows.understanding.negation import negated
from framework.flows.understanding.numbers import UNSAID, word_to_number
from framework.flows.understanding.segments import ARTICLE_ONES, COLLOQUIAL_ARTICLES
from framework.flows.understanding.slot_values import STREET_WORDS

__all__ = ["UNSAID", "quantity_said"]

_MAX_QUANTITY: Final = 99
_HALF: Final = frozenset({"half", "halbes", "halbe", "halben"})

_NOT_A_COUNT_AFTER: Final = frozenset(
    {*("min", "mins", "minute", "minuten", "minutes", "uhr", "h", "std", "stunde", "stunden")}
    | {*("hour", "hours", "euro", "eur", "dollar", "dollars", "bucks", "pound", "pounds")}
    | {*("quid", "cent", "cents", "cm", "personen", "leute", "people", "persons", "jahre")}
    | {"years", "tage", "days", "pm", "am"}
    | {"stock", "stockwerk", "etage", "og", "obergeschoss", "geschoss", "floor", "storey"}
    | {*("zentimeter", "centimeter", "centimeters", "centimetres", "mm", "meter", "meters")}
    | {*("metres", "km", "kilometer", "kilometern", "kilometers", "kilometres", "miles", "meilen")}
    | {*("grad", "degrees", "prozent", "percent", "wochen", "weeks", "monate", "months")}
    | {"sekunden", "seconds", "inches", "zoll", "feet", "foot", "kilo", "kg", "kilos"}
)
_NOT_A_COUNT_BEFORE: Final = frozenset(
    {"in", "um", "at", "ab", "bis", "gegen", "nach", "euro", "dollar", "pound"}
)
"""A number is a time, a price, an age or a floor ("2. Stock") here, not a count of items."""
_POINTING: Final = frozenset({"that", "this", "which", "other"})
"""Right before "one" (or "the" and a word): a thing pointed at ("the plain one"), no count."""
_TO_THE: Final = frozenset({"die", "der", "den", "das", "dem", "meine", "meinen", "mich", "uns"})
_NUMBER_LABELS: Final = frozenset(
    {"nr", "nummer", "hausnummer", "number", "no", "wohnung", "whg", "apt", "apartment", "flat"}
    | {"haus", "wg", "klingel", "buzzer", "bell", "tuer", "door", "zimmer", "room", "unit"}
    | {"suite", "block", "aufgang", "eingang", "entrance", "floor", "etage", "stock", "level"}
)
"""Digits after these are a house, flat, door or order number ("flat no 3", "Klingel WG 3",
"buzzer 12"); "no a Wässerle"
(Swabian "noch") counts, and so does a part opened by "no" ("2 beers, no 3")."""
_STREETISH: Final = re.compile(rf"(?:{STREET_WORDS})$")
"""A word a house number follows."""
_POSTCODE: Final = re.compile(r"\d{5}")
"""A German postcode: the number before it is a house number, whatever the street is called."""


_VAGUE: Final = frozenset({("ein", "paar"), ("a", "few"), ("several",), ("einige",), ("mehrere",)})


def _street_ahead(words: list[str]) -> bool:
    return any(_STREETISH.search(word) for word in words)  # "an Karl-Marx-Straße 7"


def _vague(words: list[str]) -> bool:
    said = set(words) | set(itertools.pairwise(words))
    return any((v[0] if len(v) == 1 else v) in said for v in _VAGUE)


def quantity_said(words: list[str], used: set[int], described: bool, has_item: bool) -> int | None:
    """The count a part says of its item (not a time, a price, a house number or people), 1
    for an item said with an article or described, UNSAID for "a few"; `used`: word indexes
    read as something else."""
    if has_item and _vague(words):
        return UNSAID
    for index, number in enumerate(map(word_to_number, words)):
        if number is None or index in used or negated(words, index):
            continue  # no count: nothing below applies to the word
        word = words[index]
        after = words[index + 1] if index + 1 < len(words) else ""
        before = words[index - 1] if index else ""
        if (
            after in _NOT_A_COUNT_AFTER
            or (before in _NOT_A_COUNT_BEFORE and not _put_in(words, index))
            or _pointed_at(words, index)
            or _people_counted(words, index)
            or _we_are(words, index)
            or _who_wants(words, index)
            or (before in _NUMBER_LABELS and word.isdigit() and words[:index] != ["no"])
            or _STREETISH.search(before)
            or _POSTCODE.fullmatch(after)
            or _time_of_day(words, index)
        ):
            continue  # "… Boddinstraße 7", "Sonnenalle 12 12045": a house number
        if _an_article(words, index, number, has_item):
            continue
        if before in _HALF or words[index - 2 : index] == ["half", "a"]:
            return number // 2 or None  # "half a dozen beers", "ein halbes Dutzend Bier"
        if 0 < number <= _MAX_QUANTITY:
            return number
    articles = COLLOQUIAL_ARTICLES & {word for index, word in enumerate(words) if index not in used}
    if has_item and (described or articles):
        return 1  # "ne Cola", "large margherita with mushrooms": one, as a waiter hears it
    return None


def _time_of_day(words: list[str], index: int) -> bool:
    """ "quarter to six", "half past five", "ten past six", "Viertel nach sechs", "halb
    sieben": an hour and the minutes to or past it, no count."""
    before, after = words[max(0, index - 2) : index], words[index + 1 : index + 3]
    if len(before) == 2 and before[0] in _PART_OF_AN_HOUR and before[1] in _TO_OR_PAST:
        return True
    if len(after) == 2 and after[0] in _TO_OR_PAST and word_to_number(after[1]) is not None:
        return True  # "ten past six": the minutes
    return bool(before) and before[-1] in _GERMAN_PART_HOUR


_PART_OF_AN_HOUR: Final = frozenset({"quarter", "half", "viertel", "twenty", "ten", "five"})
_TO_OR_PAST: Final = frozenset({"to", "past", "after", "til", "till", "nach", "vor"})
_GERMAN_PART_HOUR: Final = frozenset({"halb", "dreiviertel"})
"""German "halb sieben" is half past six, "dreiviertel acht" a quarter to eight."""


_PUT_IN: Final = frozenset({"chuck", "throw", "put", "toss", "stick", "pop", "add", "bung", "want"})
"""Before "in" and a count, "in" is a particle: "chuck in two beers", "want in: 3 large …"."""


def _put_in(words: list[str], index: int) -> bool:
    return index >= 2 and words[index - 1] == "in" and words[index - 2] in _PUT_IN


def _an_article(words: list[str], index: int, number: int, has_item: bool) -> bool:
    """An article that counts nothing here: "a couple of beers", "a dozen", "ein halbes
    Dutzend" (the next word counts), "an Flughafenstraße 21" (German "to"), "mit a bissl
    mehr Kas" (a bit of an option)."""
    word, after = words[index], words[index + 1] if index + 1 < len(words) else ""
    if (
        number == 1
        and word in ARTICLE_ONES
        and (after in _HALF or (word_to_number(after) or 0) > 1)
    ):
        return True
    if word == "an" and (after in _TO_THE or _street_ahead(words[index + 1 : index + 5])):
        return True
    return number == 1 and index > 0 and not has_item and word in ARTICLE_ONES


def _people_counted(words: list[str], index: int) -> bool:
    """ "my two daughters are sharing a large Hawaii": the count of people, when a count of
    the item follows (and not one each: "die zwei Kinder je eine")."""
    return (
        index + 1 < len(words)
        and words[index + 1] in PEOPLE
        and not EACH & set(words)
        and any(map(word_to_number, words[index + 2 :]))
    )


_WE_ARE: Final = frozenset(
    {("wir", "sind"), ("we", "are"), ("we", "re"), ("wir", "san"), ("wir", "sin"), ("us", "is")}
    | {("wir", "sein"), ("mia", "san"), ("mir", "sein")}  # Tyrolean "Mir sein zwoa"
)


def _we_are(words: list[str], index: int) -> bool:
    """ "Wir sind zwei Werkzeugmacherinnen", "we're two": how many they are, no count of an
    item."""
    return index >= 2 and (words[index - 2], words[index - 1]) in _WE_ARE


_WANTING: Final = frozenset(
    {"moechten", "moechte", "wollen", "will", "nehmen", "nehme", "haetten", "haette", "kriegen"}
    | {"bestellen", "want", "wants", "would", "take", "order", "get"}
)


def _who_wants(words: list[str], index: int) -> bool:
    """ "zwei Fans möchten drei große Salami", "two lads want three beers": the count of who
    orders, when a verb of wanting and then another count follow (not one each: "meine zwei
    Töchter wollen jede eine Käsepizza")."""
    if not EACH.isdisjoint(words):
        return False
    verb = next((at for at in range(index + 1, len(words)) if words[at] in _WANTING), None)
    return verb is not None and any(map(word_to_number, words[verb + 1 :]))


def _pointed_at(words: list[str], index: int) -> bool:
    """ "on the plain one", "that one": a pizza pointed at, no count ("just the one" counts)."""
    return words[index] == "one" and (
        (index > 0 and words[index - 1] in _POINTING)
        or (index > 1 and words[index - 2] in ("the", "a", "an"))  # "make hers a small one"
    )
