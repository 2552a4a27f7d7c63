"""Understanding one answer for one slot: text → a JSON value, or the reason it is invalid.

Each slot type has one parser in `PARSERS`. An `Invalid` names a text of the bot
(`out_of_range`, `in_the_past`, ...) and the values that text shows, so every reprompt can be
reworded per bot and language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

import phonenumbers

from framework.flows.model import Bot, ChoiceSet, Slot
from framework.flows.session import CartLine
from framework.flows.understanding.dates import parse_date, parse_datetime, parse_time
from framework.flows.understanding.lexicon import Lexicon
from framework.flows.understanding.negation import negated
from framework.flows.understanding.normalize import KEPT_READINGS, tokens
from framework.flows.understanding.nothing_extra import says_nothing_extra
from framework.flows.understanding.numbers import parse_number, word_to_number
from framework.flows.understanding.questions import is_question
from framework.flows.understanding.refused import refused
from framework.flows.understanding.second_thoughts import TAKING_BACK
from framework.flows.understanding.yesno import parse_yes_no

__all__ = [
    "PARSERS",
    "STREET_WORDS",
    "AnswerContext",
    "Invalid",
    "Valid",
    "find_address",
    "parse_answer",
    "part_of_an_address",
]


@dataclass(frozen=True, slots=True)
class Valid:
    value: Any


@dataclass(frozen=True, slots=True)
class Invalid:
    reason: str
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AnswerContext:
    bot: Bot
    lexicon: Lexicon
    now: datetime
    lang: str
    cart_lines: list[CartLine]


Parsed = Valid | Invalid
_EMAIL: Final = re.compile(r"^[^@\s]{1,64}@[^@\s.]{1,63}(\.[^@\s.]{1,63})+$")
NOTHING_CHOSEN: Final = frozenset(
    {"keine", "keins", "kein", "nichts", "nix", "ohne", "nein", "none", "no", "nothing", "without"}
    | {"nah", "nope", "nee", "noe", "ne", "nae"}
)
"""Words that choose none of several choices ("keine" to the extras question)."""


def _text(slot: Slot, text: str, ctx: AnswerContext) -> Parsed:
    value = " ".join(text.split())
    if slot.min_length is not None and len(value) < slot.min_length:
        return Invalid("too_short", {"min": slot.min_length})
    if slot.max_length is not None and len(value) > slot.max_length:
        return Invalid("too_long", {"max": slot.max_length})
    if slot.pattern is not None and re.fullmatch(slot.pattern, value) is None:
        return Invalid("invalid_format")
    return Valid(value)


def _in_range(slot: Slot, number: Decimal) -> bool:
    return not (
        (slot.min is not None and number < slot.min) or (slot.max is not None and number > slot.max)
    )


def _number(slot: Slot, text: str, ctx: AnswerContext) -> Parsed:
    number = parse_number(text)
    if number is None and slot.role == "quantity":
        number = _count_said_last(text)
    if number is None:
        return Invalid("invalid_number")
    if slot.type == "integer" and number != number.to_integral_value():
        return Invalid("invalid_number")
    if not _in_range(slot, number):
        if slot.min is not None and slot.max is not None:
            return Invalid("out_of_range", {"min": slot.min, "max": slot.max})
        if slot.min is not None:
            return Invalid("too_small", {"min": slot.min})
        return Invalid("too_large", {"max": slot.max})
    return Valid(int(number) if slot.type == "integer" else str(number))


_SO: Final = frozenset({"also", "so", "dann", "then", "macht", "makes"})


def _count_said_last(text: str) -> Decimal | None:
    """How many, when the answer says more than a number: the count after second thoughts
    ("vier. Ach nee, Heinz hat schon gegessen — drei": three), or the one it sums up to ("wir
    sind zu viert. Also vier."). None when neither says which."""
    words = tokens(text)
    said = [(at, n) for at, w in enumerate(words) if (n := word_to_number(w)) is not None]
    if not said or not all(0 < n <= _MOST for _, n in said):
        return None
    at, last = said[-1]
    if len(said) > 1 and TAKING_BACK & set(words[said[-2][0] : at]):
        return Decimal(last)
    return Decimal(last) if at and words[at - 1] in _SO else None


_MOST: Final = 99


def _yes_no(slot: Slot, text: str, ctx: AnswerContext) -> Parsed:
    answer = parse_yes_no(text)
    if answer is None:
        answer = _said_first(text)
    return Invalid("invalid_yes_no") if answer is None else Valid(answer)


_FIRST: Final = re.compile(r"^\s*([^,;.!?–-]{1,20})[,;.!–-]\s*(.*)$", re.DOTALL)
_TURNING: Final = re.compile(
    r"\b(?:aber|but|doch|oder|or|nicht|not|nein|no|nee|lieber|rather|instead|stattdessen)\b",
    re.IGNORECASE,
)


def _said_first(text: str) -> bool | None:
    """A yes or no said first and then explained ("Ja, den um 11 bei Lena", "no, the one on
    Tuesday stays"), when the rest does not turn it ("ja, aber …", "yes or rather …")."""
    found = _FIRST.match(text[:300])
    if found is None or _TURNING.search(found[2]):
        return None
    return parse_yes_no(found[1], plain=True)


def _choice(slot: Slot, text: str, ctx: AnswerContext) -> Parsed:
    choice_set = slot.choices
    if choice_set is None:
        return Invalid("invalid_choice")
    index = ctx.lexicon.choices(choice_set)
    if slot.type == "choice":
        words = tokens(text)
        matches = index.find_all(words)
        named = {match.value for match in matches}
        if len(named) > 1 and is_question(text):
            return Invalid("invalid_choice")  # "mittel oder groß, was lohnt sich?" chooses none
        meant = {match.value for match in matches if not negated(words, match.start)}
        if len(named) > 1 and len(meant) == 1:
            return Valid(meant.pop())  # "mittel, nicht groß"
        if named and all(refused(words, match.start) for match in matches):
            other = slot.the_other(named)  # "ich will nicht abholen"; "nicht groß" names none
            return Invalid("invalid_choice") if other is None else Valid(other)
        found = index.best(text) or _by_initial(choice_set, text)
        return Valid(found) if found else Invalid("invalid_choice")
    words = tokens(text)
    said = index.find_all(words)
    picked = list(dict.fromkeys(m.value for m in said if not refused(words, m.start)))
    if not picked:
        if said or NOTHING_CHOSEN & set(words) or says_nothing_extra(words):
            return Valid([])  # "keine", "nah, just as it comes", "keine Oliven bitte"
        return Invalid("invalid_choice")
    if choice_set.max is not None and len(picked) > choice_set.max:
        return Invalid("too_many_choices", {"max": choice_set.max})
    return Valid(picked)


def _by_initial(choice_set: ChoiceSet, text: str) -> str | None:
    """An answer of one letter that starts the name of one choice only, in any of the bot's
    languages: "L" for Large (S/M/L as on a shirt), "m" for Mittel."""
    letter = text.strip(" .!?").casefold()
    if len(letter) != 1 or not letter.isalpha():
        return None
    starting = {
        choice.id
        for choice in choice_set.choices.values()
        if any(name.casefold().startswith(letter) for name in choice.name.values())
    }
    return starting.pop() if len(starting) == 1 else None


def _item(slot: Slot, text: str, ctx: AnswerContext) -> Parsed:
    found = ctx.lexicon.items(slot.tags).best(text)
    if found is None:
        return Invalid("invalid_item")
    if not ctx.bot.catalog.items[found].available:
        return Invalid("item_unavailable", {"unavailable_id": found})
    return Valid(found)


def _line(slot: Slot, text: str, ctx: AnswerContext) -> Parsed:
    number = parse_number(text)
    ids = [line["id"] for line in ctx.cart_lines]
    if number is not None and number == number.to_integral_value():
        position = int(number)
        return Valid(ids[position - 1]) if 1 <= position <= len(ids) else Invalid("invalid_line")
    found = ctx.lexicon.items(frozenset()).best(text)
    matching = [line["id"] for line in ctx.cart_lines if line["item"] == found]
    return Valid(matching[-1]) if matching else Invalid("invalid_line")


def _date(slot: Slot, text: str, ctx: AnswerContext) -> Parsed:
    day = parse_date(text, ctx.now)
    if day is None:
        return Invalid("invalid_date")
    if not slot.past and day < ctx.now.date():
        return Invalid("in_the_past")
    return Valid(day.isoformat())


def _time(slot: Slot, text: str, ctx: AnswerContext) -> Parsed:
    moment = parse_time(text, ctx.now)
    return Invalid("invalid_time") if moment is None else Valid(moment.strftime("%H:%M"))


def _datetime(slot: Slot, text: str, ctx: AnswerContext) -> Parsed:
    moment = parse_datetime(text, ctx.now)
    if moment is None:
        return Invalid("invalid_datetime")
    if not slot.past and moment < ctx.now:
        return Invalid("in_the_past")
    return Valid(moment.isoformat())


def _phone(slot: Slot, text: str, ctx: AnswerContext) -> Parsed:
    region = slot.region or [*ctx.bot.business.locale.split("-"), "DE"][1]
    try:
        number = phonenumbers.parse(text[:40], region)
    except phonenumbers.NumberParseException:
        return Invalid("invalid_phone")
    if not phonenumbers.is_valid_number(number):
        return Invalid("invalid_phone")
    return Valid(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _email(slot: Slot, text: str, ctx: AnswerContext) -> Parsed:
    value = text.strip()
    if len(value) > 254 or _EMAIL.match(value) is None:
        return Invalid("invalid_email")
    local, _, domain = value.rpartition("@")
    return Valid(f"{local}@{domain.lower()}")


_POSTCODE: Final = re.compile(r"\b\d{5}\b")
_STREET_AND_NUMBER: Final = re.compile(
    r"[^\W\d_][^\W\d_.\-]*(?:[.\-][^\W\d_]*)*(?:\.\s*|\s+)\d{1,4}(?:\s?[a-zA-Z])?\b"
)
STREET_WORDS: Final = (
    "stra(?:ß|ss)e|str|weg|allee|platz|damm|ufer|ring|gasse|chaussee|promenade|steig|zeile|"
    "markt|road|street|avenue"
)
"""How street names end (a regular expression's alternatives): where a house number goes."""
_NUMBER_AND_STREET: Final = re.compile(
    rf"\b\d{{1,4}}[a-zA-Z]?\s+(?:(?-i:[A-ZÄÖÜ])[\w.\-]*\s+){{0,2}}[\w.\-]*(?:{STREET_WORDS})\b",
    re.IGNORECASE,
)
"""The English order, number first: "22 Weserstraße", "14 Kottbusser Damm" (the words before
a street word capitalised: "2 pizzas to Weserstr" is none)."""


_NOT_STREETS: Final = frozenset(
    {
        *("hausnummer", "nummer", "nr", "haus", "plz", "postleitzahl", "etage", "stock"),
        *("wohnung", "tür", "tuer", "number", "no", "house", "flat", "floor", "apartment"),
        *("apt", "unit", "postcode", "zip", "ist", "is", "die", "the"),
    }
)
"""Words before a number that make no street of it ("Hausnummer 21", "die PLZ ist 12053")."""


def _streets(text: str) -> list[re.Match[str]]:
    """Street-and-number spans of a text (postcodes blanked), in either order."""
    found = [*_STREET_AND_NUMBER.finditer(text), *_NUMBER_AND_STREET.finditer(text)]
    return [match for match in found if match[0].split()[0].lower().rstrip(".") not in _NOT_STREETS]


def _has_street(text: str) -> bool:
    return bool(_streets(text))


_HOUSE_FIRST: Final = re.compile(r"^\W*\d{1,4}[a-zA-Z]?\s")


def part_of_an_address(part: str, text: str) -> bool:
    """Whether a part of a message is a street and number ("22 Sonnenallee"), or a number
    before a name in a message with a postcode ("5 Kottbusser Damm, 10967"): no count of
    something ordered."""
    return _has_street(part) or bool(_HOUSE_FIRST.match(part) and _POSTCODE.search(text))


_POSTCODE_LABEL: Final = re.compile(
    r"\b(?:die |the |my |meine )?(?:plz|postleitzahl|postcode|post code|zip(?: code)?)"
    r"(?: ist| is|:)?(?=\s*\d{5}\b)",
    re.IGNORECASE,
)
"""Words that name the postcode before it ("die PLZ ist 12053"): not part of the address."""
_COORDINATES: Final = re.compile(r"-?\d{1,2}\.\d{3,}, ?-?\d{1,3}\.\d{3,}")
_MISSING: Final = {
    "de": {"street": "Straße und Hausnummer", "postcode": "die Postleitzahl"},
    "en": {"street": "the street and house number", "postcode": "the postcode"},
}
_AND: Final = {"de": " und ", "en": " and "}


_CITY: Final = re.compile(r"\s+[A-ZÄÖÜ][\w\-äöüß]+")


@lru_cache(maxsize=KEPT_READINGS)
def find_address(text: str) -> str | None:
    """The address inside a longer message ("… bitte liefern an Hauptstr. 3, 12047 Berlin,
    danke"): from the street to the postcode and the town after it; None without both."""
    value = " ".join(text.split())
    postcode = _POSTCODE.search(value)
    if postcode is None:
        return None
    blanked = _POSTCODE.sub(lambda m: " " * len(m[0]), value)
    streets = list(_streets(blanked))
    street = min(streets, key=lambda found: _gap(found, postcode), default=None)
    # "Flat 4, 3rd floor, Pannierstr 29, 12047 Berlin": the street by the postcode; one street
    # alone may have notes between ("Hobrechtstraße 61, 3. OG links, bei Yilmaz, 12047")
    if street is None or _gap(street, postcode) > (20 if len(streets) > 1 else 60):
        return None
    start, end = min(street.start(), postcode.start()), max(street.end(), postcode.end())
    if start == street.start():
        start = _name_start(value, start)
    city = _CITY.match(value, end)
    return value[start : city.end() if city else end].strip(" ,")


_GENERIC_STREET: Final = re.compile(rf"(?:{STREET_WORDS})\.?\s", re.IGNORECASE)
_NAME_WORD: Final = re.compile(r"([^\W\d_][\w\-]*)\s+$")
_BEFORE_NAMES: Final = frozenset(
    {"an", "to", "die", "der", "in", "the", "at", "nach", "zu", "bitte", "please", "is", "ist"}
    | {"deliver", "liefern", "lieferung", "delivery", "adresse", "address", "und", "and"}
)
"""Words before a street's name that are no part of it ("Deliver to Kienitzer Straße 100")."""


def _name_start(value: str, start: int) -> int:
    """Where the street's name begins when the street word stands apart ("Kienitzer Straße
    100", "karl marx straße 100"): up to three words before it, none of _BEFORE_NAMES, and
    capitalised like the street word ("wir wohnen Karl Marx Allee 5": not "wohnen")."""
    if not _GENERIC_STREET.match(value, start):
        return start
    capital = value[start].isupper()
    for _ in range(3):
        word = _NAME_WORD.search(value, 0, start)
        if word is None or word[1].lower() in _BEFORE_NAMES or word[1][0].isupper() != capital:
            break
        start = word.start()
    return start


def _gap(one: re.Match[str], other: re.Match[str]) -> int:
    """Characters between two spans of a text, in whichever order they stand."""
    return max(one.start() - other.end(), other.start() - one.end(), 0)


_YOUR_STREET: Final = re.compile(
    r"\b(?:your street|your road|same street|same road|eurer stra(?:ß|ss)e|eure stra(?:ß|ss)e|"
    r"euch in der stra(?:ß|ss)e|gleichen stra(?:ß|ss)e|selben stra(?:ß|ss)e)\b",
    re.IGNORECASE,
)
_HOUSE: Final = re.compile(r"(?=\d)(?<![\d.,])(\d{1,4}[a-zA-Z]?)(?![\d.,]?\d)")
"""A house number (the digit looked for first: the lookbehind is then tried at digits only)."""


def _on_the_business_street(text: str, business: str | None) -> str | None:
    """ "ich wohn bei euch in der Straße, Hausnummer 58", "I'm on your street, number 3": the
    business's street with that number (and its postcode, unless one is said)."""
    if business is None or not _YOUR_STREET.search(text) or _has_street(_POSTCODE.sub(" ", text)):
        return None
    street = _STREET_AND_NUMBER.search(_POSTCODE.sub(" ", business))
    numbers = _HOUSE.findall(_POSTCODE.sub(" ", text))
    if street is None or len(numbers) != 1:
        return None
    name = street[0].rsplit(maxsplit=1)[0]
    postcode = _POSTCODE.search(text)
    where = postcode[0] if postcode else business[street.end() :].strip(" ,")
    return f"{name} {numbers[0]}, {where}"


def _address(slot: Slot, text: str, ctx: AnswerContext) -> Parsed:
    """A delivery address: a street with its house number and a five-digit postcode
    ("Weserstraße 5, 12047 Berlin"), or a location shared in a messenger (its coordinates).
    "zu mir nach Hause" is not one: the reprompt says what is missing. A message longer than
    the slot allows is the address found in it, with as much of what follows as fits."""
    value = " ".join(text.split())
    if _COORDINATES.fullmatch(value):
        return Valid(value)  # a shared location ("52.486234, 13.424501"): the driver finds it
    value = _on_the_business_street(value, ctx.bot.business.address) or value
    without_postcode = _POSTCODE.sub(" ", value)
    missing = [
        part
        for part, present in (
            ("street", _has_street(without_postcode)),
            ("postcode", _POSTCODE.search(value) is not None),
        )
        if not present
    ]
    if missing:
        names = _MISSING.get(ctx.lang, _MISSING["en"])
        joined = _AND.get(ctx.lang, " and ").join(names[part] for part in missing)
        return Invalid("incomplete_address", {"missing": joined})
    if slot.max_length is not None and len(value) > slot.max_length:
        found = find_address(value)
        if found is None:
            return Invalid("too_long", {"max": slot.max_length})
        value = _clipped(value[value.find(found) :], slot.max_length)  # and the driver's notes
    return Valid(" ".join(_POSTCODE_LABEL.sub(" ", value).split()))


def _clipped(text: str, limit: int) -> str:
    """The text cut at the last word that fits the limit, "…" where it was cut ("Friedelstraße
    31, 12047 Berlin. Hinterhaus, … bitte unten kurz 0176 5550123 anrufen. Unser …")."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;") + "…"


PARSERS: Mapping[str, Callable[[Slot, str, AnswerContext], Parsed]] = {
    "address": _address,
    "text": _text,
    "integer": _number,
    "number": _number,
    "yes_no": _yes_no,
    "choice": _choice,
    "choices": _choice,
    "item": _item,
    "line": _line,
    "date": _date,
    "time": _time,
    "datetime": _datetime,
    "phone": _phone,
    "email": _email,
}


def parse_answer(slot: Slot, text: str, payload: str | None, ctx: AnswerContext) -> Parsed:
    """A button payload is tried first (it is exact), then the typed text."""
    parser = PARSERS[slot.type]
    if payload:
        parsed = parser(slot, payload, ctx)
        if isinstance(parsed, Valid):
            return parsed
    return parser(slot, text, ctx)
