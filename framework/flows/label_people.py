"""Whom a clause that names a person and no item orders for: the clause right after it ("For
me, one large Prosciutto"); and whom "for her" or "für ihn" means: the one person of that
gender the message named before ("I order for my girlfriend and me. For her, one medium
Quattro Formaggi"). Read by people.py's `note_people`."""

from __future__ import annotations

import re

from framework.flows.understanding.genders import gender_of, pronoun_gender

__all__ = ["is_label", "pronoun_person"]

_FOR_PRONOUN = re.compile(r"\b(?:for|für|fuer)\s+(her|him|sie|ihn)\b", re.IGNORECASE)
_LABEL = re.compile(r"\s*(?:and\s+|und\s+)?(?:for|für|fuer)(?:\s+[\w'’]+){1,3}\s*", re.IGNORECASE)


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
