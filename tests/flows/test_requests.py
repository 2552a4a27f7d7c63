"""The one answer-back loop (flows/requests.py) that the runtime, `theke test` and `theke chat`
all drive: requests are answered in order, a few per turn, and the rest are recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from framework.flows import load_bot, new_session
from framework.flows.engine import StepResult
from framework.flows.events import OrderUpdate, PaymentRequest, Record
from framework.flows.requests import MAX_ROUNDS, Request, answer_requests, answer_requests_async

TILL = load_bot(Path(__file__).parent.parent / "runtime" / "bots" / "till")
NOW = datetime(2026, 11, 27, 18, tzinfo=UTC)


def checks(count: int) -> StepResult:
    requests = [PaymentRequest("check", f"check {n}", "ord_1") for n in range(count)]
    return StepResult(new_session(TILL), requests)


def unavailable(request: Request) -> OrderUpdate:
    return OrderUpdate(request.order or "", "unavailable", NOW, request.origin)


def test_requests_are_answered_in_order_and_the_rest_recorded() -> None:
    asked: list[str] = []

    def answer(request: Request) -> OrderUpdate:
        asked.append(request.origin)
        return unavailable(request)

    result = answer_requests(TILL, checks(MAX_ROUNDS + 2), answer)
    assert asked == [f"check {n}" for n in range(MAX_ROUNDS)]
    unanswered = [effect for effect in result.effects if isinstance(effect, Record)]
    assert unanswered == [Record("unanswered_request", {"kind": "PaymentRequest"})] * 2
    assert not [effect for effect in result.effects if isinstance(effect, PaymentRequest)]


async def test_the_async_driver_follows_the_same_rules() -> None:
    async def answer(request: Request) -> OrderUpdate:
        return unavailable(request)

    def answer_now(request: Request) -> OrderUpdate:
        return unavailable(request)

    both = [
        await answer_requests_async(TILL, checks(MAX_ROUNDS + 1), answer),
        answer_requests(TILL, checks(MAX_ROUNDS + 1), answer_now),
    ]
    assert both[0].effects == both[1].effects
    assert both[0].session == both[1].session


def test_a_turn_without_requests_is_left_as_it_is() -> None:
    result = StepResult(new_session(TILL), [Record("something")])
    assert answer_requests(TILL, result, unavailable) == result
