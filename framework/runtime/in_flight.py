"""Messages in flight when a worker died, settled by the messenger's report instead of sent
twice.

A delivery posts a message and then commits `sent_seq`; a worker that dies in between leaves
the delivery to the next worker, which cannot tell from the store whether the message went. The
Cloud API has no idempotency key, so sending again risks a duplicate (a customer gets the same
offer twice) and not sending risks a loss. WhatsApp reports every message it took with a status
webhook that echoes the message's `biz_opaque_callback_data` (`<session>|<seq>`). So on a
channel that `reports`, a delivery first commits which messages it is about to send (the mark:
up to which seq, since when) and sends them in its next turn, at once; that turn's commit drops
the mark. A mark found older than `resumed` (RESUMED, or half the session's lease when that is
shorter) was left by a worker that died while sending: the delivery waits SETTLE seconds for
the reports of those messages. A report settles its message and every one before it (a
conversation's messages go one after the other, each taken before the next is sent): they count
as sent. Only a message no report came for within SETTLE is sent again — at least once, when
the messenger stayed silent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["IN_FLIGHT", "MARK", "RESUMED", "SEND", "SETTLE", "WAIT", "mark", "settles", "stage"]

IN_FLIGHT = "in_flight"
"""The conversation flag holding the mark: {"upto": seq, "at": when}."""
RESUMED = 1.0
"""Seconds after which a mark was not the delivery's own next turn (that comes at once) but a
dead worker's (another worker takes a session only when its lease, 5 s, has run out)."""
SETTLE = 30.0
"""Seconds the messages in flight at a worker's death wait for their reports (WhatsApp sends
`sent` within seconds of taking a message): the default of flows.yaml's `server.settle`."""
MARK, SEND, WAIT = "mark", "send", "wait"


def stage(
    flags: Mapping[str, Any], now: float, resumed: float = RESUMED, settle: float = SETTLE
) -> str:
    """What a delivery on a reporting channel does now: MARK the messages it is about to send,
    SEND the marked ones (its own mark, just committed), or WAIT for the reports of a dead
    worker's (MARK again once `settle` seconds have passed without them)."""
    flight = flags.get(IN_FLIGHT)
    if not isinstance(flight, Mapping):
        return MARK
    age = now - float(flight.get("at", 0.0))
    if age < resumed:
        return SEND
    return WAIT if age < settle else MARK


def mark(flags: dict[str, Any], upto: int, now: float) -> None:
    flags[IN_FLIGHT] = {"upto": upto, "at": now}


def settles(flags: Mapping[str, Any], seq: Any) -> bool:
    """Whether a report of message `seq` settles messages in flight: it is one of them."""
    flight = flags.get(IN_FLIGHT)
    if not isinstance(flight, Mapping) or isinstance(seq, bool) or not isinstance(seq, int):
        return False
    return int(flags.get("sent_seq", 0)) < seq <= int(flight.get("upto", 0))
