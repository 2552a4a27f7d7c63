"""People who share a pizza instead of having one each: "Die Zwillinge sagen, sie teilen sich
lieber eine große Margherita", "the twins say they'll share a medium one instead". Their line
of several becomes the count they share (one, unless they say two), with what else they say of
it (the size) put on by the caller."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from framework.flows.cart import describe_line
from framework.flows.session import CartLine
from framework.flows.turn import Turn
from framework.flows.understanding.numbers import word_to_number

__all__ = ["SHARING", "shared_instead"]

SHARING: Final = frozenset({"teilen", "teilt", "share", "sharing", "split", "splitting"})
"""Verbs of sharing ("teilen sich", "share", "split one")."""


def shared_instead(
    turn: Turn, words: list[str], lines: list[CartLine], restyle: Callable[[], object]
) -> str | None:
    """Their pizza lines set to the count they share, then `restyle` (the size they name),
    said back as one change per line; None when the message says no sharing of them."""
    share = next((index for index, word in enumerate(words) if word in SHARING), None)
    if share is None:
        return None
    count = next(filter(None, map(word_to_number, words[share + 1 :])), 1)
    items = turn.bot.catalog.items
    sharing = [
        line for line in lines if line["quantity"] > count and "pizza" in items[line["item"]].tags
    ]
    if not sharing:
        return None
    before = [describe_line(turn.bot, turn.lang, line) for line in sharing]
    for line in sharing:
        line["quantity"] = count
    restyle()
    for line in sharing:
        turn.cart.reprice(line)
    return ", ".join(
        f"{said} → {describe_line(turn.bot, turn.lang, line)}"
        for said, line in zip(before, sharing, strict=True)
    )
