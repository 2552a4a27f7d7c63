"""Order news as business events: `order.created` when a conversation's order is first kept,
then one event per status change, `order.paid`, `order.cancelled`, `order.refunded` or
`order.status_changed` (accepted, out for delivery, delivered, failed, expired), and
`order.refunded` for a part of the money given back.

Why this is never lost although the order store and the outbox are written one after the
other: each event's id comes from the order and the change (`order.created` from the order's
id, a status change from the status, which an order reaches at most once), and `publish` is
called after every change and again whenever the customer is told of it (`Payments.announce`,
which the reconciler repeats until `announced` is saved). Until then it publishes every change
the customer was not yet told of; the outbox adds each id once. A crash between the order's
write and the outbox's is repaired by the reconciler's next round (seconds), not by luck.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from framework.events.emitting import Events, event_id
from framework.money import Money
from framework.orders import Order
from framework.payments.order_actions import order_json

__all__ = ["OrderEvents", "order_data"]

TYPES = {"paid": "order.paid", "cancelled": "order.cancelled", "refunded": "order.refunded"}
"""Status changes with an event type of their own; the others are order.status_changed."""
_HIDDEN = ("customer", "unmatched_payments", "history")
"""What an order event leaves out: the customer's id (a phone number) and internals."""


def order_data(order: Order) -> dict[str, Any]:
    data = {k: v for k, v in order_json(order).items() if k not in _HIDDEN}
    data["created_at"] = datetime.fromtimestamp(order.created_at, UTC).isoformat()
    return {"order": data}


class OrderEvents:
    def __init__(self, events: Events) -> None:
        self._events = events

    async def publish(self, order: Order) -> None:
        """Emit what happened to `order` since the customer was last told (idempotent)."""
        if not order.number:
            return
        untold = list(order.history)
        told = [n for n, step in enumerate(untold) if step["status"] == order.announced]
        if told:
            untold = untold[told[-1] + 1 :]
        else:
            created = event_id("order.created", order.id)
            await self._emit(order, "order.created", order_data(order), created, order.created_at)
        previous = order.announced if told else None
        for step in untold:
            kind = TYPES.get(step["status"], "order.status_changed")
            data = order_data(order) | {
                "status": step["status"],
                "previous_status": previous or "awaiting_payment",
                "by": step["by"],
            }
            await self._emit(
                order, kind, data, event_id(kind, order.id, step["status"]), step["at"]
            )
            previous = step["status"]

    async def refunded_part(self, order: Order, amount: int) -> None:
        """A part of the money given back (the order keeps its status)."""
        data = order_data(order) | {"refund": str(Money(amount, order.currency).amount)}
        id = event_id("order.refunded", order.id, str(order.refunded))
        await self._emit(order, "order.refunded", data, id, order.updated_at or None)

    async def _emit(
        self, order: Order, kind: str, data: dict[str, Any], id: str, at: float | None
    ) -> None:
        await self._events.emit(order.bot, order.session, kind, data, id=id, at=at)
