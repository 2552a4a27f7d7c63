"""A part of a message that is only a count, said of the item before it: "und einmal Cola
Zero, nein zwei", "two cokes, no, three will do", "Funghi klein, ohne alles, mal zwei"."""

from __future__ import annotations

from typing import Final

from framework.flows.model import Slot
from framework.flows.understanding.second_thoughts import TAKING_BACK, Mention, Part

__all__ = ["count_of_a_kind", "count_of_the_last", "count_slots", "said_times"]

_RECOUNTING: Final = TAKING_BACK | frozenset({"aeh", "aehm", "ehm", "uh", "um", "sorry"})


def count_of_the_last(
    words: list[str],
    mention: Mention,
    mentions: list[Mention],
    slots: list[Slot],
    correcting: bool,
) -> bool:
    """A part of nothing but a count that is the last item's: "und einmal Cola Zero, nein
    zwei" recounts it, "Bier also? One." counts the bare name."""
    if _recounted(words, mention, mentions, correcting):
        return True
    if len(words) <= 2 and not count_slots(slots) & mentions[-1].keys():
        mentions[-1].update(mention)
        return True
    return False


def count_of_a_kind(
    parts: list[Part], at: int, slots: list[Slot], kind_words: frozenset[str]
) -> bool:
    """ "… and two pops — Coke?", "zwei Getränke, Cola": a count said of a kind of item is the
    count of the one item named after it with none of its own (not "two drinks, a Coke and a
    Fanta"); whether it was."""
    words, mention, _has_item = parts[at]
    if kind_words.isdisjoint(words):
        return False
    later = [named for _words, named, has_item in parts[at + 1 :] if has_item]
    if len(later) != 1 or count_slots(slots) & later[0].keys():
        return False
    later[0].update(mention)
    return True


_TIMES: Final = frozenset(
    {"mal", "x", "times", "stueck", "stk", "pieces", "pcs", "them", "em", "davon"}
)


def said_times(words: list[str], counted: bool) -> bool:
    """ "Funghi klein, ohne alles, mal zwei", "zwei Stück": how many of the last item, when it
    was said with no count of its own (or one)."""
    return not counted and len(words) <= 3 and bool(_TIMES & set(words))


_ENOUGH: Final = frozenset(
    {"reichen", "reicht", "langen", "tun", "tut", "gehen", "es", "s", "auch", "genug", "dann"}
    | {"enough", "will", "do", "are", "fine", "then", "please", "bitte", "ll"}
)
"""After a count said again, words that say it suffices ("drei tun's auch", "three will do")."""


def _recounted(
    words: list[str], mention: Mention, mentions: list[Mention], correcting: bool
) -> bool:
    """ "Cola Zero, nein zwei", "two cokes, no, three": a count said again right after the
    item, after a word of second thoughts, is the item's count."""
    second = correcting or words[0] in _RECOUNTING
    short = len(words) <= 3 or set(words[1:]) <= _ENOUGH  # "drei tun's auch"
    if not mention or not second or not short or not mentions:
        return False
    mentions[-1].update(mention)
    return True


def count_slots(slots: list[Slot]) -> set[str]:
    """The quantity slots among them."""
    return {slot.name for slot in slots if slot.role == "quantity"}
