"""An extra named by a word of what the item already has is no extra: "eine scharfe Diavola",
"Ah, scharf ist gut! Dann eine kleine Diavola" (the Diavola has spicy salami) orders no
jalapeños, though "scharf" names them on any other pizza. Said as an extra ("extra scharf",
"mit Oliven" on a Capricciosa), it stays one."""

from __future__ import annotations

from typing import Final

from framework.flows.model import Slot
from framework.flows.understanding.lexicon import Lexicon
from framework.flows.understanding.matching import Match
from framework.flows.understanding.normalize import normalize, tokens
from framework.flows.understanding.second_thoughts import Mention

__all__ = ["without_what_it_has"]

_AS_AN_EXTRA: Final = frozenset(
    {"extra", "mit", "with", "noch", "mehr", "more", "zusaetzlich", "additional", "plus"}
    | {"und", "and", "w", "auch", "also", "too", "schaerfer", "hotter", "spicier", "add"}
)
"""Words before an extra's name that ask for it on top of what the item has."""


def without_what_it_has(
    mentions: list[Mention], text: str, slots: list[Slot], lexicon: Lexicon
) -> list[Mention]:
    """The mentions without the extras that the message names only by words of their item's
    own description (`contains:` in the catalog)."""
    items = [slot.name for slot in slots if slot.type == "item"]
    extras = [slot for slot in slots if slot.type == "choices" and slot.choices is not None]
    words: list[str] | None = None
    for mention in mentions:
        item = next((mention[name] for name in items if name in mention), None)
        if not isinstance(item, str):
            continue
        for slot in extras:
            chosen = mention.get(slot.name)
            if not isinstance(chosen, list) or not _describing(lexicon, item, slot) & set(chosen):
                continue  # most extras: none of their words describes the item
            assert slot.choices is not None  # extras are the slots with choices
            words = tokens(text) if words is None else words
            found = lexicon.choices(slot.choices).find_all(words)
            has = _described(lexicon, item)
            mention[slot.name] = [
                value
                for value in chosen
                if not _only_as_its_own(
                    words, [m for m in found if m.value == value], has, _names(slot, value)
                )
            ]
    return mentions


def _describing(lexicon: Lexicon, item: str, slot: Slot) -> frozenset[str]:
    """The slot's extras that some word of the item's description names ("scharf" of the
    Diavola's "scharfe Salami" names jalapeños)."""
    return lexicon.kept(("describing", item, slot.name), _describing_read, lexicon, item, slot)


def _describing_read(lexicon: Lexicon, item: str, slot: Slot) -> frozenset[str]:
    has = _described(lexicon, item)
    if not has or slot.choices is None:
        return frozenset()
    phrases = lexicon.choices(slot.choices).phrases().items()
    return frozenset(
        str(value)
        for phrase, value in phrases
        if " ".join(phrase) not in _names(slot, str(value)) and all(_stem(w) in has for w in phrase)
    )


def _only_as_its_own(
    words: list[str], said: list[Match], has: frozenset[str], names: frozenset[str]
) -> bool:
    """Whether every time the extra is said, it is said by another word than its name ("scharf"
    for jalapeños; "olives" on a Vegetaria is extra olives), one of the item's description,
    and not asked for on top."""
    return bool(said) and all(
        " ".join(words[match.start : match.end]) not in names
        and all(_stem(word) in has for word in words[match.start : match.end])
        and not (match.start and words[match.start - 1] in _AS_AN_EXTRA)
        for match in said
    )


def _names(slot: Slot, value: str) -> frozenset[str]:
    """The extra's own names, in every language, as normalized words."""
    choice = slot.choices.choices.get(value) if slot.choices is not None else None
    return frozenset() if choice is None else frozenset(map(normalize, choice.name.values()))


def _described(lexicon: Lexicon, item: str) -> frozenset[str]:
    return lexicon.kept(("described", item), _description, lexicon, item)


def _description(lexicon: Lexicon, item: str) -> frozenset[str]:
    phrases = lexicon.contents(item)
    return frozenset(_stem(word) for phrase in phrases for word in normalize(phrase).split())


def _stem(word: str) -> str:
    """ "scharfe", "scharfen", "scharfer" as "scharf"."""
    for ending in ("en", "er", "es", "e"):
        if len(word) > 4 + len(ending) - 1 and word.endswith(ending):
            return word[: -len(ending)]
    return word
