"""The sending schedule of a messenger's sender (a WhatsApp number, a Telegram bot), shared by
every worker of a deployment: each message takes the next free slot, `gap` seconds after the
one before it, so N workers together keep the sender's rate instead of N times it (Meta
refuses a number's 81st message in a second with 130429).

A slot further away than the caller may wait is not taken: the caller tries again later (a
delivery must commit within its session's lease, so it never queues behind a long burst).

Slots say when a send may go; the window of sends in flight holds the messenger's limit
(framework/channels/pacing.py has the proof). `start` counts a send just before its request
leaves, and only while fewer than `most` of the sender's are counted; it stays counted while
its request is in flight and `window` seconds after `finish` noted its end, however it ended.
A send whose `finish` never comes (its worker died mid-request) stays counted until `flight`
seconds after it began, then `window` more. So a worker whose event loop was held up, or a
request that took long on its way, puts no more than `most` into any `window` at the
messenger, whatever the delays, on every worker together.

A messenger that says to stop (Telegram's 429 with `retry_after`, which blocks all of the
bot's calls; WhatsApp's 130429 for the number) is obeyed with `hold`: no slot of the sender
before then, on any worker, so every conversation and every broadcast waits, not only the
message that was refused: also a send that took its slot before the hold waits before it
begins.

A recipient's allowance (`pair`): WhatsApp refuses a burst to one person with 131056 (its pair
rate: about one message every 6 s, bursts tolerated). Each (sender, recipient) pair may take
`burst` sends at once and one more every `every` seconds after (a token bucket, kept as the
time its allowance is full again: the "generic cell rate" algorithm, one number a pair), on
every worker, so a conversation's replies and a broadcast's notice to the same person never
pass it together. A recipient is kept as a digest, never as they are.

Memory (one process: SQLite and memory deployments) and Redis (every worker on the same
server or cluster, one clock: the server's) keep both.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

__all__ = ["SendSlots", "Slot", "pair_key"]


def pair_key(recipient: str) -> str:
    """A recipient as the schedules keep them: 32 hex digits of SHA-256 (no phone number in a
    key or in memory longer than its message)."""
    return hashlib.sha256(recipient.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Slot:
    wait: float
    """Seconds from now until the slot (0: at once)."""
    taken: bool
    """False: it was further away than the caller may wait, and nobody holds it."""


class SendSlots(Protocol):
    async def take(self, sender: str, gap: float, most: float) -> Slot:
        """The next free slot of `sender`, taken when it is at most `most` seconds away; the
        slot after it is then `gap` seconds later."""
        ...

    async def start(
        self, sender: str, window: float, most: int, token: str, flight: float
    ) -> float:
        """A send of `sender` begins now if fewer than `most` of its sends are counted: those
        in flight and those that finished in the last `window` seconds. It is then kept under
        `token`, in flight for at most `flight` seconds, and 0.0 returned. Otherwise nothing is
        kept, and the answer is the seconds until the first of them may leave the window: the
        oldest finished one's `window` after it finished; `window` when all are in flight (a
        send that finishes now stays that long). A `token` begun before is dropped first (that
        send did not go then: it begins now, or not)."""
        ...

    async def finish(self, sender: str, token: str) -> None:
        """The request of the send begun under `token` ended (answered, refused, failed, timed
        out or cancelled): it is counted `window` more seconds from now, then leaves. A token
        dropped already (in flight longer than `flight`, then `window`: its worker taken for
        dead) is not brought back."""
        ...

    async def pair(
        self, sender: str, recipient: str, burst: int, every: float, most: float
    ) -> Slot:
        """One of the pair's allowance (at most `burst` at once, one more every `every`
        seconds), taken when it comes within `most` seconds: how long until then. One further
        away is not taken (nothing of the allowance is spent) and says how far it is."""
        ...

    async def hold(self, sender: str, seconds: float) -> None:
        """No slot of `sender` taken, and no send of it begun, before `seconds` from now (a
        longer hold kept stays): `start` answers the wait until then."""
        ...

    async def held(self, sender: str) -> float:
        """Seconds until `sender`'s hold ends (0: not held)."""
        ...

    async def close(self) -> None: ...
