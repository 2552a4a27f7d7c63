"""Extras put on or taken off the lines of one person ("Chloe adds olives", "meine Frau will
doch keine Pilze", "statt extra Käse lieber Zwiebeln auf seine"), said back line by line."""

from __future__ import annotations

from framework.flows.cart import describe_line
from framework.flows.session import CartLine
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.negation import said_too

__all__ = ["extras_named", "options_had", "some_had", "with_extras", "without_extras"]


def extras_named(turn: Turn, words: list[str]) -> dict[str, set[str]]:
    """The choices of many-pick groups (extras) the message names, by group."""
    lexicon, found = lexicon_for(turn.bot), {}
    for group in turn.bot.catalog.groups.values():
        matches = lexicon.choices(group).find_all(words)
        named = {m.value for m in matches if not said_too(words, m.start)}  # not "too spicy"
        if group.many and named:
            found[group.id] = named
    return found


def options_had(lines: list[CartLine], options: dict[str, set[str]]) -> set[str]:
    """The options of the groups named that the lines have."""
    return {c for line in lines for group in options for c in line["options"].get(group, [])}


def some_had(lines: list[CartLine], options: dict[str, set[str]]) -> bool:
    """Whether the lines have some of the options named and lack others: one for another."""
    had = options_had(lines, options)
    named = set().union(*options.values()) if options else set()
    return bool(named & had) and bool(named - had)


def without_extras(turn: Turn, lines: list[CartLine], options: dict[str, set[str]]) -> str | None:
    changed = []
    for line in lines:
        before = describe_line(turn.bot, turn.lang, line)
        for group, gone in options.items():
            if group in line["options"]:
                line["options"][group] = [c for c in line["options"][group] if c not in gone]
        turn.cart.reprice(line)
        after = describe_line(turn.bot, turn.lang, line)
        if after != before:
            changed.append(f"{before} → {after}")
    return ", ".join(changed) or None


def with_extras(
    turn: Turn, lines: list[CartLine], options: dict[str, set[str]], swapping: bool = False
) -> str | None:
    """The extras named put on the lines; `swapping`: those a line has go, the others come
    ("statt extra Käse lieber Zwiebeln")."""
    changed = []
    for line in lines:
        item = turn.bot.catalog.items[line["item"]]
        fitting = {g: v for g, v in options.items() if g in item.options}
        if not fitting:
            continue
        before = describe_line(turn.bot, turn.lang, line)
        for group, named in fitting.items():
            chosen = line["options"].get(group, [])
            held = set(chosen) & named if swapping and named - set(chosen) else set()
            kept = [choice for choice in chosen if choice not in held]
            line["options"][group] = list(dict.fromkeys([*kept, *sorted(named - held)]))
        turn.cart.reprice(line)
        after = describe_line(turn.bot, turn.lang, line)
        if after != before:  # "Tom with olives" when his has olives already changes nothing
            changed.append(f"{before} → {after}")
    return ", ".join(changed) or None
