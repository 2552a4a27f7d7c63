"""The order store protocol: where orders live beside the sessions.

Each runtime store kind has an order store of the same kind on the same backing service
(memory, the SQLite file, the Redis server), opened from the same URL by `open_orders`.
"""

from __future__ import annotations

import builtins
from typing import Protocol

from framework.orders import Order

__all__ = ["OrderStore"]


class OrderStore(Protocol):
    async def create(self, order: Order) -> Order:
        """Keep a new order and give it the bot's next number (1001, 1002, ...).

        Idempotent on `order.id`: when an order with that id exists, it is returned unchanged
        and no number is used up. The returned order has `number` set and `version` 1.
        """
        ...

    async def get(self, order_id: str) -> Order | None: ...

    async def find(self, bot: str, number: int) -> Order | None:
        """The bot's order with that human-friendly number."""
        ...

    async def list(
        self, bot: str, statuses: frozenset[str] | None = None, limit: int = 50
    ) -> list[Order]:
        """The bot's orders, newest (highest number) first, optionally only those statuses."""
        ...

    async def replace(self, order: Order) -> Order | None:
        """Compare-and-set: store `order` if the stored version is still `order.version`.

        Returns the stored order with `version` increased by one, or None when another writer
        changed it first (the caller re-reads and decides again) or it does not exist.
        """
        ...

    async def unsettled(self, limit: int = 100) -> builtins.list[Order]:
        """Orders still awaiting payment, or whose status the customer was not yet told about
        (`status in ANNOUNCED and announced != status`): the reconciler's work list, oldest
        first."""
        ...

    async def seen(self, event_id: str) -> bool:
        """Whether `first_seen` kept this event id (and it has not expired)."""
        ...

    async def first_seen(self, event_id: str, ttl: float) -> bool:
        """Remember a provider's event id for `ttl` seconds; False when it was already seen."""
        ...

    async def close(self) -> None: ...
