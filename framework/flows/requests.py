"""Answer-back requests: what the engine needs from outside within a turn, and the one loop
that gets it answered.

The engine never waits for the world. When it needs something from outside (a payment today;
an action's result, a booking hold, a handoff tomorrow) it emits a request effect; whoever
drives it — the runtime, `theke test`, `theke chat` — performs the request and feeds the answer
back as an event, and the engine runs again within the same turn. `answering` is that loop,
written once, so every driver follows the same rules:

- requests are answered one at a time, in the order they were made, at most `MAX_ROUNDS` per
  turn (an answer may lead to another request: a new link after a failed first attempt);
- a request still unanswered after those rounds is dropped and recorded for the business
  (`Record("unanswered_request")`), never left among the turn's effects.

A new kind of request is a class in events.py added to `Request`, and an answerer for it in
each driver's table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Final

from framework.flows.engine import StepResult, step
from framework.flows.events import ActionRequest, Effect, Event, PaymentRequest, Record
from framework.flows.model import Bot

__all__ = ["MAX_ROUNDS", "Request", "answer_requests", "answer_requests_async", "answering"]

Request = PaymentRequest | ActionRequest
"""Every effect that asks to be answered with an event (a union as kinds are added)."""

MAX_ROUNDS: Final = 8
"""Requests answered in one turn (a flow may call a few actions in a row)."""

Answering = Generator[Request, Event, StepResult]


def answering(bot: Bot, result: StepResult) -> Answering:
    """Yields each request of the turn and takes its answer; returns the turn's result with
    every request answered or recorded as unanswered."""
    session, effects = result.session, list(result.effects)
    for _ in range(MAX_ROUNDS):
        request = next((e for e in effects if isinstance(e, Request)), None)
        if request is None:
            return StepResult(session, effects)
        effects.remove(request)
        answer = yield request
        answered = step(bot, session, answer)
        session, effects = answered.session, [*effects, *answered.effects]
    return StepResult(session, [_unanswered(effect) for effect in effects])


def _unanswered(effect: Effect) -> Effect:
    if isinstance(effect, Request):
        return Record("unanswered_request", {"kind": type(effect).__name__})
    return effect


def answer_requests(bot: Bot, result: StepResult, answer: Callable[[Request], Event]) -> StepResult:
    """`answering`, driven by a function that answers at once (theke test, theke chat)."""
    loop = answering(bot, result)
    try:
        request = next(loop)
        while True:
            request = loop.send(answer(request))
    except StopIteration as done:
        answered: StepResult = done.value
        return answered


async def answer_requests_async(
    bot: Bot, result: StepResult, answer: Callable[[Request], Awaitable[Event]]
) -> StepResult:
    """`answering`, driven by a coroutine (the runtime, which asks a payment provider)."""
    loop = answering(bot, result)
    try:
        request = next(loop)
        while True:
            request = loop.send(await answer(request))
    except StopIteration as done:
        answered: StepResult = done.value
        return answered
