"""How long WhatsApp's 131049 keeps marketing away from a conversation: a back-off that grows
each time it comes again, and a final give-up.

Meta refuses a marketing message with 131049 when the customer got as many marketing messages
(from all businesses) as it lets them have; its advice is not to retry at once but to back off
progressively. The delivery never sends the refused message again (it failed, counted under
`131049` in its broadcast's results), and holds marketing broadcasts away from the
conversation in the reach store: HELD_BACK_FOR (a day) the first time, twice as long each time
after (two days, four), and at the GIVE_UP-th refusal in a row it gives up: held for
GIVEN_UP_FOR (a year), counted under GAVE_UP. A refusal more than STREAK after the last hold
ended starts counting again; one of a message sent before the hold began (a second notice
already on its way) counts nothing.

The count lives in the conversation's flags (`marketing_held`: times, until), written in the
same commit as the turn that saw the refusal, so a replayed turn or a status delivered twice
counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "GAVE_UP",
    "GIVEN_UP_FOR",
    "GIVE_UP",
    "HELD",
    "HELD_BACK_FOR",
    "MARKETING_LIMIT",
    "STREAK",
    "Hold",
    "next_hold",
]

MARKETING_LIMIT = 131049
"""WhatsApp's error for a marketing message held back by Meta's per-user marketing limit."""
HELD_BACK_FOR = 86400.0
"""Seconds marketing leaves a conversation alone after its first 131049."""
GIVE_UP = 4
"""The 131049 in a row at which marketing gives the conversation up."""
GIVEN_UP_FOR = 365 * 86400.0
STREAK = 30 * 86400.0
"""Seconds after a hold ended within which the next 131049 is one more in a row."""
HELD = "marketing_held"
"""The conversation's flag: {"times": refusals in a row, "until": when the hold ends}."""
GAVE_UP = "131049_gave_up"
"""The reason a broadcast's results count the refusal that gave the conversation up under."""


@dataclass(frozen=True, slots=True)
class Hold:
    until: float
    gave_up: bool


def next_hold(flags: dict[str, Any], now: float) -> Hold | None:
    """The hold a 131049 at `now` puts on the conversation, noted in its `flags`; None when it
    is held already (the refused message went before the hold began: nothing changes)."""
    kept = flags.get(HELD)
    times, until = _times_until(kept)
    if now < until:
        return None
    times = times + 1 if times and now - until <= STREAK else 1
    if times >= GIVE_UP:
        hold = Hold(now + GIVEN_UP_FOR, gave_up=True)
    else:
        hold = Hold(now + HELD_BACK_FOR * 2 ** (times - 1), gave_up=False)
    flags[HELD] = {"times": times, "until": hold.until}
    return hold


def _times_until(kept: Any) -> tuple[int, float]:
    if not isinstance(kept, dict):
        return 0, 0.0
    times, until = kept.get("times"), kept.get("until")
    if isinstance(times, bool) or not isinstance(times, int) or times < 0:
        return 0, 0.0
    if isinstance(until, bool) or not isinstance(until, int | float):
        return 0, 0.0
    return times, float(until)
