"""Background loops of a worker: the runtime's tick, the payments reconciler.

A loop runs until its `stopping` event is set, and cleanup both sets the event and cancels the
task. The event is what makes shutdown reliable: a client library may turn a cancellation into
an error of its own or swallow it (seen with redis-py's pool), and a loop that logged that
error and went on would keep its worker alive after SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["repeat", "stop"]

log = logging.getLogger("theke.runtime")


async def repeat(
    work: Callable[[], Awaitable[Any]], interval: float, stopping: asyncio.Event, name: str
) -> None:
    """`work` every `interval` seconds until `stopping`; an error is logged, never fatal."""
    while not stopping.is_set():
        try:
            await work()
        except Exception:  # the loop must outlive a store or provider that is down
            log.exception("background work failed", extra={"work": name})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), interval)


async def stop(stopping: asyncio.Event, tasks: list[asyncio.Task[None]], grace: float) -> None:
    """Stop the loops: set the event, cancel, and wait for each at most `grace` seconds."""
    stopping.set()
    for task in tasks:
        task.cancel()
    await asyncio.wait(tasks, timeout=grace)
