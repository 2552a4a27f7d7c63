"""The sending schedule of a messenger's sender (a WhatsApp number, a Telegram bot), shared by
every worker of a deployment: each message takes the next free slot, `gap` seconds after the
one before it, so N workers together keep the sender's rate instead of N times it (Meta
refuses a number's 81st message in a second with 130429).

A slot further away than the caller may wait is not taken: the caller tries again later (a
delivery must commit within its session's lease, so it never queues behind a long burst).
Memory (one process: SQLite and memory deployments) and Redis (every worker on the same
server or cluster, one clock: the server's) keep it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["SendSlots", "Slot"]


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

    async def close(self) -> None: ...
