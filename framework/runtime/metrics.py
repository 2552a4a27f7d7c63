"""Prometheus metrics of one worker, in a registry of its own (served at /metrics)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)

from framework.runtime.loop_histogram import LoopHistogram

__all__ = ["Metrics"]

REASON_LABEL = 64
"""Characters of a handoff's reason kept as a label value (the flows' reasons are short)."""
HANDOFF_ENDS = ("returned", "closed", "timeout", "withdrawn")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.turns = Counter("theke_turns", "Turns processed", ["bot"], registry=self.registry)
        self._turns_of: dict[str, Counter] = {}
        self.errors = Counter(
            "theke_turn_errors",
            "Turns that failed in a flow or the runtime",
            ["bot"],
            registry=self.registry,
        )
        self.records = Counter(
            "theke_records", "Facts recorded by flows", ["bot", "record"], registry=self.registry
        )
        self.duplicates = Counter(
            "theke_duplicate_messages",
            "Messages delivered again and not processed twice",
            registry=self.registry,
        )
        self.turn_seconds = LoopHistogram(
            "theke_turn_seconds",
            "Time from lease to commit of one turn",
            (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
            self.registry,
        )
        self.active_sessions = Gauge(
            "theke_active_sessions",
            "Sessions with a turn in the last 15 minutes (this worker)",
            registry=self.registry,
        )
        self.backlog = Gauge(
            "theke_inbox_backlog",
            "Sessions with items waiting in their inbox (store-wide)",
            registry=self.registry,
        )
        self.worker = Gauge(
            "theke_worker",
            "This worker process (its id; each worker serves its own metrics)",
            ["id"],
            registry=self.registry,
        )
        ProcessCollector(registry=self.registry)
        self.deliveries = Counter(
            "theke_deliveries",
            "Messages to push channels: sent, or why not (refused, window_closed, unreachable, "
            "failed_later, status_unknown_message)",
            ["outcome"],
            registry=self.registry,
        )
        self.channel_problems = Counter(
            "theke_channel_problems",
            "Webhook content the business should look at (unsupported messages, errors, ...)",
            ["channel", "kind"],
            registry=self.registry,
        )
        self.business_events = Counter(
            "theke_business_events",
            "Attempts to send business events: delivered, retried (after a failure), given_up",
            ["outcome"],
            registry=self.registry,
        )
        self.rejected = Counter(
            "theke_rejected_requests", "Requests refused", ["reason"], registry=self.registry
        )
        self.handoffs = Gauge(
            "theke_handoffs",
            "Conversations waiting for a person (queued) and held by one (claimed), store-wide",
            ["bot", "state"],
            registry=self.registry,
        )
        self.handoff_wait = Histogram(
            "theke_handoff_wait_seconds",
            "Time from joining the queue to a person claiming the conversation",
            buckets=(10, 30, 60, 120, 300, 600, 1800),
            registry=self.registry,
        )
        self.handoff_requests = Counter(
            "theke_handoff_requests",
            "Customers who joined a queue for a person, by the handoff's reason",
            ["bot", "reason"],
            registry=self.registry,
        )
        self.handoff_ends = Counter(
            "theke_handoff_ends",
            "Handoffs that ended: returned to the bot, closed, timeout (nobody came), withdrawn",
            ["bot", "outcome"],
            registry=self.registry,
        )

    def turn_done(self, bot: str) -> None:
        """One more turn of `bot`; its counter looked up once, as `labels` checks the label
        values and takes a lock every time (~8,000 instructions a call, more than counting)."""
        counter = self._turns_of.get(bot)
        if counter is None:
            counter = self._turns_of[bot] = self.turns.labels(bot)
        counter.inc()

    def handoff_recorded(self, bot: str, record: str, data: Mapping[str, Any]) -> None:
        """A flow's handoff record measured: the wait until a claim, a request by its reason
        (at most 64 characters of it), how a handoff ended."""
        if record == "handoff_claimed" and "waited" in data:
            self.handoff_wait.observe(float(data["waited"]))
        elif record == "human_requested":
            reason = str(data.get("reason") or "")[:REASON_LABEL]
            self.handoff_requests.labels(bot, reason).inc()
        elif record.removeprefix("handoff_") in HANDOFF_ENDS:
            self.handoff_ends.labels(bot, record.removeprefix("handoff_")).inc()

    def exposition(self) -> bytes:
        return bytes(generate_latest(self.registry))
