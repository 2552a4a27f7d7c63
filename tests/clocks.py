"""A clock that tests move by hand: `clock.now += 60`."""

from __future__ import annotations

FRIDAY_EVENING = 1795802400.0
"""2026-11-27 19:00 in Berlin: the pizzeria is open."""


class Clock:
    def __init__(self, now: float = FRIDAY_EVENING) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
