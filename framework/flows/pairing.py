"""Which thing a message replaces by which ("Fanta statt Cola", "nicht 3 Cola, sondern 2",
"ich meinte Fanta, nicht Cola", "make the cola a cola zero"): the old and the new named in
one sentence, two things of one kind (items, or choices of one group)."""

from __future__ import annotations

from typing import Final

from framework.flows.edit_words import (
    ARTICLES,
    BUT,
    CHANGE_OF_MIND,
    CHANGING,
    INTO,
    NOT,
    RATHER,
    REMOVING,
    REPLACING,
    SPOKEN_ARTICLES,
)
from framework.flows.named_things import Thing
from framework.flows.understanding.negation import ORDINARY
from framework.flows.understanding.numbers import word_to_number
from framework.flows.understanding.segments import COLLOQUIAL_ARTICLES

__all__ = ["replacement"]

_CHANGING_OR_RATHER: Final = CHANGING | RATHER
_PAIRING: Final = REPLACING | BUT | NOT | _CHANGING_OR_RATHER
"""The words without which no replacement is said: each way below needs one of them."""


def replacement(words: list[str], things: list[Thing]) -> tuple[Thing, Thing] | None:
    """(old, new) as the message pairs them — two things of one kind (items, or choices of
    one group) — or None."""
    if _PAIRING.isdisjoint(words):
        return None
    instead = (REPLACING - RATHER) & set(words)  # "would rather have a beer instead of his Fanta"
    than = _rather_than(words, things) or _off_rather(words, things)
    if than is not None:
        return than
    for index, word in enumerate(words):
        before = [t for t in things if t.end <= index]
        after = [t for t in things if t.start > index]
        not_before = word in RATHER and any(_negated(words, t) for t in before)  # "no X, rather Y"
        if word in REPLACING and after and not (word in RATHER and instead) and not not_before:
            pair = _replaced_at(words, index, things, before, after)
            if pair is not None:
                return pair  # "Fanta statt Cola", "statt der Salami lieber ne Diavola"
        if word in BUT and before and after:
            negated = [t for t in before if _negated(words, t)]
            new = _same_kind(negated[-1], after) if negated else None
            if new is not None:
                return negated[-1], new  # "nicht 3 Cola, sondern 2", "not large but medium"
    said_not = _said_not(words, things)
    if said_not is not None:
        return said_not
    if len(things) >= 2 and not _CHANGING_OR_RATHER.isdisjoint(words):
        return _made_into(words, _from_the_verb(words, things))
    return None


def _replaced_at(
    words: list[str], index: int, things: list[Thing], before: list[Thing], after: list[Thing]
) -> tuple[Thing, Thing] | None:
    """(old, new) around the word of replacing at `index`: the old thing right after it, the
    new one another thing than the old one first ("Ana doesn't drink Coke, so instead of her
    Coke a water": the water). The same choice on both sides ("statt der mittleren Tonno
    eine mittlere Salami") replaces the items it is said with."""
    old = after[0]
    ahead = index == 0 or words[index - 1] in _CLAUSE_START  # "und statt Bier ne Cola"
    first, then = (after[1:], before[::-1]) if ahead else (before[::-1], after[1:])
    new = (
        _other_kind(old, first)
        or _other_kind(old, then)
        or _same_kind(old, first)
        or _same_kind(old, then)
    )
    if new is not None and old.group is not None and new.value == old.value:
        return replacement(words, [t for t in things if t.group != old.group])
    return None if new is None else (old, new)


def _from_the_verb(words: list[str], things: list[Thing]) -> list[Thing]:
    """The things from the first verb of changing on, when it has two after it: what comes
    before it is the reason, not the change ("she can't stand mushrooms — swap the Funghi
    for a medium Prosciutto")."""
    verb = next((i for i, word in enumerate(words) if word in CHANGING), len(words))
    after = [thing for thing in things if thing.start > verb]
    return after if len(after) >= 2 else things


_THAN: Final = frozenset({"than", "als"})
_CLAUSE_START: Final = frozenset({"und", "and", "aber", "but", "also", "dann", "then"})
"""Before "statt": a clause begins, and the new thing comes after the old ("… und statt Bier
ne Cola Zero"), not before it ("eine Fanta statt der Cola")."""


def _rather_than(words: list[str], things: list[Thing]) -> tuple[Thing, Thing] | None:
    """ "would rather have a water than a beer", "lieber ein Wasser als ein Bier": the thing
    after "than" is the old one, the one between "rather" and "than" the new."""
    rather = next((i for i, word in enumerate(words) if word in RATHER), None)
    if rather is None or _THAN.isdisjoint(words[rather:]):
        return None
    than = next(i for i, word in enumerate(words) if i > rather and word in _THAN)
    new = [t for t in things if rather < t.start < than]
    old = [t for t in things if t.start > than]
    kind = _same_kind(new[-1], old) if new and old else None
    return (kind, new[-1]) if kind is not None else None


def _off_rather(words: list[str], things: list[Thing]) -> tuple[Thing, Thing] | None:
    """ "die Jalapeños wieder runter, lieber Schinken drauf", "take the olives off, ham
    instead", "take off the Salami and give me a Tonno instead": a thing taken off, then
    rather another of its kind."""
    for old in things:
        off = next(
            (i for i in range(old.end, old.end + 3) if i < len(words) and words[i] in REMOVING),
            None,
        )
        before = [w for w in words[max(0, old.start - 3) : old.start] if w not in SPOKEN_ARTICLES]
        if off is None and before[-1:] == ["off"]:
            off = old.end - 1  # "take off the Salami", Caribbean "tek off di Hawaii"
        if off is None or CHANGE_OF_MIND.isdisjoint(words[off:]):
            continue
        new = _other_kind(old, [t for t in things if t.start > off])
        if new is not None:
            return old, new
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
    made = _made(words, things[0]) and new is not None and new.start == things[0].end
    where = _ON_THE if new is not None and _item_between(things, things[0], new) else frozenset()
    if new is not None and (words_between or counted or made) and words_between <= INTO | where:
        return things[0], new  # "swap the jalapeños on the Margherita for ham": where, too
    return None


