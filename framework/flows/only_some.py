"""Extras on only some of a line that has them on all ("yes but jalapeños only on one of
them", "nur auf eine Jalapeños", "just one of them with olives"): that many keep them, the
rest lose them and are a line of their own; "one of them without jalapeños", "einer will doch
keine Jalapeños": one loses them. Without "only" such words add the extras to some
(splitting_off.split_options)."""

from __future__ import annotations

import itertools
from typing import Final

from framework.flows.cart import describe_line
from framework.flows.named_things import Thing, line_with, many_choice_groups
from framework.flows.session import CartLine
from framework.flows.turn import Turn
from framework.flows.understanding.numbers import word_to_number
from framework.flows.understanding.refused import refused

__all__ = ["one_without", "only_some"]

_ONLY: Final = frozenset({"only", "just", "nur", "bloss", "lediglich"})
_NEAR: Final = 4
"""How far after "only" its count may stand ("only on one of them")."""


def only_some(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    """The split said back ("2× Diavola (Large, Jalapeños) → 1× …, 1× Diavola (Large)"), or
    None when the words say no such thing."""
    at = next((i for i, word in enumerate(words) if word in _ONLY), None)
    many = many_choice_groups(turn.bot)
    extras = [t for t in things if t.group in many]
    if at is None or not extras:
        return None
    count = next(
        (n for w in words[at + 1 : at + 1 + _NEAR] if (n := word_to_number(w)) and 0 < n < 99),
        None,
    )
    line = _having(turn, things, extras)
    if count is None or line is None or line["quantity"] <= count:
        return None
    if _the_whole_line(line, things):
        return None  # "Only one large Margherita with extra cheese, not two": fewer of it
    return _keeping(turn, line, extras, count)


def _the_whole_line(line: CartLine, things: list[Thing]) -> bool:
    """Whether the words name the line's item and every choice it has (its size too): the
    line said again with its count, not some of it."""
    named = {(t.group, t.value) for t in things}
    chosen = {(group, choice) for group, choices in line["options"].items() for choice in choices}
    return (None, line["item"]) in named and chosen <= named


def one_without(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    """ "One of them without jalapeños", "einer will doch keine Jalapeños", "eine davon ohne
    Oliven" of a line of several that has them, no item named: one of them without."""
    many = many_choice_groups(turn.bot)
    extras = [t for t in things if t.group in many]
    if len(extras) != len(things) or not extras or not _one_of_them(words):
        return None
    if not all(refused(words, t.start) for t in extras):
        return None
    line = _having(turn, things, extras)
    if line is None:
        return None
    return _keeping(turn, line, extras, line["quantity"] - 1)


_ONE: Final = frozenset({"one", "eine", "einer", "einem", "eins", "ein"})
_OF_THEM: Final = frozenset({"of", "von", "davon", "der", "den"})
_WANTS: Final = frozenset({"will", "mag", "moechte", "isst", "nimmt", "wants", "doesn", "likes"})


def _one_of_them(words: list[str]) -> bool:
    """ "one of them", "one of the boys", "eine davon", "einer von den Jungs", "einer will …"."""
    return any(
        word in _ONE and (after in _OF_THEM or (word == "einer" and after in _WANTS))
        for word, after in itertools.pairwise(words)
    )


def _keeping(turn: Turn, line: CartLine, extras: list[Thing], count: int) -> str | None:
    """`count` of the line keep the extras; the rest, a line of their own, lose them."""
    before = describe_line(turn.bot, turn.lang, line)
    gone = {t.value for t in extras}
    kept = [c for chosen in line["options"].values() for c in chosen if c not in gone]
    rest = line["quantity"] - count
    line["quantity"] = count
    added = turn.cart.add(line["item"], kept, rest, {})
    if added is None:
        line["quantity"] += rest
        return None
    if "person" in line:
        added["person"] = line["person"]
    after = ", ".join(describe_line(turn.bot, turn.lang, entry) for entry in (line, added))
    return f"{before} → {after}"


def _having(turn: Turn, things: list[Thing], extras: list[Thing]) -> CartLine | None:
    """The line meant: the item named with every extra named, else the newest line of more
    than one that has them all."""
    items = [t for t in things if t.group is None]
    if items:
        line = line_with(turn, items[0])
        return line if line is not None and _has(line, extras) else None
    lines = [e for e in turn.session["cart"]["lines"] if e["quantity"] > 1 and _has(e, extras)]
    return lines[-1] if lines else None


def _has(line: CartLine, extras: list[Thing]) -> bool:
    return all(t.value in line["options"].get(str(t.group), []) for t in extras)
