"""Whom a clause that names a person and no item orders for: the clause right after it ("For
me, one large Prosciutto"); whom "for her" or "für ihn" means: the one person of that gender
the message named before ("I order for my girlfriend and me. For her, one medium Quattro
Formaggi"); where clauses part, for a "for …" that ends clauses "and" joins covers them all ("a
Diavola and a beer for me"); and "mine" in a change: the speaker's lines; a clause of the
speakers' story orders nothing for anyone; who joins the order and who does not come. Read by
people.py."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Final

from framework.flows.understanding.genders import gender_of, pronoun_gender
from framework.flows.understanding.lexicon import Lexicon
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.story import tells_a_story

__all__ = [
    "CLAUSES",
    "for_at_end",
    "is_label",
    "joins_the_order",
    "not_coming",
    "ordered_in",
    "pronoun_person",
    "said_mine",
]

_FOR_PRONOUN: Final = re.compile(r"\b(?:for|für|fuer)\s+(her|him|sie|ihn)\b", re.IGNORECASE)
_LABEL: Final = re.compile(
    r"\s*(?:and\s+|und\s+)?(?:for|für|fuer)(?:\s+[\w'’]+){1,3}\s*", re.IGNORECASE
)
_FOR_AT_END: Final = re.compile(r"\b(?:for|für|fuer)(?:\s+[\w'’]+){1,3}\s*$", re.IGNORECASE)
CLAUSES: Final = re.compile(r"[,;:.!?\n]+|\s[—–-]\s|\s(und|and|plus|sowie)\s")
"""Where a message's clauses part, keeping the word that joins two where it is "and": its
`split` gives clause, "and" or None (a comma, a full stop, a dash), clause, …"""


_JOINING: Final = re.compile(
    r"\b(?:(?:is|are|s|re) (?:coming|joining(?: us)?) (?:too|as well|along)|joins us|"
    r"(?:kommt|kommen) (?:auch|noch|doch|mit)(?: mit| dazu)?)\b(?! (?:nicht|ned|net|not)\b)",
    re.IGNORECASE,
)


def joins_the_order(text: str) -> bool:
    """Whether the message says someone joins ("my niece is coming too — make that three
    Margheritas", "Lena kommt noch dazu"): more for them, no change of someone's own."""
    return _JOINING.search(text) is not None


_NOT_COMING: Final = re.compile(
    r"\b(?:kommt doch nicht|kommt nicht|isst doch nicht|isn't coming|is not coming|"
    r"not coming|can't make it|cannot make it|dropped out|is out|not hungry|keinen hunger|"
    r"muss (?:leider )?(?:schon |jetzt |doch )?(?:los|weg)|has to (?:leave|go)|had to leave|"
    r"hat keinen hunger|nicht hungrig|isst nichts|eats nothing)\b",
    re.IGNORECASE,
)


def not_coming(text: str) -> bool:
    """Whether the message says someone does not come or eat ("Jonas kommt doch nicht", "Nina
    can't make it"): their lines go."""
    return _NOT_COMING.search(text) is not None


def ordered_in(clause: str, lexicon: Lexicon) -> list[str]:
    """The items a clause names for someone; none in the speakers' story ("here with my
    colleague for a water workshop")."""
    words = tokens(clause)
    if tells_a_story(words, lexicon):
        return []
    return [match.value for match in lexicon.items(frozenset()).find_all(words)]


def for_at_end(clause: str) -> bool:
    """Whether whom the clause is for ends it ("a beer for me", "eine Cola für meine Frau")."""
    return _FOR_AT_END.search(clause) is not None


def is_label(clause: str) -> bool:
    """Whether the clause is only whom the next one is for ("For me", "für meine Frau")."""
    return _LABEL.fullmatch(clause) is not None


def pronoun_person(clause: str, named: list[str]) -> str | None:
    """The one person named before of the pronoun's gender, for "for her"/"für ihn"; None
    when there is no such pronoun, or none or several such people."""
    found = _FOR_PRONOUN.search(clause)
    if found is None:
        return None
    gender = pronoun_gender([found[1].lower()])
    fitting = {person for person in named if gender_of(person) == gender}
    return fitting.pop() if len(fitting) == 1 else None


_MINE: Final = frozenset({"mine", "meins"})
_MY_ONE: Final = frozenset({("my", "one"), ("my", "pizza"), ("meine", "pizza")})


def said_mine(words: list[str]) -> bool:
    """ "make mine a large", "meins ohne Zwiebeln", "my pizza", "meine Pizza": the speaker's
    lines."""
    return not _MINE.isdisjoint(words) or not _MY_ONE.isdisjoint(pairwise(words))