_ON_THE: Final = frozenset({"on", "auf", "bei"})


def _item_between(things: list[Thing], old: Thing, new: Thing) -> bool:
    return any(t.group is None and old.end <= t.start < new.start for t in things)


def _made(words: list[str], thing: Thing) -> bool:
    """ "make the Cokes Fantas": a verb of making right before the thing (and its article)."""
    before = [w for w in words[: thing.start] if w not in ARTICLES]
    return bool(before) and before[-1] in CHANGING


def _said_not(words: list[str], things: list[Thing]) -> tuple[Thing, Thing] | None:
    """A thing said with "not" and the one of its kind said just before it ("ich meinte
    Fanta, nicht Cola", "medium, not large") or right after it ("nicht Salami — Prosciutto",
    "not the Coke, a Fanta")."""
    for thing in things:
        if not _negated(words, thing):
            continue
        said_before = [t for t in things if t.end < thing.start and not _negated(words, t)]
        new = _same_kind(thing, said_before[::-1])  # not "keine Oliven …, mag keine Oliven"
        if new is not None:
            return thing, new
        new = _same_kind(thing, [t for t in things if t.start >= thing.end])
        if new is not None and _right_after(words, thing, new, things):
            return thing, new
    return None


def _right_after(words: list[str], old: Thing, new: Thing, things: list[Thing]) -> bool:
    """Nothing but an article, a count, "I mean", "rather", "please" or what is said of the
    new one between the thing said "not" and the new one ("not Tonno, I mean Diavola",
    "Nicht die Tonno, bitte eine kleine Prosciutto"), and where the change is made ("nicht
    Pilze auf die Salami – Schinken")."""
    said_of = {at for t in things for at in range(t.start, t.end)}
    between = [w for at, w in enumerate(words[old.end : new.start], old.end) if at not in said_of]
    where = _ON_THE if _item_between(things, old, new) else frozenset()
    return all(
        w in ARTICLES
        or w in COLLOQUIAL_ARTICLES  # "… nicht. Lieber ne mittlere Hawaii"
        or w in _MEANING
        or w in _BESIDE_THE_NEW
        or w in where
        or word_to_number(w) is not None
        for w in between
    )


_BESIDE_THE_NEW: Final = frozenset(
    {"bitte", "please", "pls", "gern", "gerne"}
    | {"another", "also", "auch", "noch", "takes", "wants", "nimmt", "he", "she", "er"}
    | {"extra", "zusaetzlich"}
    | {"give", "gimme", "get", "have", "me", "us", "we", "ll", "d", "gib", "gebt", "mir", "uns"}
)
"""Words that may stand before the new thing: "please", "another", who takes it, "extra", who
is to get it ("not the Tonno, please a small Prosciutto", "no Capricciosa, instead he takes
another Vegetaria", "nicht Oliven, lieber extra Schinken", "not the Funghi — give me a
Capricciosa instead", "nicht die Funghi, gib mir eine Capricciosa")."""


_MEANING = frozenset({"i", "mean", "meant", "ich", "meine", "meinte", "sondern"}) | CHANGE_OF_MIND
_MEANING |= {"on", "it", "drauf", "darauf", "moechte", "will", "want", "nehme", "take", "like"}
_MEANING |= {"better", "besser"}  # "on the Vegetaria not onions, better mushrooms"
_MEANING |= {"make", "mach", "mache", "that", "es", "put", "pack", "give", "gib"}
_MEANING |= {"nicht", "nich", "doch"}  # "die Tonno doch nicht, lieber eine Hawaii"
"""Between the thing said "not" and the new one: "nicht Tonno, ich meinte Diavola", "keine
Jalapeños, lieber extra Käse", "no onions on it, rather mushrooms", "nicht Salami – ich möchte
Diavola", "not Margherita — make it Quattro Formaggi", "not onions — put olives instead"."""


def _same_kind(old: Thing, candidates: list[Thing]) -> Thing | None:
    return next((t for t in candidates if t.group == old.group and t is not old), None)


def _other_kind(old: Thing, candidates: list[Thing]) -> Thing | None:
    return next((t for t in candidates if t.group == old.group and t.value != old.value), None)


_NOT_BEFORE: Final = NOT | {"ka"}
"""Right before a thing: Austrian "ka" is "kein" ("doch ka Zwiebeln, sondern Jalapeños"); the
Thai learners' polite "ka" ends a sentence, never stands before a thing."""


def _negated(words: list[str], thing: Thing) -> bool:
    """ "nicht Cola", "nicht 3 Cola", "not the large one", "nicht normale Cola"; an item with
    "nicht" after it ("die Tonno (doch) nicht")."""
    before = [
        w for w in words[max(0, thing.start - 3) : thing.start] if w not in ARTICLES | ORDINARY
    ]
    before = [w for w in before if word_to_number(w) is None]
    after = [w for w in words[thing.end : thing.end + 3] if w != "doch"]
    if thing.group is None and after[:1] and after[0] in _NOT_AFTER:
        return len(after) == 1 or after[1] in CHANGE_OF_MIND  # not "Fanta, nicht Cola"
    return bool(before) and before[-1] in _NOT_BEFORE


_NOT_AFTER: Final = frozenset({"nicht", "nich"})
