"""Actions for drivers that run without an event loop: `theke chat` and `theke test`.

They answer the engine's requests with plain calls (flows/requests.py `answer_requests`);
this gives them one event loop of their own, kept for the conversation's life, so an action's
HTTP session or client stays usable from one call to the next.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from framework.actions.performing import BotActions, Where, request_id
from framework.flows.events import ActionDone, ActionRequest

__all__ = ["BlockingActions"]

T = TypeVar("T")


class BlockingActions:
    def __init__(self, actions: BotActions, bot: str, sender: str, channel: str) -> None:
        self._actions, self._bot, self._sender, self._channel = actions, bot, sender, channel
        self._loop = asyncio.Runner()
        self._made = 0

    def __call__(self, request: ActionRequest) -> ActionDone:
        self._made += 1
        seed = f"{self._bot}\n{self._sender}\n{request.now.isoformat()}"
        where = Where(self._bot, self._sender, self._channel, request_id(seed, self._made))
        return self._loop.run(self._actions.perform(request, where))

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Other async work of the conversation (its consent ledger's STOP) on the same loop."""
        return self._loop.run(work)

    def close(self) -> None:
        self._loop.run(self._actions.close())
        self._loop.close()
