"""What the business does with orders, shared by `theke orders` and the admin HTTP API."""

from __future__ import annotations

import re
from typing import Any

from framework.errors import BadRequest, MoneyError
from framework.money import Money
from framework.orders import Order, OrderError
from framework.payments.provider import RefundError
from framework.payments.service import Payments

__all__ = ["ACTIONS", "act", "order_json", "parse_amount"]

ACTIONS = ("accept", "dispatch", "deliver", "cancel", "refund")
"""accept → accepted, dispatch → out for delivery, deliver → delivered; cancel refunds what
was paid; refund gives back an amount (all that is left when none is given)."""

_MOVES = {"accept": "accepted", "dispatch": "out_for_delivery", "deliver": "delivered"}


async def act(payments: Payments, order: Order, action: str, amount: int | None = None) -> Order:
    """Apply a business action; the customer is told in their chat. Raises OrderError when
    the order's status does not allow it, RefundError for a refund it does not allow."""
    if action in _MOVES:
        if amount is not None:
            raise OrderError(f"{action} takes no amount")
        return await payments.move(order, _MOVES[action], "business")
    if action == "cancel":
        return await payments.cancel(order, "business")
    if action == "refund":
        return await payments.refund(order, amount)
    raise OrderError(f"unknown action {action!r}: {', '.join(ACTIONS)}")


_AMOUNT = re.compile("-?[0-9]{1,12}([.][0-9]{1,4})?")
"""An amount as a business writes it: ASCII digits (Decimal would also read full-width or
Arabic-Indic digits, which no one typing an amount means), at most one decimal point."""


def parse_amount(value: Any, currency: str) -> int | None:
    """An amount the business typed (major units, "2.50") as minor units; None: not given."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadRequest("amount is a number such as 2.50")
    if isinstance(value, str) and not _AMOUNT.fullmatch(value):
        raise BadRequest(f"{value!r} is not an amount: write it like 2.50, in the digits 0-9")
    try:
        minor = Money.parse(str(value), currency).minor
    except MoneyError as error:
        raise BadRequest(f"amount: {error}") from None
    if minor <= 0:
        raise RefundError("a refund must be more than nothing")
    return minor


def order_json(order: Order) -> dict[str, Any]:
    """An order as the business reads it (no conversation internals)."""
    return {
        "number": order.number,
        "bot": order.bot,
        "status": order.status,
        "currency": order.currency,
        "total": str(Money(order.total, order.currency).amount),
        "refunded": str(Money(order.refunded, order.currency).amount),
        "lines": [
            {**line, "unit": _major(line["unit"], order), "total": _major(line["total"], order)}
            for line in order.lines
        ],
        "taxes": [{**tax, "amount": _major(int(tax["amount"]), order)} for tax in order.taxes],
        "customer": order.customer,
        "delivery": {k: v for k, v in order.delivery.items()},
        "provider": order.provider,
        "unmatched_payments": [
            {**entry, "amount": str(Money(entry["amount"], entry["currency"]).amount)}
            for entry in order.unmatched
        ],
        "created_at": order.created_at,
        "history": list(order.history),
    }


def _major(minor: int, order: Order) -> str:
    return str(Money(minor, order.currency).amount)
