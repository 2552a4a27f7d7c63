"""The world outside the chat in conversation tests: a simulated payment provider, the
business's actions, and a clock.

`theke test` runs the engine alone, so something must answer its payment requests the way the
runtime does. The till keeps orders in memory (numbers from 1001), answers start/check/cancel
like Payments does, and lets a test say what happens outside the chat:

```yaml
- payment: paid            # the provider reports the outcome (paid, failed, expired)
- payment: paid
  silent: true             # ...but its webhook is lost: only a check will find out
- order: accepted          # the business acts: accepted, out_for_delivery, delivered, ...
- wait: 25m                # time passes; due timers (payment reminder, expiry) fire
- notice: {text: booking_reminder, values: {number: "1001", when: "…"}}   # the business tells
```

Action requests are answered by `actions` (the bot's real actions, or a test's fixed results:
conversations.py); without it every action fails and its `on_error` block runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from framework.flows.engine import StepResult, step
from framework.flows.events import (
    ActionDone,
    ActionRequest,
    Event,
    HandoffNews,
    Notice,
    OrderUpdate,
    PaymentRequest,
    SetTimer,
    Timer,
)
from framework.flows.model import Bot
from framework.flows.order_cancel import CANCEL_PAID, CANCELLABLE
from framework.flows.requests import Request, answer_requests
from framework.flows.session import Session
from framework.orders import FINAL_PAYMENT, can_move

__all__ = ["Till"]

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_wait(text: Any) -> timedelta:
    raw = str(text).strip()
    if len(raw) < 2 or raw[-1] not in _UNITS or not raw[:-1].isdigit():
        raise ValueError(f"wait: {text!r} is not a duration such as 25m")
    return timedelta(**{_UNITS[raw[-1]]: int(raw[:-1])})


@dataclass
class _Order:
    id: str
    number: int
    total: int
    expires_at: datetime
    status: str = "awaiting_payment"
    provider: str = "open"
    """What the provider would say if asked: open, or the outcome a test reported."""


@dataclass
class Till:
    bot: Bot
    now: datetime
    actions: Callable[[ActionRequest], ActionDone] | None = None
    orders: dict[str, _Order] = field(default_factory=dict)
    timers: dict[str, datetime] = field(default_factory=dict)

    def step(self, session: Session, event: Event) -> StepResult:
        """An engine step with this turn's requests answered, as the runtime does."""
        result = answer_requests(self.bot, step(self.bot, session, event), self._answer)
        for effect in result.effects:
            if isinstance(effect, SetTimer):
                self._set_timer(effect)
        return result

    def _set_timer(self, timer: SetTimer) -> None:
        if timer.at is None:
            self.timers.pop(timer.name, None)
        else:
            self.timers[timer.name] = timer.at

    def _answer(self, request: Request) -> Event:
        if isinstance(request, ActionRequest):
            if self.actions is None:
                return ActionDone(request.action, request.now, None, "no actions here")
            return self.actions(request)
        return self._payment_request(request)

    def _payment_request(self, request: PaymentRequest) -> OrderUpdate:
        if request.action == CANCEL_PAID:
            return self._cancel_paid(request)
        if request.action == "start":
            assert request.bill is not None and request.expires_at is not None
            order_id = f"order-{len(self.orders) + 1}"
            number, total = 1000 + len(self.orders) + 1, request.bill.total
            order = _Order(order_id, number, total, request.expires_at)
            self.orders[order_id] = order
        else:
            order = self.orders[str(request.order)]
            self._settle(order)
            ending = {"cancel": "cancelled", "expire": "expired"}.get(request.action)
            if ending is not None and order.status == "awaiting_payment":
                order.status = ending
        url = f"https://pay.example/{order.id}" if order.status == "awaiting_payment" else None
        return OrderUpdate(
            order.id, order.status, self.now, request.origin, order.number, order.total, 0, url
        )

    def _cancel_paid(self, request: PaymentRequest) -> OrderUpdate:
        """As Payments does: a paid order not yet accepted is cancelled and refunded."""
        order = self.orders[str(request.order)]
        refunded = 0
        if order.status in CANCELLABLE:
            order.status, refunded = "cancelled", order.total
        return OrderUpdate(
            order.id, order.status, self.now, request.origin, order.number, order.total, refunded
        )

    def _settle(self, order: _Order) -> None:
        """What a re-read of the provider finds."""
        if order.provider == "open" and self.now >= order.expires_at:
            order.provider = "expired"
        if order.provider != "open" and can_move(order.status, order.provider):
            order.status = order.provider

    def outside(self, session: Session, turn: dict[str, Any]) -> StepResult | None:
        """A turn that is not the customer's: a payment outcome, a business action, waiting."""
        if "payment" in turn:
            return self._payment(session, str(turn["payment"]), bool(turn.get("silent")))
        if "order" in turn:
            order, status = self._last(), str(turn["order"])
            if status != order.status and not can_move(order.status, status):  # same: news again
                raise ValueError(f"order: an order that is {order.status} cannot become {status}")
            order.status = status
            return self.step(session, self._notice(order))
        if "wait" in turn:
            return self._wait(session, parse_wait(turn["wait"]))
        if "handoff" in turn:
            return self.step(session, _handoff_news(turn["handoff"], self.now))
        if "notice" in turn:
            return self.step(session, _notice(turn["notice"], self.now))
        return None

    def _payment(self, session: Session, outcome: str, silent: bool) -> StepResult:
        if outcome not in FINAL_PAYMENT:
            raise ValueError(f"payment: {outcome!r} is not one of {sorted(FINAL_PAYMENT)}")
        order = self._last()
        order.provider = outcome
        if silent:
            return StepResult(session, [])
        self._settle(order)
        return self.step(session, self._notice(order))

    def _wait(self, session: Session, span: timedelta) -> StepResult:
        self.now += span
        effects: list[Any] = []
        while due := sorted((at, name) for name, at in self.timers.items() if at <= self.now):
            at, name = due[0]
            del self.timers[name]
            result = self.step(session, Timer(name, at))
            session, effects = result.session, [*effects, *result.effects]
        return StepResult(session, effects)

    def _notice(self, order: _Order) -> OrderUpdate:
        return OrderUpdate(order.id, order.status, self.now, "notice", order.number, order.total)

    def _last(self) -> _Order:
        if not self.orders:
            raise ValueError("no payment request was made yet")
        return list(self.orders.values())[-1]


