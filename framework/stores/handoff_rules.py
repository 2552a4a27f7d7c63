"""What the handoff stores share, so that they cannot disagree: the checks and limits of what
enters, the state rules, where a change puts a conversation, and the JSON a handoff is kept as.

An operation is a `Step`: a pure function from the conversation's stored handoff (None: none
that has not ended) to the one to keep, or a HandoffError. A step that returns the very object
it was given changes nothing (an idempotent request or claim), and nothing is written. Else
`decide` says where the change puts the conversation: at the BACK of the queue (requested),
at its FRONT (released), among the HELD ones (claimed), or GONE (ended). A store loads the
handoff, applies the step and keeps the result with its place in one atomic step: memory with
no await in between, SQLite in one transaction on the file's thread, Redis with one
compare-and-set script (tried again when another worker changed the handoff first).

Everything from outside is checked when the step is made, before a store is asked: text is
bounded (a 10 MB reason is refused at once, with what to do), lone surrogates in free text
become U+FFFD; a session key must be exact, so one with a lone surrogate is refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from framework.stores import checks
from framework.stores.checks import shown
from framework.stores.handoffs import (
    CLAIMED,
    ENDINGS,
    QUEUED,
    RELEASED,
    REQUESTED,
    Handoff,
    HandoffError,
    HandoffEvent,
    HandoffNotFound,
    HandoffRefused,
    HandoffTaken,
    QueueFull,
)
from framework.stores.json_text import dump
from framework.stores.records import without_lone_surrogates
from framework.stores.tickets import AGENT, BOT, SYSTEM

__all__ = [
    "BACK",
    "FRONT",
    "GONE",
    "HELD",
    "MAX_HISTORY",
    "MAX_PAGE",
    "MAX_QUEUE",
    "MAX_REASON",
    "MAX_SESSION",
    "Step",
    "check_bot",
    "check_cap",
    "check_holder",
    "check_key",
    "check_page",
    "claiming",
    "decide",
    "dumped",
    "ending",
    "held_order",
    "load",
    "moment",
    "queue_full",
    "releasing",
    "requesting",
    "waiting_order",
]

MAX_REASON = 200
MAX_SESSION = 300
"""Characters of a session key."""
MAX_NAME = 64
"""Characters of a channel's name, and of a language."""
MAX_QUEUE = 10_000
"""Conversations a bot's queue holds at most (a store may be opened with fewer)."""
MAX_PAGE = 1_000
"""Handoffs one `queue` or `expired` call returns at most."""
MAX_HISTORY = 20
"""Entries a handoff's history keeps: the request and the last changes."""

BACK, FRONT, HELD, GONE = "back", "front", "held", "gone"
"""Where a change puts a conversation."""

Step = Callable[[Handoff | None], Handoff]
"""An operation: the stored handoff in (None: none), the one to keep out (or a HandoffError)."""


def _text(what: str, value: object, most: int) -> str:
    advice = "a handoff keeps; shorten it (the agent reads the transcript for the rest)"
    return checks.bounded_text(what, value, most, HandoffError, advice)


def moment(now: object) -> float:
    return checks.moment(now, "a handoff's time", HandoffError)


def check_bot(bot: object) -> str:
    return checks.bot_name(bot, HandoffError)


def _agent(agent: object) -> str:
    return checks.agent_name(agent, HandoffError)


def check_holder(bot: object, agent: object) -> tuple[str, str | None]:
    """A `held` call's bot and agent (None: every agent), checked."""
    return check_bot(bot), None if agent is None else _agent(agent)


def check_key(bot: object, session: object) -> tuple[str, str]:
    """A conversation's bot and session key, checked."""
    if (
        not isinstance(session, str)
        or not 0 < len(session) <= MAX_SESSION
        or without_lone_surrogates(session) != session
    ):
        raise HandoffError(
            f"{shown(session)} is not a session key: 1 to {MAX_SESSION} characters of text "
            "(no lone surrogate); pass the conversation's key as the runtime gives it"
        )
    return check_bot(bot), session


def check_page(limit: object) -> int:
    return checks.page_size(limit, MAX_PAGE, "handoffs", HandoffError)


def check_cap(max_queue: object) -> int:
    """A store's queue length per bot."""
    if isinstance(max_queue, bool) or not isinstance(max_queue, int) or max_queue < 1:
        raise ValueError(f"max_queue is a whole number of conversations, not {max_queue!r}")
    return max_queue


def queue_full(bot: str, cap: int) -> QueueFull:
    return QueueFull(
        f"the queue of {bot} holds {cap} conversations, the most it keeps; offer a ticket or "
        "a callback instead, and have agents claim or end waiting ones"
    )


