"""What a message names of the order: the items and choices it names, where they stand, and
the cart lines that hold them (framework/flows/editing.py changes those lines)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from framework.flows.model import Bot, label_for
from framework.flows.session import CartLine
from framework.flows.turn import Turn
from framework.flows.understanding.extract import liked, people_called
from framework.flows.understanding.lexicon import Lexicon, lexicon_for
from framework.flows.understanding.matching import DEFINITE
from framework.flows.understanding.numbers import word_to_number
from framework.flows.understanding.other_things import of_something_else

__all__ = [
    "Thing",
    "choice_name",
    "count_near",
    "holds",
    "line_with",
    "lines_taking",
    "many_choice_groups",
    "named_things",
    "the_kinds_line",
]


@dataclass(frozen=True, slots=True)
class Thing:
    """An item or a choice named in the message, where it stands, and what it is."""

    value: str
    group: str | None
    """None for an item; the choice group ("size", "extras") for a choice."""
    start: int
    end: int


def named_things(bot: Bot, words: list[str]) -> Iterator[Thing]:
    lexicon = lexicon_for(bot)
    key = ("things", tuple(words))
    return iter(lexicon.kept(key, _things, bot, lexicon, words))


def _things(bot: Bot, lexicon: Lexicon, words: list[str]) -> tuple[Thing, ...]:
    return tuple(_things_in(bot, lexicon, words))


def _things_in(bot: Bot, lexicon: Lexicon, words: list[str]) -> Iterator[Thing]:
    items = lexicon.items(frozenset()).find_all(words)
    yield from (Thing(m.value, None, m.start, m.end) for m in items)
    taken = {i for m in items for i in range(m.start, m.end)}
    for group in bot.catalog.groups.values():
        for match in lexicon.choices(group).find_all(words):
            if match.start in taken or people_called(words, match.start, match.end):
                continue  # not "die Kleinen"
            if group.many and liked(words, match):
                continue  # "My brother likes spicy": why, not what
            if not of_something_else(words, match.end):  # not "a big lunch"
                yield Thing(match.value, group.id, match.start, match.end)


def the_kinds_line(turn: Turn, words: list[str]) -> Thing | None:
    """The item of the one cart line of the kind named after a definite article, where the
    kind stands ("mach die Pizza groß" with one pizza ordered); None when the cart holds
    none or several of it."""
    items = turn.bot.catalog.items
    for kind in lexicon_for(turn.bot).kinds_found(words):
        if kind.start == 0 or words[kind.start - 1] not in DEFINITE:
            continue
        lines = [
            line for line in turn.session["cart"]["lines"] if kind.value in items[line["item"]].tags
        ]
        if len(lines) == 1:
            return Thing(lines[0]["item"], None, kind.start, kind.end)
    return None


def count_near(words: list[str], thing: Thing) -> int | None:
    """The number right before the item ("nur eine Cola") or right after it ("make the salami
    two", "die Salami auf 3")."""
    near = [thing.start - 1, thing.end, thing.end + 1]
    for index in near:
        if 0 <= index < len(words):
            number = word_to_number(words[index])
            if number is not None and 0 < number <= 99:
                return number
    return None


def line_with(turn: Turn, thing: Thing) -> CartLine | None:
    """The newest cart line with this item, or with this choice among its options."""
    lines = turn.session["cart"]["lines"]
    return next((line for line in lines[::-1] if holds(line, thing)), None)


def lines_taking(turn: Turn, choices: list[Thing]) -> list[CartLine]:
    """The cart lines whose item can have every one of these choices (sizes, extras: the
    pizzas, not the drinks)."""
    groups = {str(thing.group) for thing in choices}
    items = turn.bot.catalog.items
    lines = turn.session["cart"]["lines"]
    return [line for line in lines if groups <= set(items[line["item"]].options)]


def holds(line: CartLine, thing: Thing) -> bool:
    if thing.group is None:
        return bool(line["item"] == thing.value)
    return thing.value in line["options"].get(thing.group, ())


@lru_cache(maxsize=32)  # as many bots as lexicon_for keeps: a reloaded bot frees its old one
def many_choice_groups(bot: Bot) -> frozenset[str]:
    """The option groups a line may have several choices of (extras; once per loaded bot)."""
    return frozenset(group.id for group in bot.catalog.groups.values() if group.many)


def choice_name(turn: Turn, thing: Thing) -> str:
    group = turn.bot.catalog.groups[str(thing.group)]
    return label_for(group.choices[thing.value].name, turn.lang, turn.bot.business.language)
