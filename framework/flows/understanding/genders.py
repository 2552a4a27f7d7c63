"""Whom "her" and "him" can mean: the gender a pronoun speaks of, and that of a person by
their role ("meine Schwester", "my husband") or a common first name ("Jenny", "Timo"), as a
waiter hears it. Only ever used to tell two people apart; a name that is given to girls and
boys alike ("Kim", "Alex", "Luca") has no gender here, and then the bot asks."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Final

__all__ = ["gender_of", "pronoun_gender"]

_FEMALE_PRONOUNS: Final = frozenset(
    {"sie", "ihre", "ihren", "ihrer", "ihrem", "she", "her", "hers"}
)
"""Not "ihr": also the plural "you" ("dann könnt ihr …")."""
_MALE_PRONOUNS: Final = frozenset(
    {"er", "ihm", "ihn", "sein", "seine", "seinen", "seiner", "seinem", "seins"}
    | {"he", "his", "him"}
)
_FEMALE_ROLES: Final = frozenset(
    {"frau", "freundin", "schwester", "mutter", "mama", "mami", "oma", "tochter", "tante"}
    | {"cousine", "nichte", "kollegin", "nachbarin", "chefin", "enkelin", "schwägerin"}
    | {"schwiegermutter", "großmutter", "schwiegertochter", "wife", "girlfriend", "sister"}
    | {"mother", "mum", "mom", "mummy", "grandma", "granny", "nan", "daughter", "aunt"}
    | {"auntie", "niece", "granddaughter", "sister-in-law", "mother-in-law", "fründin"}
    | {"schwöschter", "partnerin"}
)
_MALE_ROLES: Final = frozenset(
    {"mann", "bruder", "vater", "papa", "papi", "opa", "sohn", "onkel", "neffe", "neffen"}
    | {"kollege", "kollegen", "nachbar", "nachbarn", "chef", "enkel", "schwager", "kumpel"}
    | {"schwiegervater", "großvater", "schwiegersohn", "husband", "boyfriend", "brother"}
    | {"father", "dad", "daddy", "grandpa", "grandad", "son", "uncle", "nephew", "grandson"}
    | {"brother-in-law", "father-in-law", "fründ", "maa", "brüeder", "partner"}
)


def pronoun_gender(words: list[str]) -> str | None:
    """ "f" or "m" for the words' pronouns of one gender ("mach ihre mittel"); None for none,
    or both ("ihre mittel und bei ihm …": each clause says its own)."""
    said = set(words)
    female, male = not _FEMALE_PRONOUNS.isdisjoint(said), not _MALE_PRONOUNS.isdisjoint(said)
    if female == male:
        return None
    return "f" if female else "m"


def gender_of(person: str) -> str | None:
    """ "f", "m" or None for a person as people.py keeps them ("meine schwester", "timo")."""
    last = person.rsplit(maxsplit=1)[-1] if person.strip() else ""
    if last in _FEMALE_ROLES:
        return "f"
    if last in _MALE_ROLES:
        return "m"
    return _first_names().get(person)


@lru_cache(maxsize=1)
def _first_names() -> dict[str, str]:
    """first_names.txt: "f"/"m" lines of common German and English first names."""
    text = (Path(__file__).parent / "first_names.txt").read_text(encoding="utf-8")
    names: dict[str, str] = {}
    for line in text.splitlines():
        gender, _, listed = line.partition(":")
        if gender.strip() in ("f", "m"):
            names.update((name, gender.strip()) for name in listed.split())
    return names