def _found(current: Handoff | None, bot: str, session: str) -> Handoff:
    if current is None:
        raise HandoffNotFound(
            f"the conversation {shown(session)} of {bot} is neither queued nor held: it never "
            "asked for a person, or its handoff ended; refresh the queue"
        )
    return current


def _held_by(current: Handoff | None, bot: str, session: str, agent: str) -> Handoff:
    handoff = _found(current, bot, session)
    where = f"the conversation {shown(session)} of {bot}"
    if handoff.state != CLAIMED:
        raise HandoffRefused(f"nobody holds {where}: it waits in the queue; claim it first")
    if handoff.agent != agent:
        raise HandoffRefused(
            f"{handoff.agent} holds {where}, not {agent}: only its holder releases or ends it"
        )
    return handoff


def _changed(handoff: Handoff, event: HandoffEvent, **changes: Any) -> Handoff:
    """The handoff after a change: the event added, the oldest changes forgotten beyond
    MAX_HISTORY (the request stays)."""
    history = (*handoff.history, event)
    if len(history) > MAX_HISTORY:
        history = history[:1] + history[1 - MAX_HISTORY :]
    return replace(handoff, history=history, **changes)


def requesting(bot: str, session: str, reason: str, channel: str, lang: str, now: float) -> Step:
    """The step that queues the conversation unless it has a handoff already."""
    at = moment(now)
    bot, session = check_key(bot, session)
    draft = Handoff(
        bot=bot,
        session=session,
        reason=_text("the reason", reason, MAX_REASON),
        channel=_text("the channel", channel, MAX_NAME),
        lang=_text("the language", lang, MAX_NAME),
        state=QUEUED,
        requested_at=at,
        queued_at=at,
        history=(HandoffEvent(at, REQUESTED, BOT),),
    )

    def request(current: Handoff | None) -> Handoff:
        return draft if current is None else current

    return request


def _by_agent(bot: str, session: str, agent: str, now: float) -> tuple[float, str, str, str]:
    """An agent's change of a conversation, its arguments checked: time, bot, session, agent."""
    return moment(now), *check_key(bot, session), _agent(agent)


def claiming(bot: str, session: str, agent: str, now: float) -> Step:
    at, bot, session, who = _by_agent(bot, session, agent, now)

    def claim(current: Handoff | None) -> Handoff:
        handoff = _found(current, bot, session)
        if handoff.state != CLAIMED:
            event = HandoffEvent(at, CLAIMED, AGENT + who)
            return _changed(handoff, event, state=CLAIMED, agent=who, claimed_at=at)
        if handoff.agent == who:
            return handoff
        raise HandoffTaken(
            f"{handoff.agent} has claimed the conversation {shown(session)} of {bot} already; "
            "pick another one from the queue",
            handoff.agent,
        )

    return claim


def releasing(bot: str, session: str, agent: str, now: float) -> Step:
    at, bot, session, who = _by_agent(bot, session, agent, now)

    def release(current: Handoff | None) -> Handoff:
        handoff = _held_by(current, bot, session, who)
        event = HandoffEvent(at, RELEASED, AGENT + who)
        return _changed(handoff, event, state=QUEUED, agent="", claimed_at=None, queued_at=at)

    return release


def ending(bot: str, session: str, agent: str | None, outcome: str, now: float) -> Step:
    at, (bot, session) = moment(now), check_key(bot, session)
    who = None if agent is None else _agent(agent)
    if outcome not in ENDINGS:
        raise HandoffError(f"a handoff ends {' or '.join(ENDINGS)}, not {shown(outcome)}")

    def end(current: Handoff | None) -> Handoff:
        if who is None:
            handoff, by = _found(current, bot, session), SYSTEM
        else:
            handoff, by = _held_by(current, bot, session, who), AGENT + who
        return _changed(handoff, HandoffEvent(at, outcome, by), state=outcome, ended_at=at)

    return end


def decide(current: Handoff | None, step: Step) -> tuple[Handoff, str | None]:
    """The step applied, and where it puts the conversation (None: nothing changed)."""
    new = step(current)
    if new is current:
        return new, None
    if new.state in ENDINGS:
        return new, GONE
    if new.state == CLAIMED:
        return new, HELD
    return new, BACK if current is None else FRONT


def waiting_order(handoff: Handoff) -> tuple[float, str]:
    """How `expired` sorts: the longest waiting first (then by session key, as Redis does)."""
    return handoff.queued_at, handoff.session


def held_order(handoff: Handoff) -> tuple[float, str]:
    return handoff.claimed_at or 0.0, handoff.session


def dumped(handoff: Handoff) -> str:
    """The JSON a handoff is kept as."""
    return dump(handoff.to_json())


def load(kept: str) -> Handoff:
    return Handoff.from_json(json.loads(kept))
