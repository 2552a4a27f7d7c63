"""The HTTP client side of messenger channels: one lazily opened session per channel, the
pacing of each sender (a WhatsApp number, a Telegram bot), and JSON answers read leniently (an
error page is not JSON, and must not raise here)."""

from __future__ import annotations

from typing import Any

import aiohttp

from framework.channels.pacing import Pacer
from framework.stores.send_slots import SendSlots

__all__ = ["ApiSession", "json_body"]


class ApiSession:
    def __init__(
        self,
        timeout: float,
        per_second: float,
        interval: float,
        slots: SendSlots | None = None,
        pair: tuple[int, float] | None = None,
    ) -> None:
        """`slots`: the deployment's sending schedules, shared by its workers (None: this
        process's own); `pair`: each recipient's allowance (pacing.py; None: none)."""
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._rate, self._interval, self._slots = per_second, interval, slots
        self._pair = pair
        self._pacers: dict[str, Pacer] = {}

    def pacer(self, sender: str) -> Pacer:
        """The pacing of one sender: its rate overall, `interval` between two messages to one
        recipient."""
        if sender not in self._pacers:
            self._pacers[sender] = Pacer(
                sender,
                self._rate,
                self._interval,
                self._slots,
                pair=self._pair,
                timeout=self._timeout,
            )
        return self._pacers[sender]

    @property
    def http(self) -> aiohttp.ClientSession:
        """Opened on first use: inside the running event loop, never at import or set-up."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout)
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._slots is not None:
            await self._slots.close()


async def json_body(response: aiohttp.ClientResponse) -> Any:
    """The answer's JSON, or None when it is not JSON."""
    try:
        return await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        return None
