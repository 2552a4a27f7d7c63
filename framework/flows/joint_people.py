"""People who order together ("für Jule und Sarah je eine", "für mich und Korbinian", "my
husband and I want two medium Tonnos"): their line is theirs together, one each, kept as
"jule+sarah" (read by framework/flows/people.py)."""

from __future__ import annotations

import re
from typing import Final

from framework.flows.session import SHARED_BY, SPEAKER
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.not_names import NAME, NOT_NAMES

__all__ = ["joint_people", "one_each", "ours"]

_JOINT: Final = re.compile(
    rf"(?P<names>{NAME}(?:,\s*{NAME})*\s+(?:und|and)\s+{NAME})\s+"
    r"(?:(?:(?:wollen|nehmen|kriegen|bekommen|möchten|want|get|have|take)\s+)?(?:je|jeweils|each)"
    r"|both|(?:wollen|nehmen|kriegen|bekommen|möchten)\s+beide)\b"
)
_ONE_EACH: Final = frozenset({"je", "jeweils", "each", "both", "beide"})
_ME_AND: Final = re.compile(
    rf"\b(?:[Ff]ür|[Ff]uer|[Ff]or) (?:mich|me) (?:und|and) (?:(?:(?:meinen|meine|my|our) )?"
    rf"(?:(?i:freund|freundin|mann|frau|bruder|schwester|friend|husband|wife|partner) )?({NAME})"
    r"|((?:meinen|meine|my) (?i:freund|freundin|mann|frau|bruder|schwester|friend|husband|wife"
    r"|partner|sister|brother|mum|mom|dad|son|daughter|colleague|kollegin|kollegen))"
    r"|(her|him|ihn|sie))\b"
)
"""The one the speaker orders with: a name ("für mich und Korbinian"), who they are to the
speaker ("one each for me and my sister") or a pronoun for them ("one each for me and her")."""


_PARTNER_AND_I: Final = re.compile(
    r"\b(?P<partner>(?:my|mein|meine)\s+(?:husband|wife|partner|boyfriend|girlfriend|mann|frau"
    r"|freund|freundin))\s+(?:and|und)\s+(?:I|ich)\b",
    re.IGNORECASE,
)


def one_each(clause: str) -> bool:
    """Whether a clause gives one each to the people it orders for together: "je", "each",
    a line "für mich und Korbinian", "… and I want two medium Tonnos"."""
    said = set(tokens(clause))
    return bool(_ONE_EACH & said or _ENDS_FOR_ME.search(clause) or _TWO & said)


_TWO: Final = frozenset({"two", "zwei"})


def ours(text: str, person: str | None, joint: dict[str, str]) -> str | None:
    """Under a heading "für mich und …:", a clause's person: the heading's people together,
    unless the clause names someone the heading does not."""
    heading = _FOR_US.match(text)
    if heading is None or SPEAKER not in joint:
        return person
    named = set(tokens(heading.group())) | {SPEAKER}
    return joint[SPEAKER] if person is None or set(tokens(person)) <= named else person


_FOR_US: Final = re.compile(
    r"^\W*(?:\w+\W+){0,2}?(?:für|fuer|for) (?:mich|me) (?:und|and) [^:\n]{1,40}:", re.I
)
"""A heading: "Hallo! Für mich und meinen Freund Fabian: …" — the lines after it are theirs."""
_ENDS_FOR_ME: Final = re.compile(r"\b(?:für|fuer|for) (?:mich|me)\s*$", re.IGNORECASE)
"""A line "für mich und Korbinian": the speaker's and Korbinian's together."""


def joint_people(text: str, menu: frozenset[str]) -> dict[str, str]:
    """The last of names that get one each, to all of them ("für Jule und Sarah je eine …":
    sarah → jule+sarah): the line is theirs together, one each."""
    joint: dict[str, str] = {}
    lowered = text.lower()
    if "und" not in lowered and "and" not in lowered:
        return joint  # each way of saying it joins two with "und" or "and"
    if (me_and := _ME_AND.search(text)) is not None:  # "für mich und Korbinian"
        other = next(said for said in me_and.groups() if said)
        joint[SPEAKER] = f"{SPEAKER}{SHARED_BY}{other.lower()}"
    if (pair := _PARTNER_AND_I.search(text)) is not None:  # "my husband and I want two …"
        joint[SPEAKER] = f"{SPEAKER}{SHARED_BY}{pair['partner'].lower()}"
    for found in _JOINT.finditer(text):
        names = [name.lower() for name in re.findall(NAME, found["names"])]
        if len(names) > 1 and not set(names) & (NOT_NAMES | menu):
            joint[names[-1]] = SHARED_BY.join(names)
    return joint
