"""The phrases that name the catalog's items and choices: their ids, names and synonyms, and
the short forms people type in a hurry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from framework.flows.model import ChoiceSet, Item
from framework.flows.understanding.normalize import tokens

__all__ = ["abbreviations", "choice_phrases", "item_phrases"]


def item_phrases(item: Item) -> Iterator[tuple[str, str]]:
    yield item.id.replace("_", " "), item.id
    for name in item.name.values():
        yield name, item.id
    for synonym in item.synonyms:
        yield synonym, item.id


_SHORTEST: Final = 4


def abbreviations(items: list[Item]) -> Iterator[tuple[str, str]]:
    """ "marg", "capri", "quattro": the start of a name's first word (4 letters or more, short
    of the word) that starts no other item's name and is no word of one: how people shorten
    in a hurry ("2x marg L w/ extra cheese")."""
    names = [(tokens(name), item.id) for item in items for name in item.name.values()]
    words = {word for name, _ in names for word in name}
    owners: dict[str, set[str]] = {}
    for name, item_id in names:
        if not name:
            continue
        first = name[0]
        for end in range(_SHORTEST, len(first)):
            owners.setdefault(first[:end], set()).add(item_id)
    for prefix, ids in owners.items():
        if len(ids) == 1 and prefix not in words:
            yield prefix, next(iter(ids))


def choice_phrases(choices: ChoiceSet) -> Iterator[tuple[str, str]]:
    for choice in choices.choices.values():
        yield choice.id.replace("_", " "), choice.id
        for name in choice.name.values():
            yield name, choice.id
        for synonym in choice.synonyms:
            yield synonym, choice.id
