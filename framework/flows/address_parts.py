"""An address given in pieces, as people do: "Sonnenallee 50" — "12045"; "Weserstraße,
12047 Berlin" — "oh sorry, 88". The incomplete answer waits in the frame and the next one
completes it; a house number alone goes behind the street it belongs to.
"""

from __future__ import annotations

import re
from typing import Final

from framework.flows.events import Message
from framework.flows.session import Frame
from framework.flows.turn import Turn
from framework.flows.understanding.slot_values import STREET_WORDS

__all__ = [
    "corrected_house_number",
    "house_number_fixed",
    "note_street_ahead",
    "remember_part",
    "take_street_ahead",
    "with_earlier_part",
]

MAX_CHARS: Final = 300
_HOUSE_NUMBER: Final = re.compile(r"^\D*?(\d{1,4}(?:\s?[a-zA-Z])?)(?![\d\w])(.*)$")
"""A message that starts with a house number ("oh sorry, 88", "Nr. 12b", "19, 12049"): the
number, and the rest of the message."""
_STREET: Final = re.compile(rf"\b[\w.\-]*?(?:{STREET_WORDS})\b\.?", re.IGNORECASE)


def with_earlier_part(frame: Frame, text: str) -> str:
    """The answer together with the incomplete one before it (the answer alone without); an
    answer that corrects its house number ("ach nee, 41 ist richtig, nicht 14") changes it."""
    earlier = frame.get("partial")
    if not earlier:
        return text
    fixed = corrected_house_number(earlier, text)
    if fixed is not None:
        postcode = _POSTCODE_AND_TOWN.search(text)  # "nicht 5, Nummer 15. PLZ ist 12053"
        return fixed if postcode is None or postcode[1] in fixed else f"{fixed}, {postcode[0]}"
    postcode = _POSTCODE_AND_TOWN.search(text)
    if (
        postcode is not None
        and re.search(r"\d", earlier)
        and not _POSTCODE_AND_TOWN.search(earlier)
    ):
        # "oh and the postcode is 12053", "12047, Hinterhaus, 3. Stock": no lead-in words
        return f"{earlier}, {postcode[0]}{_notes_after(text[postcode.end() :])}"
    number = _HOUSE_NUMBER.match(text.strip())
    street = _STREET.search(earlier)
    if number and street and not re.match(r"\s*\d", earlier[street.end() :]):
        rest = earlier[street.end() :] + number[2]
        return f"{earlier[: street.end()]} {number[1]}{rest}"
    return f"{earlier}, {text}"


def _notes_after(rest: str) -> str:
    """What follows a postcode as notes for the driver (", Hinterhaus, 3. Stock"), without
    the words that only end the sentence ("12053 glaube ich")."""
    comma = rest.find(",")
    return "" if comma < 0 else rest[comma:].rstrip(" .!")


_NUMBER: Final = re.compile(r"(?=\d)(?<![\d.,])(\d{1,4}[a-zA-Z]?)(?!\d|[.,]\d)")
"""A house number-like number: not part of a postcode, a price or a decimal (the digit looked
for first: the lookbehind is then tried at digits only)."""
_POSTCODE_AND_TOWN: Final = re.compile(r"\b(\d{5})\b(?:\s+[A-ZÄÖÜ][\w-]+)?")
_NOT: Final = re.compile(r"\b(?:nicht|not|statt|anstatt|instead of|rather than)\b", re.IGNORECASE)


def corrected_house_number(address: str, text: str) -> str | None:
    """ "Hausnummer 21, nicht 12", "it's number 13 not 31": the address with the new number,
    when the old one is its house number (never the postcode); None otherwise."""
    negation = _NOT.search(text)
    numbers = list(_NUMBER.finditer(text))
    if negation is None or len(numbers) != 2:
        return None
    before = [m[1] for m in numbers if m.end() <= negation.start()]
    after = [m[1] for m in numbers if m.start() >= negation.end()]
    if len(before) == 1 and len(after) == 1:
        new, old = before[0], after[0]  # "21, nicht 12", "13 instead of 31": the new one first
    elif not before and len(after) == 2:
        old, new = after  # "nicht 5, Nummer 15", "not 13 but 31"
    else:
        return None
    found = [m for m in _NUMBER.finditer(address) if m[1] == old]
    if len(found) != 1 or new == old:
        return None
    spot = found[0]
    return f"{address[: spot.start()]}{new}{address[spot.end() :]}"


_STREET_AHEAD: Final = re.compile(
    rf"\b(?:in die|in der|an die|in den|zur|zum|to|on)\s+"
    rf"(?P<street>[A-ZÄÖÜ][\w\-]*(?:{STREET_WORDS})\b\.?(?:\s*\d{{1,4}}\s?[a-z]?\b)?)",
    re.IGNORECASE,
)
"""A street said before the address is asked, with or without its number but without the
postcode ("bitte liefern in die Flughafenstraße", "delivery to Sonnenallee 50"): the first
part of the address."""
STREET_AHEAD: Final = "street_ahead"
"""A session flag: that street, until the address question takes it."""


_STREET_ALONE: Final = re.compile(
    r"^\W*(?:(?:the\s+)?street\s+is|(?:die\s+)?stra(?:ß|ss)e\s+ist|it'?s|address\s+is)?\s*"
    rf"(?P<street>[A-ZÄÖÜ][\w\-]*(?:{STREET_WORDS})\b\.?(?:\s*\d{{1,4}}\s?[a-z]?\b)?)\W*$",
    re.IGNORECASE,
)
"""A message that is nothing but a street, with or without its number ("Hermannstraße")."""


def note_street_ahead(turn: Turn, text: str) -> bool:
    """Keep a street said before the address is asked; whether the message was nothing but
    that street (an answer for later, not to the open question)."""
    alone = _STREET_ALONE.match(text[:MAX_CHARS])
    found = alone or _STREET_AHEAD.search(text[:MAX_CHARS])
    if found is not None:
        turn.session["flags"][STREET_AHEAD] = found["street"]
    return alone is not None


def take_street_ahead(turn: Turn, frame: Frame) -> None:
    """The street said ahead becomes the address question's earlier part."""
    street = turn.session["flags"].pop(STREET_AHEAD, None)
    if street and not frame.get("partial"):
        frame["partial"] = street


def remember_part(frame: Frame, so_far: str) -> None:
    """Keep an incomplete address (`with_earlier_part`'s) for the next answer."""
    frame["partial"] = so_far[-MAX_CHARS:]


def house_number_fixed(turn: Turn, message: Message) -> bool:
    """ "Sorry, Hausnummer 21 nicht 12": the address given is corrected, the question asked
    again (at the confirmation, with the new address)."""
    slots = turn.session["slots"]
    for name, value in slots.items():
        if turn.slot(name).type != "address" or not isinstance(value, str):
            continue
        fixed = corrected_house_number(value, message.text)
        if fixed is not None:
            turn.set_slot(name, fixed)
            turn.say_named("order_changed", change=fixed)
            turn.reask()
            return True
    return False
