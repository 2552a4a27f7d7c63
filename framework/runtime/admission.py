"""Who may start a turn: every conversation within its message rate, and new conversations
within a rate per client address and per bot.

A conversation is new when this worker's limiter does not know it (it has not written for
longer than its bucket takes to fill: two minutes at the defaults). New conversations cost the
store a session each, so a client that invents senders is limited by its address, and a crowd
of addresses by the bot (per channel: a flood on the web chat does not stop REST). Messenger
messages come from the messenger's servers, not the customer's address, and their senders are
the messenger's accounts: they are held to the conversation's rate only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from framework.runtime.ratelimit import RateLimiter
from framework.stores.records import SessionKey

__all__ = ["Admission", "AdmissionLimits", "Refusal"]


@dataclass(frozen=True)
class AdmissionLimits:
    messages_per_minute: float = 30
    burst: int = 60
    new_per_address: int = 30
    """New conversations a minute from one client address (and at once)."""
    new_per_bot: int = 600
    """New conversations a minute of one bot on one channel (and at once)."""


@dataclass(frozen=True)
class Refusal:
    reason: str
    """`rate_limited` (this conversation) or `new_conversations` (its address or bot)."""
    retry_after: float
    message: str


class Admission:
    def __init__(
        self, limits: AdmissionLimits, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.conversations = RateLimiter(limits.messages_per_minute, limits.burst, clock)
        self._addresses = RateLimiter(limits.new_per_address, limits.new_per_address, clock)
        self._bots = RateLimiter(limits.new_per_bot, limits.new_per_bot, clock)

    def admit(self, key: SessionKey, address: str | None = None) -> Refusal | None:
        """None: the message may run its turn (and is counted); else why not, and for how long.
        `address` is the client's (REST, the web chat); None for a messenger's webhook."""
        name = str(key)
        if address is not None and not self.conversations.knows(name):
            wait = self._addresses.wait(address) or self._bots.wait(f"{key.bot}:{key.channel}")
            if wait:
                return Refusal(
                    "new_conversations", wait, "too many new conversations: try again later"
                )
        wait = self.conversations.wait(name)
        if wait:
            return Refusal("rate_limited", wait, "too many messages: please slow down")
        return None

    def refund(self, key: SessionKey) -> None:
        """A message admitted that turned out a duplicate: it does not count."""
        self.conversations.refund(str(key))
