"""A line of the cart given another choice of a group that takes one (its size) in place:
"Mach die Margherita groß", "die Salami doch lieber auch groß", "make both large" — never
a second line (read by framework/flows/editing.py)."""

from __future__ import annotations

import itertools
from typing import Final

from framework.flows.cart import describe_line
from framework.flows.edit_words import ARTICLES, CHANGING, OTHERWISE, WHOSE_ITEM, WITHOUT
from framework.flows.named_things import (
    Thing,
    count_near,
    line_with,
    many_choice_groups,
    the_kinds_line,
)
from framework.flows.session import CartLine
from framework.flows.turn import Turn
from framework.flows.understanding.combining import EVERY
from framework.flows.understanding.negation import never_before, rejects, too_much
from framework.flows.which_line import last_said_taking

__all__ = ["all_of_them_alone", "restyle", "restyle_every"]

_ANOTHER: Final = frozenset(
    {"noch", "another", "more", "extra", "add", "plus", "also", "auch", "und"}
)
_AND_FIRST: Final = frozenset({"und", "and"})
_THE_ONE: Final = ARTICLES | WHOSE_ITEM
"""Before the item whose line is meant: "die Salami doch groß", "sei Hawaii doch a mittlere"."""
_TOO: Final = frozenset({"auch", "also"})
"""Right before a choice, "as the other one" ("die Salami doch lieber auch groß"), not more."""


def _rejected(words: list[str], thing: Thing, things: list[Thing]) -> bool:
    """Whether the words after the thing, up to the next thing named, reject it."""
    following = [t.start for t in things if t.start >= thing.end]
    end = min(following, default=len(words))
    if following and never_before(words, end):
        end = max(thing.end, end - 4)  # "… a medium, she never finishes a large": the large's
    after = list(itertools.takewhile(lambda word: word not in OTHERWISE, words[thing.end : end]))
    # "make the tono medium, larg is to much", "… she never finishes a large"; not "doch
    # groß, sonst reicht das nicht"
    return rejects(after) or too_much(after) or never_before(words, thing.start)


