"""How fast a broadcast goes out, per channel: a budget of notices per step, as many as its
channel's sender may send in the time since the broadcast's last step (on whichever worker:
with two workers taking turns, the broadcast goes no faster than with one), at most a second's
worth, and at the channel's pacing (HEADROOM of the limit, as framework/channels/pacing.py
sends): the notices handed out are the messages the senders can take, not a backlog.

The rates are what the messengers allow a business to send at once:

- WhatsApp: 80 messages a second per phone number by default (Meta's throughput limit; the
  portfolio's daily limit of unique customers is a rule of its own, rules.py);
- Telegram: about 30 messages a second for bulk notifications (the Bot FAQ; more draws 429s);
- the others (the web chat, REST, where the customer polls): 200 a second, so a broadcast
  never floods the store the workers share.

The holders of a purpose are ordered by conversation (`bot:channel:customer`), so a broadcast
meets its channels one after the other: each at its own rate.

A sender the messenger told to wait (Telegram's 429 with `retry_after` blocks all of the bot's
calls; WhatsApp's 130429 the number's) holds its schedule for every worker
(framework/channels/pacing.py `hold`): meanwhile a broadcast hands nothing more to that
channel's holders and waits (`rate_limited`), instead of queueing notices that could only wait.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from framework.channels.pacing import HEADROOM

__all__ = ["OTHERS", "RATES", "Budget", "Senders"]

RATES: Mapping[str, int] = {"whatsapp": 80, "telegram": 30}
"""The messengers' limits: messages a second per channel."""
OTHERS = 200
"""Notices a second on any channel not in RATES."""


@runtime_checkable
class Senders(Protocol):
    """A channel whose sender per bot (a WhatsApp number, a Telegram bot) can be held."""

    async def held(self, bot: str) -> float:
        """Seconds until the bot's sender on this channel may send again (0: now)."""
        ...


class Budget:
    """What one step may still hand out, per channel (`rates` None: no pacing, `most` in all)."""

    def __init__(self, rates: Mapping[str, int] | None, seconds: float, most: int) -> None:
        self._rates, self._seconds, self._left = rates, seconds, most
        self._spent: dict[str, int] = {}

    def take(self, channel: str) -> bool:
        """One notice on `channel`, if the step may still send it."""
        if self._left <= 0:
            return False
        if self._rates is not None:
            allowed = int(self._rates.get(channel, OTHERS) * HEADROOM * self._seconds)
            if self._spent.get(channel, 0) >= allowed:
                return False
        self._spent[channel] = self._spent.get(channel, 0) + 1
        self._left -= 1
        return True
