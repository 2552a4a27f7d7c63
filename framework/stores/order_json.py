"""What the three order stores share, so that they cannot disagree: where numbers start,
which orders the reconciler still has to look at, and the JSON an order is stored as.
"""

from __future__ import annotations

import json

from framework.orders import ANNOUNCED, AWAITING, Order

__all__ = ["FIRST_NUMBER", "is_unsettled", "load"]

FIRST_NUMBER = 1001
"""A bot's first order number: customers read "#1001", not "#1"."""


def is_unsettled(order: Order) -> bool:
    """Still awaiting payment, or in a status the customer's chat has not been told about."""
    status = order.status
    return status == AWAITING or (status in ANNOUNCED and order.announced != status)


def load(text: str) -> Order:
    return Order.from_json(json.loads(text))
