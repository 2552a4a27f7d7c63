"""Messages in flight when a worker died, settled by the messenger's report instead of sent
twice.

A delivery posts a message and then commits `sent_seq`; a worker that dies in between leaves
the delivery to the next worker, which cannot tell from the store whether the message went. The
Cloud API has no idempotency key, so sending again risks a duplicate (a customer gets the same
offer twice) and not sending risks a loss. WhatsApp reports every message it took with a status
webhook that echoes the message's `biz_opaque_callback_data` (`<session>|<seq>`). So on a
channel that `reports`, a delivery first commits which messages it is about to send (the mark:
up to which seq, since when) and sends them in its next turn; that turn's commit drops the
mark. Before its first message leaves, the sending turn keeps the mark as begun in the
session's answers (`Store.keep_answer` under BEGUN: not fenced by the lease, a fact about the
outside world, as an action's answer is). A delivery that finds a mark begun but not dropped
was left by a worker that died (or lost its lease) while sending: it waits SETTLE seconds for
the reports of those messages. A report settles its message and every one before it (a
conversation's messages go one after the other, each taken before the next is sent): they count
as sent. Only a message no report came for within SETTLE is marked and sent again — at least
once, when the messenger stayed silent. A mark nobody began is sent, however late its turn
comes: a mark older than a second was taken for a dead worker's (and one older than SETTLE
marked again), and on a busy machine (load 16 on two cores, a broadcast's thousands of
conversations marked ahead of it) every sending turn came later than that, waited, marked
again and came late again, for good.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "BEGUN",
    "IN_FLIGHT",
    "MARK",
    "SEND",
    "SETTLE",
    "WAIT",
    "mark",
    "mark_id",
    "settles",
    "stage",
]

IN_FLIGHT = "in_flight"
"""The conversation flag holding the mark: {"upto": seq, "at": when}."""
BEGUN = "in_flight:begun"
"""The request id under which the sending turn keeps the mark it began (`mark_id`)."""
SETTLE = 30.0
"""Seconds the messages in flight at a worker's death wait for their reports (WhatsApp sends
`sent` within seconds of taking a message): the default of flows.yaml's `server.settle`."""
MARK, SEND, WAIT = "mark", "send", "wait"


def stage(flags: Mapping[str, Any], now: float, begun: bool, settle: float = SETTLE) -> str:
    """What a delivery on a reporting channel does now: MARK the messages it is about to send,
    SEND the marked ones (nobody began sending them, `begun` is False: however old the mark),
    or WAIT for the reports of those a worker began (MARK again once `settle` seconds have
    passed since the mark)."""
    flight = flags.get(IN_FLIGHT)
    if not isinstance(flight, Mapping):
        return MARK
    if not begun:
        return SEND
    return WAIT if now - float(flight.get("at", 0.0)) < settle else MARK


def mark(flags: dict[str, Any], upto: int, now: float) -> None:
    flags[IN_FLIGHT] = {"upto": upto, "at": now}


def mark_id(flight: Mapping[str, Any]) -> str:
    """What names one mark among a conversation's marks (kept under BEGUN once begun)."""
    return f"{flight.get('upto')}@{float(flight.get('at', 0.0))!r}"


def settles(flags: Mapping[str, Any], seq: Any) -> bool:
    """Whether a report of message `seq` settles messages in flight: it is one of them."""
    flight = flags.get(IN_FLIGHT)
    if not isinstance(flight, Mapping) or isinstance(seq, bool) or not isinstance(seq, int):
        return False
    return int(flags.get("sent_seq", 0)) < seq <= int(flight.get("upto", 0))
