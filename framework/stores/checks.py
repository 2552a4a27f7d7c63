"""Checks of what enters a store from outside, for the rule modules of the stores: each raises
the error class its caller names (a TicketError, a HandoffError, ...) with what to do, and
never repeats all of a huge value in its message.

handoff_rules.py uses them; ticket_rules.py has the same checks of its own (written first), and
could use these instead.
"""

from __future__ import annotations

import re

from framework.stores.records import without_lone_surrogates

__all__ = [
    "AGENT_NAME",
    "AGENT_RULE",
    "BOT_NAME",
    "agent_name",
    "bot_name",
    "bounded_text",
    "matching",
    "moment",
    "page_size",
    "shown",
]

BOT_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
"""The flow language's bot name (bot.schema.json: ^[a-z][a-z0-9_]*$), at most 64 characters."""
_BOT_RULE = "a bot name: a lowercase letter, then lowercase letters, digits or _ (at most 64)"


AGENT_NAME = re.compile(r"[A-Za-z0-9._@-](?:[A-Za-z0-9 ._@-]{0,62}[A-Za-z0-9._@-])?")
"""A person of the business (an agent account, who holds a handoff): letters, digits, space and
. _ @ - (an e-mail address fits), 1 to 64, no space at either end."""
AGENT_RULE = "an agent's name: 1 to 64 letters, digits, spaces and . _ @ - (no space at either end)"


def agent_name(name: object, error: type[Exception]) -> str:
    return matching(name, AGENT_NAME, error, AGENT_RULE)


def shown(value: object) -> str:
    """A value for an error message: never all of a huge one."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def matching(value: object, pattern: re.Pattern[str], error: type[Exception], rule: str) -> str:
    """`value` when it is text that `pattern` matches whole, else `error` saying "<value> is not
    <rule>"."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise error(f"{shown(value)} is not {rule}")
    return value


def bot_name(bot: object, error: type[Exception]) -> str:
    return matching(bot, BOT_NAME, error, _BOT_RULE)


def bounded_text(what: str, value: object, most: int, error: type[Exception], advice: str) -> str:
    """Free text of at most `most` characters, its lone surrogates replaced by U+FFFD."""
    if not isinstance(value, str):
        raise error(f"{what} must be text, not {type(value).__name__}")
    if len(value) > most:
        raise error(f"{what} has {len(value)} characters, more than the {most} {advice}")
    text: str = without_lone_surrogates(value)
    return text


def moment(now: object, what: str, error: type[Exception]) -> float:
    """Seconds since the epoch (up to the year 5138: no NaN, no infinity, no 10**400)."""
    if isinstance(now, bool) or not isinstance(now, int | float) or not 0 <= now < 1e11:
        raise error(f"{what} is seconds since the epoch, not {shown(now)}")
    return float(now)


def page_size(limit: object, most: int, what: str, error: type[Exception]) -> int:
    """How many one list call returns: a whole number from 1 to `most`."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= most:
        raise error(f"a list of {what} holds 1 to {most}, not {shown(limit)}")
    return limit