def restyle(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    """ "Mach die Margherita groß", "make the salami medium", "ja, aber die Salami bitte
    mittel": a line in the cart gets another choice of a group that takes one (its size), in
    place — never a second line."""
    wished = _restyled(turn, words, things)
    if wished is None:
        return None
    line, choices = wished
    many = many_choice_groups(turn.bot)
    before = describe_line(turn.bot, turn.lang, line)
    for choice in _changing(line, choices):
        line["options"][str(choice.group)] = [choice.value]
    for dropped in (t for t in things if t.group in many and _without(words, t)):
        chosen = line["options"].get(str(dropped.group), [])  # "… klein und ohne Schinken"
        if dropped.value in chosen:  # a new list: the session's copy shares the old one
            line["options"][str(dropped.group)] = [c for c in chosen if c != dropped.value]
    turn.cart.reprice(line)
    after = describe_line(turn.bot, turn.lang, line)
    return f"{before} → {after}" if after != before else None


def as_it_is(turn: Turn, words: list[str], things: list[Thing]) -> bool:
    """Whether the words ask a line for the choice it has ("mach die Salami doch groß" of a
    large one): nothing to change, and no second line to order."""
    wished = _restyled(turn, words, things)
    if wished is None:
        return False
    line, choices = wished
    return all(choice.value in line["options"].get(str(choice.group), []) for choice in choices)


def _restyled(
    turn: Turn, words: list[str], things: list[Thing]
) -> tuple[CartLine, list[Thing]] | None:
    """The line a change of choice is asked for, and the choices wished for it."""
    many = many_choice_groups(turn.bot)
    picks = [t for t in things if t.group is not None and t.group not in many]
    if not picks:
        return None  # no choice of a group that takes one: nothing to restyle, and no kind read
    items = [t for t in things if t.group is None] or [*filter(None, [the_kinds_line(turn, words)])]
    if len(items) != 1:
        return None  # "mach die Pizza groß": the one pizza ordered
    wished = _wished(words, items[0], picks)
    choices = [t for t in picks if t is wished or not _rejected(words, t, things)]
    if not choices:
        return None
    leading = words[: items[0].start]
    changing = bool(CHANGING & set(leading)) or words[-1] in CHANGING  # "… groß machen"
    said = words[1:] if words[0] in _AND_FIRST else words  # "Und die Salami doch groß"
    like_another = {words[c.start - 1] for c in choices if c.start} & _TOO  # "… auch groß"
    the_one = bool(leading) and leading[-1] in _THE_ONE and not _ANOTHER & set(said) - like_another
    if not (changing or (the_one and _uncounted(words, items[0]))):
        return None
    line = line_with(turn, items[0])
    return None if line is None else (line, choices)


def _wished(words: list[str], item: Thing, picks: list[Thing]) -> Thing | None:
    """The one choice said right after the item a change is asked for ("make the Salami
    large, I did not eat since morning", "make it a small, we're not that hungry"): the wish,
    whatever the reason after it says."""
    after = [t for t in picks if t.start >= item.end]
    if len(after) != 1 or CHANGING.isdisjoint(words[: item.start]):
        return None
    return after[0] if _ONE_ARTICLE.issuperset(words[item.end : after[0].start]) else None


def _uncounted(words: list[str], item: Thing) -> bool:
    """No count said with the item, but an article of the choice after it ("sei Hawaii doch a
    mittlere")."""
    count = count_near(words, item)
    after = words[item.end : item.end + 2]
    return count is None or (count == 1 and not _ONE_ARTICLE.isdisjoint(after))


_ONE_ARTICLE: Final = frozenset({"a", "an", "ein", "eine", "einen", "ne", "e"})


def _changing(line: CartLine, choices: list[Thing]) -> list[Thing]:
    """Of two choices of a group, the one the line does not have yet ("make the Hawaii a
    medium, the wee one'll no fill me" of a small one: medium)."""
    return [
        choice
        for choice in choices
        if choice.value not in line["options"].get(str(choice.group), [])
        or all(other.value == choice.value for other in choices if other.group == choice.group)
    ]


def _without(words: list[str], thing: Thing) -> bool:
    return thing.start > 0 and words[thing.start - 1] in WITHOUT


def all_of_them_alone(turn: Turn, words: list[str], choices: list[Thing]) -> bool:
    """ "Nein, beide groß bitte", "no, both large please": the choice for all said alone, not
    as the answer to the question that asks for it."""
    frame = turn.frame
    if not choices or (frame is not None and frame.get("wait") in {str(t.group) for t in choices}):
        return False
    named = {at for t in choices for at in range(t.start, t.end)}
    said = {word for at, word in enumerate(words) if at not in named}
    return said <= EVERY | _ALONG


_ALONG = frozenset({"bitte", "please", "pls", "doch", "lieber", "dann", "then", "nein", "no"})
_ALONG |= {"nee", "ok", "okay", "aber", "but", "und", "and", "of", "them", "davon", "die", "the"}
"""Words that may stand beside a choice for all without a verb."""


def restyle_every(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    """ "Make both of them small", "mach alle groß", "nein, beide groß bitte": every line of
    the last order that takes the choice gets it (no item named; a word of all, and one of
    changing unless the choice is said alone)."""
    many = many_choice_groups(turn.bot)
    choices = [t for t in things if t.group is not None and t.group not in many]
    if len(choices) != len(things) or not choices or not (EVERY & set(words)):
        return None
    choices = [t for t in choices if not _rejected(words, t, things)]  # "die kleinen sind zu wenig"
    if not choices or len({t.group for t in choices}) != len(choices):
        return None  # refused ("… zu wenig"), or two sizes wanted for all: unclear
    if not CHANGING & set(words) and not all_of_them_alone(turn, words, choices):
        return None
    changed = []
    for line in last_said_taking(turn, str(choices[0].group)):
        before = describe_line(turn.bot, turn.lang, line)
        for choice in choices:
            line["options"][str(choice.group)] = [choice.value]
        turn.cart.reprice(line)
        after = describe_line(turn.bot, turn.lang, line)
        if after != before:
            changed.append(f"{before} → {after}")
    return ", ".join(changed) or None
