"""A sentence that ends with "not" and an item, and the next one that names what comes
instead ("nicht Cola. Zwei Wasser, bitte.", "Ah non, pardon — not Colas. Two Cola Zero"): one
change, read as one sentence."""

from __future__ import annotations

from framework.flows.edit_words import ARTICLES
from framework.flows.named_things import named_things
from framework.flows.turn import Turn
from framework.flows.understanding.negation import PLAIN_NOT
from framework.flows.understanding.normalize import tokens

__all__ = ["said_not_joined"]


def said_not_joined(turn: Turn, sentences: list[str]) -> list[str]:
    """The sentences, each that ends with an item said "not" joined to the next one."""
    joined: list[str] = []
    for sentence in sentences:
        if joined and _ends_said_not(turn, tokens(joined[-1])):
            joined[-1] = f"{joined[-1]}, {sentence}"
        else:
            joined.append(sentence)
    return joined


def _ends_said_not(turn: Turn, words: list[str]) -> bool:
    """Whether the sentence names one thing, an item, last, with "nicht"/"not" before it."""
    things = list(named_things(turn.bot, words))
    if len(things) != 1 or things[0].group is not None or things[0].end != len(words):
        return False
    before = [w for w in words[: things[0].start] if w not in ARTICLES]
    return bool(before) and before[-1] in PLAIN_NOT
