"""What the three order stores share, so that they cannot disagree: where numbers start,
which orders the reconciler still has to look at, and the JSON an order is stored as.
"""

from __future__ import annotations

from framework.orders import ANNOUNCED, AWAITING, Order
from framework.stores import json_text

__all__ = ["FIRST_NUMBER", "is_unsettled", "load"]

FIRST_NUMBER = 1001
"""A bot's first order number: customers read "#1001", not "#1"."""


def is_unsettled(order: Order) -> bool:
    """Still awaiting payment, or in a status the customer's chat has not been told about."""
    status = order.status
    return status == AWAITING or (status in ANNOUNCED and order.announced != status)


def load(text: str) -> Order:
    """An order read as every store's JSON is (orjson when installed: ~95,000 instructions
    for an order's text with the standard library's decoder)."""
    return Order.from_json(json_text.load(text))
