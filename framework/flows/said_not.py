"""A sentence that ends with "not" and an item, and the next one that names what comes
instead ("nicht Cola. Zwei Wasser, bitte.", "Ah non, pardon — not Colas. Two Cola Zero"); one
that takes a thing off, and the next one that begins with "rather" ("die Jalapeños wieder
runter, die Diavola ist scharf genug. Lieber Schinken drauf."): one change, read as one
sentence."""

from __future__ import annotations

from framework.flows.edit_words import ARTICLES, RATHER, REMOVING
from framework.flows.named_things import named_things
from framework.flows.turn import Turn
from framework.flows.understanding.negation import PLAIN_NOT
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.numbers import word_to_number

__all__ = ["said_not_joined"]


def said_not_joined(turn: Turn, sentences: list[str]) -> list[str]:
    """The sentences, each that ends with an item said "not" joined to the next one."""
    joined: list[str] = []
    for sentence in sentences:
        if joined and (
            _ends_said_not(turn, tokens(joined[-1]))
            or (_takes_off(turn, tokens(joined[-1])) and _rather_first(tokens(sentence)))
        ):
            joined[-1] = f"{joined[-1]}, {sentence}"
        else:
            joined.append(sentence)
    return joined


def _ends_said_not(turn: Turn, words: list[str]) -> bool:
    """Whether the sentence names one thing, an item, last, with "nicht"/"not" before it."""
    things = list(named_things(turn.bot, words))
    if len(things) != 1 or things[0].group is not None or things[0].end != len(words):
        return False
    before = [
        w for w in words[: things[0].start] if w not in ARTICLES and word_to_number(w) is None
    ]  # "nicht zwei Fanta. Eine Fanta und eine Cola Zero."
    return bool(before) and before[-1] in PLAIN_NOT


def _takes_off(turn: Turn, words: list[str]) -> bool:
    """Whether the sentence takes a thing off ("die Jalapeños mach wieder runter")."""
    return any(
        not REMOVING.isdisjoint(words[thing.end : thing.end + 3])
        for thing in named_things(turn.bot, words)
    )


def _rather_first(words: list[str]) -> bool:
    """ "Lieber Schinken drauf.", "Rather ham.", "Instead olives, please."."""
    return bool(words) and words[0] in _RATHER_FIRST


_RATHER_FIRST = RATHER | {"stattdessen", "instead"}