def _notice(spec: Any, now: datetime) -> Notice:
    """`notice: {text: booking_reminder, values: {number: "1001", …}}`: the business tells the
    customer one of the bot's texts (a booking's reminder), as the runtime does."""
    if not isinstance(spec, dict) or not isinstance(spec.get("text"), str):
        raise ValueError("notice: {text: <the bot's text>, values: {name: value, ...}}")
    values = spec.get("values") or {}
    if not isinstance(values, dict):
        raise ValueError("notice: values is a mapping of names to values")
    return Notice(spec["text"], now, {str(k): str(v) for k, v in values.items()})


HANDOFF_STATES = ("claimed", "said", "returned", "closed", "timeout")


def _handoff_news(spec: Any, now: datetime) -> HandoffNews:
    """`handoff: claimed` (by "anna"), `handoff: {said: "…"}`, `handoff: returned`, … — the
    person's side of a handoff, played by a conversation test."""
    if isinstance(spec, dict) and set(spec) == {"said"}:
        return HandoffNews("said", now, "anna", text=str(spec["said"]))
    if isinstance(spec, dict) and set(spec) == {"claimed"}:
        return HandoffNews("claimed", now, str(spec["claimed"]))
    if spec not in HANDOFF_STATES:
        raise ValueError(f"handoff: one of {', '.join(HANDOFF_STATES)}, or {{said: text}}")
    return HandoffNews(str(spec), now, "anna")
