"""Which thing a message replaces by which ("Fanta statt Cola", "nicht 3 Cola, sondern 2",
"ich meinte Fanta, nicht Cola", "make the cola a cola zero"): the old and the new named in
one sentence, two things of one kind (items, or choices of one group)."""

from __future__ import annotations

from framework.flows.edit_words import ARTICLES, BUT, CHANGING, INTO, NOT, RATHER, REPLACING
from framework.flows.named_things import Thing
from framework.flows.understanding.numbers import word_to_number

__all__ = ["replacement"]

_CHANGING_OR_RATHER = CHANGING | RATHER
_PAIRING = REPLACING | BUT | NOT | _CHANGING_OR_RATHER
"""The words without which no replacement is said: each way below needs one of them."""


def replacement(words: list[str], things: list[Thing]) -> tuple[Thing, Thing] | None:
    """(old, new) as the message pairs them — two things of one kind (items, or choices of
    one group) — or None."""
    if _PAIRING.isdisjoint(words):
        return None
    instead = (REPLACING - RATHER) & set(words)  # "would rather have a beer instead of his Fanta"
    for index, word in enumerate(words):
        before = [t for t in things if t.end <= index]
        after = [t for t in things if t.start > index]
        if word in REPLACING and after and not (word in RATHER and instead):
            old = after[0]
            new = _same_kind(old, before[::-1]) or _same_kind(old, after[1:])
            if new is not None:
                return old, new  # "Fanta statt Cola", "statt der Salami lieber ne Diavola"
        if word in BUT and before and after:
            negated = [t for t in before if _negated(words, t)]
            new = _same_kind(negated[-1], after) if negated else None
            if new is not None:
                return negated[-1], new  # "nicht 3 Cola, sondern 2", "not large but medium"
    for thing in things:
        new = _same_kind(thing, [t for t in things if t.end < thing.start][::-1])
        if _negated(words, thing) and new is not None:
            return thing, new  # "ich meinte Fanta, nicht Cola", "medium, not large"
    if len(things) >= 2 and not _CHANGING_OR_RATHER.isdisjoint(words):
        return _made_into(words, things)
    return None


def _made_into(words: list[str], things: list[Thing]) -> tuple[Thing, Thing] | None:
    """The first thing made into the next of its kind ("make the cola a cola zero", "die
    Colas bitte als Zero"), said with words of making it into that only."""
    new = _same_kind(things[0], things[1:])
    named = {i for t in things for i in range(t.start, t.end)}  # "with a medium Prosciutto"
    between = (
        {w for i, w in enumerate(words) if things[0].end <= i < new.start and i not in named}
        - ARTICLES
        if new
        else set()
    )
    words_between = {w for w in between if word_to_number(w) is None}
    counted = words_between != between  # "make the two Fantas two beers"
    if new is not None and (words_between or counted) and words_between <= INTO:
        return things[0], new
    return None


def _same_kind(old: Thing, candidates: list[Thing]) -> Thing | None:
    return next((t for t in candidates if t.group == old.group and t is not old), None)


def _negated(words: list[str], thing: Thing) -> bool:
    """ "nicht Cola", "nicht 3 Cola", "not the large one"."""
    before = [w for w in words[max(0, thing.start - 3) : thing.start] if w not in ARTICLES]
    before = [w for w in before if word_to_number(w) is None]
    return bool(before) and before[-1] in NOT
