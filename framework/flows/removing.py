"""Removing from the order in the customer's words: "die Cola bitte wieder weg", "ohne das
Bier", "take the fanta off", "Ben trinkt keine Cola, streich eine" — a line, some of its
quantity, or an extra of it."""

from __future__ import annotations

import itertools

from framework.flows.cart import describe_line
from framework.flows.edit_words import ARTICLES, REMOVING, REMOVING_PAIRS, WITHOUT
from framework.flows.named_things import Thing, choice_name, line_with, many_choice_groups
from framework.flows.turn import Turn
from framework.flows.understanding.numbers import word_to_number

__all__ = ["remove"]


def remove(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    targets = [t for t in things if _after_without(words, t)]
    if not targets and _asks_to_remove(words):
        targets = [  # "… but keep the waters"; "ein Bier weniger und dafür eine Cola Zero"
            t for t in things if not _kept(words, t) and line_with(turn, t) is not None
        ]
    targets = list({t.value: t for t in reversed(targets)}.values())[::-1]  # first of each
    fewer = _how_many_out(words, things, targets[0]) if len(targets) == 1 else None
    without = "ohne" if turn.lang == "de" else "without"
    removed = [
        text if counted else f"{without} {text}"
        for t in targets
        if (taken := _take_out(turn, t, fewer)) is not None
        for text, counted in [taken]
    ]
    return ", ".join(removed) or None


_KEEP = frozenset({"keep", "behalten", "behalte"})


def _kept(words: list[str], thing: Thing) -> bool:
    """ "remove his pizza, but keep all three waters": not to go ("lass … weg" removes)."""
    return bool(_KEEP & set(words[max(0, thing.start - 4) : thing.start]))


def _after_without(words: list[str], thing: Thing) -> bool:
    index = thing.start - 1
    while index >= 0 and words[index] in ARTICLES:
        index -= 1
    return index >= 0 and words[index] in WITHOUT


def _asks_to_remove(words: list[str]) -> bool:
    pairs = set(itertools.pairwise(words))
    return bool(REMOVING & set(words)) or bool(REMOVING_PAIRS & pairs)


def _how_many_out(words: list[str], things: list[Thing], target: Thing) -> int | None:
    """The one count a removal names that belongs to no other item ("Ben trinkt keine Cola,
    streich eine", "take one coke off", "trinkt kein Bier, also ein Bier weniger"); None when
    it names none or several."""
    taken = {i for thing in things for i in range(thing.start, thing.end)}
    before_others = {thing.start - 1 for thing in things if thing.value != target.value}
    counts = [
        number
        for index, word in enumerate(words)
        if index not in taken and index not in before_others
        if (number := word_to_number(word)) is not None and 0 < number <= 99
    ]
    return counts[0] if len(counts) == 1 else None


def _take_out(turn: Turn, thing: Thing, fewer: int | None) -> tuple[str, bool] | None:
    """The line of `thing` out of the cart, or `fewer` of it when it has more than that: what
    went, and whether it was a recount ("4× Cola → 3× Cola") rather than a removal."""
    line = line_with(turn, thing)
    if line is None:
        return None
    if thing.group is None and fewer is not None and fewer < line["quantity"]:
        before = describe_line(turn.bot, turn.lang, line)
        line["quantity"] -= fewer
        return f"{before} → {describe_line(turn.bot, turn.lang, line)}", True
    if thing.group is None:
        turn.session["cart"]["lines"].remove(line)
        return describe_line(turn.bot, turn.lang, line), False
    if thing.group not in many_choice_groups(turn.bot):
        return None  # a size cannot be taken out, only changed
    line["options"][thing.group] = [c for c in line["options"][thing.group] if c != thing.value]
    turn.cart.reprice(line)
    return choice_name(turn, thing), False
