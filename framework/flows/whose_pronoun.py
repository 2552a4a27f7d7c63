"""A change said of "her" or "him" when several people have lines and nobody was named just
before ("Ach, sie will doch Oliven drauf" with Anna's and Marie's Funghi): the bot asks whose,
unless only one of them is a "her" (Jenny beside Timo: genders.py), and never guesses — a
guess changed the speaker's own pizza or everyone's. The answer ("Marie") is read with the
change (which_line.which_one_answered)."""

from __future__ import annotations

from typing import Final

from framework.flows.named_things import Thing
from framework.flows.people import LAST_PERSON, ME, SHARED_BY, person_named
from framework.flows.turn import Turn
from framework.flows.understanding.genders import gender_of, pronoun_gender
from framework.flows.which_line import ask_whose

__all__ = ["asks_whose"]

_PRONOUNS: Final = frozenset(
    {"sie", "er", "ihre", "ihren", "ihrer", "ihrem", "ihm", "seine", "seinen", "seiner"}
    | {"seinem", "she", "he", "his", "her", "hers", "him"}
)


def asks_whose(turn: Turn, text: str, words: list[str], things: list[Thing]) -> bool:
    """Ask whose lines a change said of "her"/"him" is about (True), when two people or more
    besides the speaker have lines and no one but the speaker was named last."""
    if not things or _PRONOUNS.isdisjoint(words) or person_named(turn, text) is not None:
        return False
    last = turn.session["flags"].get(LAST_PERSON)
    owners = {line["person"] for line in turn.session["cart"]["lines"] if "person" in line}
    if {member for owner in owners for member in owner.split(SHARED_BY)} & set(words):
        return False  # "Tom sagt grad, … auf seine": Tom's
    if last is not None and last != ME:
        shared = [owner.split(SHARED_BY) for owner in owners if SHARED_BY in owner]
        owners = {member for members in shared if last in members for member in members}
        if not owners:
            return False  # "Bernd muss los. Seine Diavola …": Bernd's (even once his line is gone)
    # named last as one of a line of several ("eine für Anna, eine für Marie"): which of them?
    people = sorted({member for owner in owners for member in owner.split(SHARED_BY)} - {ME})
    gender = pronoun_gender(words)
    if len(people) < 2 or [gender_of(person) for person in people].count(gender) == 1:
        return False  # "mach ihre mittel" of Timo's and Jenny's: hers (people.py)
    ask_whose(turn, words, [person.title() for person in people])
    return True
