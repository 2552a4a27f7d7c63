"""A notice from the business, told to the customer: one of the bot's texts with the values
the business gave (a booking's reminder, a booking the business moved). The conversation's
open question, if any, stays open; a text the bot does not have is recorded, never said."""

from __future__ import annotations

from framework.flows.events import Notice
from framework.flows.turn import Turn

__all__ = ["notice"]


def notice(turn: Turn, news: Notice) -> None:
    if news.text in turn.bot.texts:
        turn.say_named(news.text, **news.values)
    turn.record("notice", text=news.text, **news.values)
