"""Signed business webhooks through the outbox: what a business hears of its orders, handoffs
and a flow's own events (docs/events.md).

- `subscriptions`: who hears which types (`events:` of flows.yaml);
- `emitting.Events.emit`: an event into the outbox, one entry per subscription;
- `orders.OrderEvents`: order changes as events, never lost;
- `delivery.Delivery`: signed POSTs (`signing`), in order per conversation, retried, given up;
- `setup.open_events`: all of it for a running app; `web`, `cli`: the undeliverable ones.
"""

from framework.events.emitting import Events, customer_ref, event_id
from framework.events.setup import EVENTS, BusinessEvents, open_events
from framework.events.signing import HEADER, signature_header, verify
from framework.events.subscriptions import EventsSetupError, Subscription, subscriptions

__all__ = [
    "EVENTS",
    "HEADER",
    "BusinessEvents",
    "Events",
    "EventsSetupError",
    "Subscription",
    "customer_ref",
    "event_id",
    "open_events",
    "signature_header",
    "subscriptions",
    "verify",
]
