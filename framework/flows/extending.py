"""Extras for the pizza just ordered, said after it ("and extra ham on it as well", "noch
Oliven drauf", "auf beide noch Zwiebeln"): they go on that line (or on every line that can
have them), never a new line."""

from __future__ import annotations

from itertools import pairwise
from typing import Final

from framework.flows.cart import describe_line
from framework.flows.edit_words import STAYS
from framework.flows.named_things import Thing, holds, line_with, many_choice_groups
from framework.flows.session import CartLine
from framework.flows.splitting_off import taken_off
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.nothing_extra import says_nothing_extra
from framework.flows.understanding.refused import refused

__all__ = ["extend", "plain_named", "said_onto"]

_ALL_OF_THEM: Final = frozenset(
    {"beide", "beiden", "alle", "allen", "both", "all", "each", "jeweils"}
)
_ON_IT: Final = frozenset(
    {"drauf", "darauf", "dazu", "auch", "noch", "well", "too", "also", "it", "add"}
)
"""'… on it as well', 'noch Oliven drauf': an extra for the pizza just ordered."""
_ONTO: Final = frozenset({"on", "onto", "for", "to", "auf", "fuer", "zur", "zum", "zu"})
_STILL: Final = frozenset({"still", "weiterhin"})
_THE: Final = frozenset(
    {"the", "die", "der", "den", "dem", "my", "meine", "meiner"}
    | {"ihre", "ihren", "seine", "seinen", "his", "her", "their", "unsere", "our"}
    | {"d", "s", "da", "de", "dr"}  # as dialects say them: Swiss "uf d Margherita", "uf s …"
    | {"das", "ds", "des"}  # the neuter some give a pizza: "auf das Funghi", Swiss "uf ds Funghi"
    | {"that", "this"}  # "put some extra cheese on that Margherita"
)
"""Between "auf"/"on" and the item the extras go on ("auf ihre Margheritas", "on his")."""


def extend(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    """Extras for the newest line that can have them, when nothing else is named and they
    do not answer the open question ("and extra ham on it as well", "noch Oliven drauf"), or
    for the line of the item they are said to go on ("and jalapeños on the diavola")."""
    if not (STAYS | _STILL).isdisjoint(words):
        return None  # "Mine keeps the ham", "Jalapeños still on it": it has it, none added
    many = many_choice_groups(turn.bot)
    things = [
        t
        for t in things
        if t.group not in many or not (refused(words, t.start) or taken_off(words, t))
    ]
    if not things:
        return None  # "Too spicy for me.": the reason for a change, no extra
    extras = [t for t in things if t.group in many]
    onto = [t for t in things if t.group not in many and said_onto(words, t)]
    if extras and len(onto) == 1 and len(extras) + 1 == len(things):
        if onto[0].group is not None:  # "put olives on the large ones": every such line
            lines = [line for line in turn.session["cart"]["lines"] if holds(line, onto[0])]
            return _put_on(turn, lines, extras) if lines else None
        if _ALL_OF_THEM & set(words):  # "extra cheese on both Funghi"
            lines = [line for line in turn.session["cart"]["lines"] if holds(line, onto[0])]
            return _put_on(turn, lines, extras) if lines else None
        line = line_with(turn, onto[0])
        return None if line is None else _put_on(turn, [line], extras)
    if any(t.group not in many for t in things) or not (
        _ON_IT & set(words) or _onto_the_kind(turn, words) or _onto_all(words)
    ):
        return None
    frame = turn.frame
    asked = turn.slot(frame["wait"]) if frame is not None and frame.get("wait") else None
    if asked is not None and asked.choices is not None and asked.choices.id in many:
        return None  # "Extras dazu?" is answered by the extras, not edited
    group = str(things[0].group)
    items = turn.bot.catalog.items
    fitting = [
        line for line in turn.session["cart"]["lines"] if group in items[line["item"]].options
    ]
    targets = fitting if _ALL_OF_THEM & set(words) else fitting[-1:]  # "auf beide noch Zwiebeln"
    return _put_on(turn, targets, things)


def _onto_all(words: list[str]) -> bool:
    """ "onions on both", "Zwiebeln auf beide", "olives on all of them": onto every line."""
    return any(word in _ONTO and after in _ALL_OF_THEM for word, after in pairwise(words))


def _onto_the_kind(turn: Turn, words: list[str]) -> bool:
    """ "put onions on the pizza", "Oliven auf die Pizza": onto the pizza just ordered."""
    kinds = lexicon_for(turn.bot).kind_words
    return any(
        word in _ONTO and kinds & set(words[at + 1 : at + 3]) for at, word in enumerate(words)
    )


def _put_on(turn: Turn, lines: list[CartLine], extras: list[Thing]) -> str | None:
    """The lines with the extras, said back; None when they had them all (nothing changed:
    "and cheese on it too" for a pizza with extra cheese is no change to announce)."""
    before = [describe_line(turn.bot, turn.lang, line) for line in lines]
    for line in lines:
        for extra in extras:
            group = str(extra.group)
            if group in turn.bot.catalog.items[line["item"]].options:
                chosen = line["options"].get(group, [])
                line["options"][group] = list(dict.fromkeys([*chosen, extra.value]))
        turn.cart.reprice(line)
    after = [describe_line(turn.bot, turn.lang, line) for line in lines]
    return ", ".join(after) if after != before else None


def said_onto(words: list[str], item: Thing) -> bool:
    """ "on the diavola", "auf die Salami", "for the Hawaii", "on both Funghi": the item the
    extras go on."""
    before = words[max(0, item.start - 3) : item.start]
    while before and before[-1] in _THE | _ALL_OF_THEM:  # "on both (the) Funghi"
        before = before[:-1]
    return bool(before) and before[-1] in _ONTO


def plain_named(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    """ "die Salami und die Hawaii ohne alles", "the Funghi plain": the pizzas named, each
    with "the" before it, get no extras (also ones still being asked about); None when the
    message names anything else or says no such thing."""
    many = many_choice_groups(turn.bot)
    if not things or any(t.group is not None for t in things) or not says_nothing_extra(words):
        return None
    if not STAYS.isdisjoint(words):
        return None  # "The Vegetaria stays as is": unchanged, not made plain
    if not all(t.start and words[t.start - 1] in _THE for t in things):
        return None
    lines = [line for t in things if (line := line_with(turn, t)) is not None]
    if len(lines) != len(things):
        return None
    before = [dict(line["options"]) for line in lines]
    for line in lines:
        options = turn.bot.catalog.items[line["item"]].options
        line["options"] |= {group: [] for group in options if group in many}
        turn.cart.reprice(line)
    if before == [line["options"] for line in lines]:
        return None
    return ", ".join(describe_line(turn.bot, turn.lang, line) for line in lines)
