"""Who hears which business events: `events:` of flows.yaml, with its secrets resolved.

    events:
      - url: https://shop.example/theke-events
        secret: env:THEKE_EVENTS_SECRET
        types: [order.paid, order.cancelled, "conversation.*"]

A type is written as a name (`order.paid`), a family (`order.*`) or `*` (every event, the
default). The secret signs what is sent (signing.py) and keys the customer references.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from framework.secrets import Secret, SecretError, resolve

__all__ = ["EventsSetupError", "Subscription", "subscriptions"]


class EventsSetupError(SecretError):
    """A subscription whose secret is not set: events for it could not be signed."""


@dataclass(frozen=True)
class Subscription:
    url: str
    secret: Secret
    types: tuple[str, ...] = ("*",)

    def wants(self, event_type: str) -> bool:
        return any(_matches(written, event_type) for written in self.types)


def _matches(written: str, event_type: str) -> bool:
    if written in ("*", event_type):
        return True
    return written.endswith(".*") and event_type.startswith(written[:-1])


def subscriptions(
    written: Sequence[Mapping[str, Any]], environ: Mapping[str, str] | None = None
) -> tuple[Subscription, ...]:
    """The subscriptions as written (checked by the workspace schema), secrets resolved."""
    found = []
    for number, spec in enumerate(written, 1):
        try:
            secret = resolve(str(spec["secret"]), environ)
        except SecretError as error:
            raise EventsSetupError(
                f"events[{number}] ({spec['url']}): {error}; events to it could not be signed"
            ) from None
        found.append(Subscription(str(spec["url"]), secret, tuple(spec.get("types") or ("*",))))
    return tuple(found)
