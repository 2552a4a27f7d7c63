"""Which of the offered times a customer took: a pressed button, "den zweiten", "the first
one", "Nr. 2", "10 Uhr", "Samstag", "bei Maria", "ja" (the time the customer had asked for,
else the first) — or something else.

The offers travel in the conversation as a compact text (`encode`/`decode`): the start as Unix
seconds, the staff id and whether it is the time asked for, so the hold takes exactly what was
offered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import NamedTuple

from framework.bookings.labels import button
from framework.bookings.wishes import TimeWish, read_wish
from framework.flows.understanding.normalize import normalize
from framework.flows.understanding.yesno import parse_yes_no

__all__ = ["Offered", "Pick", "decode", "encode", "fits", "pick", "split_otherwise"]

_MAX_OFFERS = 5
_ORDINALS_AS_WRITTEN = (
    ("erste", "ersten", "erster", "first", "1st", "1te", "1ten", "1ter"),
    ("zweite", "zweiten", "zweiter", "second", "2nd", "2te", "2ten", "2ter"),
    ("dritte", "dritten", "dritter", "third", "3rd", "3te", "3ten", "3ter"),
    ("vierte", "vierten", "vierter", "fourth", "4th", "4te", "4ten"),
    ("fünfte", "fünften", "fünfter", "fifth", "5th", "5te", "5ten"),
)
_ORDINALS = tuple(frozenset(normalize(word) for word in rank) for rank in _ORDINALS_AS_WRITTEN)
_NUMBERED = re.compile(
    r"(?:(nr|nummer|number|no|option|termin|den|die|the|um|at) )?(\d{1,2})(?: (uhr|h|oclock))?"
)
"""A number alone: "2", "Nr. 2", "10", "um 10 Uhr" (a number among other words is a time)."""
_LAST = frozenset(
    normalize(word)
    for word in ("letzte", "letzten", "letzter", "last", "spätesten", "späteste", "latest")
)
_MIDDLE = frozenset(normalize(word) for word in ("mittleren", "mittlere", "middle"))
_FIRST = frozenset(
    normalize(word) for word in ("frühesten", "früheste", "frühestmöglichen", "earliest")
)
_OTHERWISE = re.compile(
    r"\b(?:sonst|ansonsten|andernfalls|falls nicht|wenn nicht|otherwise|or else|if not)\b",
    re.IGNORECASE,
)
"""Between a first choice and a fallback: "11 if you have it, otherwise the first"."""
_ENTRY = re.compile(r"(\d{9,11})\|([a-z0-9][a-z0-9_-]{0,63})(\|\*)?")


class Offered(NamedTuple):
    """An offered time: its start, who, and whether it is the clock time the customer asked
    for (then a plain "ja" takes it)."""

    start: datetime
    staff: str
    asked: bool = False


@dataclass(frozen=True, slots=True)
class Pick:
    """The outcome: `index` of the offer taken, or why none: unclear (ask again), other (a new
    wish: offer again for it, `wish`)."""

    index: int | None = None
    reason: str = ""
    wish: TimeWish | None = None


def encode(offers: Sequence[Offered]) -> str:
    return ";".join(
        f"{int(offer.start.timestamp())}|{offer.staff}{'|*' if offer.asked else ''}"
        for offer in offers
    )


def decode(text: str, zone: tzinfo) -> list[Offered]:
    """The offers again; anything malformed is left out (the text came back from a slot)."""
    found = []
    for entry in str(text or "").split(";")[:_MAX_OFFERS]:
        match = _ENTRY.fullmatch(entry.strip())
        if match:
            start = datetime.fromtimestamp(int(match[1]), zone)
            found.append(Offered(start, match[2], bool(match[3])))
    return found


def pick(
    text: str, offers: Sequence[Offered], now: datetime, locale: str, staff: dict[str, str]
) -> Pick:
    """What `text` chose among `offers` (see the module's docstring). "11 if you have it,
    otherwise the first": the first choice when it is offered, else the fallback."""
    first, fallback = split_otherwise(text[:1000])
    if fallback.strip():
        chosen = _pick_one(first, offers, now, locale, staff)
        if chosen.index is not None or chosen.reason == "other":
            return chosen  # taken, or another day to offer first ("lieber Freitag, sonst …")
        backup = _pick_one(fallback, offers, now, locale, staff)
        return backup if backup.index is not None else chosen
    return _pick_one(text, offers, now, locale, staff)


def split_otherwise(text: str) -> tuple[str, str]:
    """The first choice and the fallback after "sonst", "otherwise" (empty without one)."""
    parts = _OTHERWISE.split(text, maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (text, "")


def _pick_one(
    text: str, offers: Sequence[Offered], now: datetime, locale: str, staff: dict[str, str]
) -> Pick:
    """A day, time or person said narrows the offers first, a rank then picks among those
    ("Samstag, den ersten")."""
    said = normalize(text)[:300]
    for index, offer in enumerate(offers):
        if said == normalize(button(offer.start, locale)):
            return Pick(index)
    words = said.split()
    by_number = _by_number(words, offers)
    if by_number is not None:
        return by_number
    if len(words) <= 4:  # "2nd one!!", "den 2ten": a rank, not the 2nd of the month
        ranked = _ordinal(words, len(offers))
        if ranked is not None:
            return Pick(ranked)
    wish = read_wish(text, now, staff=staff) or TimeWish()
    wished = not wish.is_empty() or wish.staff is not None
    fitting = [i for i, offer in enumerate(offers) if not wished or fits(offer, wish)]
    if wished and not fitting:
        return Pick(reason="other", wish=wish)
    ranked = _ordinal(words, len(fitting))
    if ranked is None and wish.soonest and not wish.days:
        ranked = 0
    if ranked is not None:
        return Pick(fitting[ranked])
    if wished:
        return Pick(fitting[0]) if len(fitting) == 1 else Pick(reason="unclear", wish=wish)
    hour = _lone_hour(words, offers)
    return hour if hour is not None else _yes(text, offers)


def _lone_hour(words: list[str], offers: Sequence[Offered]) -> Pick | None:
    """One number among a few words ("11 if you have it", "lieber die um 3"): the offer at
    that hour, when exactly one is."""
    numbers = [int(word) for word in words if word.isdigit() and len(word) <= 2]
    if len(numbers) != 1 or len(words) > 8 or not 1 <= numbers[0] <= 23:
        return None
    hours = {numbers[0], numbers[0] + 12} if numbers[0] <= 7 else {numbers[0]}
    timed = [index for index, offer in enumerate(offers) if offer.start.hour in hours]
    return Pick(timed[0]) if len(timed) == 1 else None


def _yes(text: str, offers: Sequence[Offered]) -> Pick:
    """A plain yes takes the clock time the customer had asked for, else the first offer:
    the question "shall I book it?" that follows names the time, so a yes that meant another
    one is corrected there, never booked unseen."""
    short = len(text.split()) <= 4  # "ja den", "yes that one"; not "ok, ich überleg's mir"
    if parse_yes_no(text, plain=True) is not True and not (short and parse_yes_no(text)):
        return Pick(reason="unclear")
    asked = [index for index, offer in enumerate(offers) if offer.asked]
    return Pick(asked[0] if len(asked) == 1 else 0)


def _by_number(words: list[str], offers: Sequence[Offered]) -> Pick | None:
    """A number alone ("2", "Nr. 2", "10", "10 Uhr"): the offer of that rank or at that hour
    (1-7 read as the afternoon too, as for clock times); unclear when both fit different
    offers; None when it is no number alone."""
    numbered = _NUMBERED.fullmatch(" ".join(words))
    if numbered is None:
        return None
    prefix, number, suffix = numbered[1], int(numbered[2]), numbered[3]
    if not 1 <= number <= 23:
        return Pick(reason="unclear")  # "0", "den 0.", "99": no rank, no hour of an offer
    a_time = prefix in ("um", "at") or suffix is not None
    ranked = {number - 1} if 1 <= number <= len(offers) and not a_time else set()
    hours = {number, number + 12} if number <= 7 else {number}
    # Read as a rank too, the number names a time only on the full hour ("1" is no 13:30).
    timed = {
        index
        for index, offer in enumerate(offers)
        if offer.start.hour in hours and (not ranked or offer.start.minute == 0)
    }
    if len(timed) > 1:
        return Pick(reason="unclear")
    both = ranked | timed
    if len(both) == 1:
        return Pick(both.pop())
    return Pick(reason="unclear") if both else None


def _ordinal(words: list[str], count: int) -> int | None:
    """'den zweiten', 'the last one', 'den frühesten' among `count` offers."""
    if len(words) > 12 or count == 0:
        return None
    if any(word in _LAST for word in words):
        return count - 1
    if any(word in _FIRST for word in words):
        return 0
    if count == 3 and any(word in _MIDDLE for word in words):
        return 1
    ranks = {rank for rank, names in enumerate(_ORDINALS) for word in words if word in names}
    if len(ranks) == 1:
        rank = ranks.pop()
        return rank if rank < count else None
    return None


def fits(offer: Offered, wish: TimeWish) -> bool:
    """Whether the offer is what the wish asks for (day, time, person)."""
    if wish.staff is not None and wish.staff != offer.staff:
        return False
    day = offer.start.date()
    if (wish.days and day not in wish.days) or day in wish.not_days:
        return False
    clock = offer.start.time().replace(tzinfo=None)
    if wish.exact is not None and (clock.hour, clock.minute) != (
        wish.exact.hour,
        wish.exact.minute,
    ):
        return False
    return not wish.windows or any(since <= clock < until for since, until in wish.windows)
