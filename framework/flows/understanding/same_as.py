"""The same as said before, in one message: "a large Prosciutto with olives, and my husband
wants the same but small", "eine große Salami und für meine Frau das Gleiche in klein",
"Lena: mittlere Margherita mit Oliven. … Und ich nehm das Gleiche wie Lena" — another of the
item said before (or of the one said for the person named), with what the part changes.
(Said in a later message, the same again is another of the cart's newest line: same_again.py.)
"""

from __future__ import annotations

import itertools
from typing import Final

from framework.flows.understanding.second_thoughts import Mention, Part

__all__ = ["the_same_again"]

_SAME: Final = frozenset(
    {("the", "same"), ("das", "gleiche"), ("das", "selbe"), ("die", "gleiche"), ("den", "gleichen")}
    | {("die", "selbe"), ("den", "selben"), ("same", "again"), ("same", "for"), ("same", "as")}
)
_SAME_WORDS: Final = frozenset({"dasselbe", "dieselbe", "denselben", "dasgleiche"})
_AS: Final = frozenset({"wie", "as", "like"})


def the_same_again(sentences: list[list[Part]], counts: set[str]) -> None:
    """Each part that asks for the same as before and names no item gets a copy of that
    item's mention (its count too, unless the part says one), changed by what it says."""
    said: list[tuple[set[str], Mention]] = []  # each item part with the words said for it
    since: set[str] = set()  # the words since the last item part ("Lena:" before hers)
    for parts in sentences:
        for at, (words, mention, has_item) in enumerate(parts):
            if (
                not has_item
                and _asks_the_same(words)
                and said
                and not _like_the_one_before(parts, at)
            ):
                source = _named(words, said) or said[-1][1]
                copied = {k: list(v) if isinstance(v, list) else v for k, v in source.items()}
                mention = _with_the_but(parts, at, mention)
                if counts & mention.keys():
                    copied = {k: v for k, v in copied.items() if k not in counts}
                parts[at] = (_without_the_same(words), copied | mention, True)
                has_item = True
            since |= set(words)
            if has_item:
                said.append((since, parts[at][1]))
                since = set()


def _like_the_one_before(parts: list[Part], at: int) -> bool:
    """ "a small Vegetaria with extra cheese, same as mine": the item just said is described
    as like someone's, not ordered twice."""
    return at > 0 and parts[at - 1][2] and set(parts[at][0]) <= _SAME_AS_THEIRS


_SAME_AS_THEIRS = frozenset({"same", "as", "like", "the", "just", "wie", "das", "gleiche", "selbe"})
_SAME_AS_THEIRS |= {"mine", "yours", "his", "hers", "meine", "meiner", "deine", "seine", "ihre"}


def _with_the_but(parts: list[Part], at: int, mention: Mention) -> Mention:
    """What "the same" is changed by, also in the part after it: "das Gleiche, aber in
    mittel" (that part is emptied: it said nothing else)."""
    following = parts[at + 1] if at + 1 < len(parts) else None
    if following is None or following[2] or not following[0] or following[0][0] not in _BUT:
        return mention
    parts[at + 1] = (following[0], {}, False)
    return mention | following[1]


_BUT: Final = frozenset({"aber", "but", "nur", "only", "just", "jedoch"})


def _asks_the_same(words: list[str]) -> bool:
    """ "the same", "das Gleiche" for the pizza; not "the same address", "wie letztes Mal"."""
    if _NOT_THE_PIZZA & set(words):
        return False
    asked = bool(_SAME_WORDS & set(words)) or not _SAME.isdisjoint(itertools.pairwise(words))
    return asked and not _sent_there(words)


def _sent_there(words: list[str]) -> bool:
    """ "Kindly deliver the same to Okerstraße 12": the order itself, sent somewhere (a
    letter's "the same" for "it"), not another of the pizza."""
    return any(
        words[at : at + 4][1:] == ["the", "same", "to"] and words[at] in _SENDING
        for at in range(len(words) - 3)
    )


_SENDING: Final = frozenset({"deliver", "send", "dispatch", "bring", "ship"})


_NOT_THE_PIZZA: Final = frozenset(
    {"address", "adresse", "anschrift", "ort", "place", "time", "zeit", "uhrzeit", "day", "tag"}
    | {"name", "number", "nummer", "telefon", "phone", "letztes", "last", "immer", "usual"}
)
"""What else "the same" may be about ("the same address as last time", "wie immer")."""


def _without_the_same(words: list[str]) -> list[str]:
    """The part's words without "the same" (its article would point back at the item said
    before, as "the Hawaii" does: this is another one)."""
    pairs = list(itertools.pairwise(words))
    dropped = {at + i for at, pair in enumerate(pairs) if pair in _SAME for i in (0, 1)}
    return [w for at, w in enumerate(words) if at not in dropped and w not in _SAME_WORDS]


def _named(words: list[str], said: list[tuple[set[str], Mention]]) -> Mention | None:
    """The mention said for the one named after "wie"/"as"/"like" ("das Gleiche wie Lena")."""
    after = {w for before, w in itertools.pairwise(words) if before in _AS}
    found = [mention for context, mention in said if after & context]
    return found[-1] if found else None
