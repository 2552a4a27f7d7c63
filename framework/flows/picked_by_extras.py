"""A line picked by what it has or lacks: "and the one without mushrooms gets onions", "die mit
Oliven bitte groß", "the one with ham: no onions on it", "die Margherita ohne Käse soll
klein sein". Two pizzas of one kind that differ
by an extra are told apart the way the customer sees them; the rest of the sentence changes
that line alone — extras put on or taken off, another size — never the extra that picked it
(the "without mushrooms" of the selector takes no mushrooms off anything)."""

from __future__ import annotations

from typing import Final

from framework.flows.cart import describe_line
from framework.flows.edit_words import CHANGING, REMOVING, REPLACING, WITHOUT
from framework.flows.named_things import Thing, holds, many_choice_groups
from framework.flows.session import CartLine
from framework.flows.turn import Turn
from framework.flows.understanding.matching import DEFINITE

__all__ = ["change_picked_line"]

_ONE: Final = frozenset(
    {"the", "one", "ones", "die", "der", "das", "den", "eine", "einer", "einen"}
)
"""Words before "with"/"without" that point at a line ("the one with", "die ohne")."""
_HAVING: Final = frozenset({"with", "mit"})
_LACKING: Final = frozenset({"without", "ohne"})
_ARTICLES: Final = frozenset({"the", "den", "die", "der", "dem", "any", "extra"})


def change_picked_line(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    """The change the sentence asks for on the one line its "the one with(out) X" picks, said
    back; None when it picks none, or not exactly one, or names another item (an order)."""
    many = many_choice_groups(turn.bot)
    items = [thing for thing in things if thing.group is None]
    if len(items) > 1:
        return None
    picked = _picked(turn, words, [t for t in things if t.group in many], items)
    selector: Thing | None
    if picked is not None:
        line, selector = picked
    else:
        plain = _plain_picked(turn, words, items)
        if plain is None:
            return None
        (line, (start, end)), selector = plain, None
        words = [*words[:start], *[""] * (end - start), *words[end:]]  # "ohne" picks: no change
    rest = [t for t in things if t is not selector and t.group is not None]
    takes = turn.bot.catalog.items[line["item"]].options
    if not rest or any(str(thing.group) not in takes for thing in rest):
        return None  # nothing asked of it, or something it cannot have: changed not at all
    before = describe_line(turn.bot, turn.lang, line)
    swapped = _swapped(words, line, rest)
    if swapped is not None:  # "on the one with onions, swap the olives for ham"
        old, new = swapped
        chosen = line["options"].get(str(old.group), [])
        line["options"][str(old.group)] = [new.value if c == old.value else c for c in chosen]
        rest = []
    for thing in rest:
        group = str(thing.group)
        chosen = line["options"].get(group, [])
        if group not in many:
            line["options"][group] = [thing.value]
        elif _taken_off(words, thing, things):
            line["options"][group] = [c for c in chosen if c != thing.value]
        else:
            line["options"][group] = list(dict.fromkeys([*chosen, thing.value]))
    turn.cart.reprice(line)
    after = describe_line(turn.bot, turn.lang, line)
    return f"{before} → {after}" if after != before else None


def _picked(
    turn: Turn, words: list[str], extras: list[Thing], items: list[Thing]
) -> tuple[CartLine, Thing] | None:
    """The line "the one with/without X" (or "the Margherita with/without X") points at, and
    X; the lines it chooses among are those of the item that some line has X on."""
    for selector in extras:
        at = selector.start - 1
        while at > 0 and words[at] in _ARTICLES:
            at -= 1
        if at < 1 or words[at] not in _HAVING | _LACKING:
            continue
        named = [item for item in items if item.end == at and _definite(words, item)]
        if (words[at - 1] not in _ONE and not named) or len(named) < len(items):
            continue
        lines = turn.session["cart"]["lines"]
        having = [line for line in lines if holds(line, selector)]
        if named:
            having = [line for line in having if line["item"] == named[0].value]
        kinds = {line["item"] for line in having} or {item.value for item in named}
        if words[at] in _HAVING:
            candidates = having
        else:
            candidates = [line for line in lines if line["item"] in kinds and line not in having]
        return (candidates[0], selector) if len(candidates) == 1 else None
    return None


_PLAIN_ONE: Final = (
    ("the", "plain", "one"),
    ("the", "plain"),
    ("the", "normal", "one"),
    ("the", "one", "without", "extras"),
    ("the", "one", "without", "anything"),
    ("the", "one", "with", "nothing"),
    ("die", "ohne", "alles"),
    ("die", "ohne", "extras"),
    ("der", "ohne", "alles"),
    ("die", "normale"),
    ("die", "einfache"),
)
"""Words that pick the line without extras ("make the plain one a medium", "die ohne alles
bitte groß")."""
_PLAIN_WORDS: Final = frozenset(
    {"plain", "normal", "without", "with", "ohne", "normale", "einfache"}
)
"""One of them stands in each of those picking words: a message without any picks none."""


def _plain_picked(
    turn: Turn, words: list[str], items: list[Thing]
) -> tuple[CartLine, tuple[int, int]] | None:
    """The one line without extras among those that can have them (of the item named, if
    one is), and where its picking words stand; None unless exactly one such line."""
    if _PLAIN_WORDS.isdisjoint(words):
        return None
    many = many_choice_groups(turn.bot)
    span = next(
        (
            (at, at + len(pointer))
            for pointer in _PLAIN_ONE
            for at in range(len(words) - len(pointer) + 1)
            if tuple(words[at : at + len(pointer)]) == pointer
        ),
        None,
    )
    if span is None:
        return None
    catalog = turn.bot.catalog.items
    plain = [
        line
        for line in turn.session["cart"]["lines"]
        if many & set(catalog[line["item"]].options)
        and not any(line["options"].get(group) for group in many)
        and all(item.value == line["item"] for item in items)
    ]
    return (plain[0], span) if len(plain) == 1 else None


def _definite(words: list[str], item: Thing) -> bool:
    """ "die Margherita ohne Käse" points at one ordered; "noch eine Margherita mit Käse"
    orders another."""
    return item.start > 0 and words[item.start - 1] in DEFINITE


def _swapped(words: list[str], line: CartLine, rest: list[Thing]) -> tuple[Thing, Thing] | None:
    """(old, new) when the sentence swaps an extra the line has for another ("swap the
    olives for ham", "statt Oliven lieber Schinken")."""
    if len(rest) != 2 or rest[0].group != rest[1].group or not (REPLACING | CHANGING) & set(words):
        return None
    has = [t for t in rest if holds(line, t)]
    if len(has) != 1:
        return None
    return has[0], next(t for t in rest if t is not has[0])


def _taken_off(words: list[str], thing: Thing, things: list[Thing]) -> bool:
    """ "no onions on it", "ohne Käse", "take the olives off": the words since the thing
    named before it, or after it, say to take it off."""
    since = max((t.end for t in things if t.end <= thing.start), default=0)
    before = set(words[since : thing.start])
    return bool((REMOVING | WITHOUT) & before or REMOVING & set(words[thing.end :]))
