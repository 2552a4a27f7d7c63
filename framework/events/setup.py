"""Business events of a running deployment: the outbox, the emitter and the sender, opened
from the workspace (`events:` of flows.yaml, the store's URL) and closed together.

The app keeps them under `EVENTS`: the runtime emits through `events.emit`, payments tell
`events.orders` of every order change, and the worker's background loop calls `deliver`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from framework.events.delivery import Delivery
from framework.events.emitting import Events
from framework.events.orders import OrderEvents
from framework.events.subscriptions import subscriptions
from framework.runtime.metrics import Metrics
from framework.stores.opening import open_outbox
from framework.workspace import Workspace

__all__ = ["DELIVER_EVERY", "EVENTS", "BusinessEvents", "open_events"]

DELIVER_EVERY = 1.0
"""Seconds between two rounds of the sender (a round goes on while a full batch was due)."""


@dataclass(frozen=True)
class BusinessEvents:
    events: Events
    orders: OrderEvents
    delivery: Delivery

    async def deliver(self) -> int:
        return await self.delivery.run()

    async def close(self) -> None:
        await self.delivery.close()
        await self.events.outbox.close()


EVENTS = web.AppKey("events", BusinessEvents)


async def open_events(
    workspace: Workspace,
    *,
    clock: Callable[[], float] = time.time,
    metrics: Metrics | None = None,
) -> BusinessEvents:
    """Raises EventsSetupError when a subscription's secret is not set."""
    subs = subscriptions(workspace.events)
    outbox = await open_outbox(workspace.store, workspace.root)
    events = Events(outbox, subs, clock=clock)
    delivery = Delivery(outbox, subs, clock=clock, metrics=metrics)
    return BusinessEvents(events, OrderEvents(events), delivery)
