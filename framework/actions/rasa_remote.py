"""A Rasa action server (rasa-sdk's `python -m rasa_sdk`, or any server of its protocol)
called over HTTP, as Rasa calls it.

The domain is sent only when the server asks for it: every call carries its digest, and a
server that has not cached that digest answers 449, and the call is sent again once with the
domain. Message texts and slot values are personal data: they are never logged here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Mapping
from typing import Any

import aiohttp

from framework.action_calls import ActionContext, ActionError, ActionOutcome
from framework.actions.rasa_outcome import outcome_of
from framework.actions.rasa_protocol import action_call, digest_of, encode

__all__ = ["MAX_ANSWER", "RemoteRasa"]

log = logging.getLogger(__name__)

MAX_ANSWER = 1 << 20
"""Bytes of an answer at most (1 MiB): more is a broken or hostile server."""
MISSING_DOMAIN = 449


class RemoteRasa:
    """An `ActionRunner` over a Rasa action server.

    `url` is the server's base URL or its webhook, as in Rasa's `endpoints.yml`
    (`http://actions:5055` or `http://actions:5055/webhook`); `token` is sent as Rasa sends
    it, as the `token` query parameter. One call, with its resend, ends within `timeout`.
    """

    def __init__(
        self,
        url: str,
        names: frozenset[str],
        domain: Mapping[str, Any],
        timeout: float,
        token: str | None = None,
    ) -> None:
        base = url.rstrip("/")
        self._url = base if base.endswith("/webhook") else f"{base}/webhook"
        self._names = names
        self._domain = dict(domain)
        self._digest = digest_of(self._domain)
        self._slots = frozenset(self._domain.get("slots", {}))
        self._timeout = timeout
        self._params = {"token": token} if token else {}
        self._session: aiohttp.ClientSession | None = None

    def names(self) -> frozenset[str]:
        return self._names

    async def run(self, context: ActionContext) -> ActionOutcome:
        if context.action not in self._names:
            raise ActionError(f"unknown Rasa action {context.action!r} (not configured)")
        started = time.monotonic()
        try:
            async with asyncio.timeout(self._timeout):
                status, answer = await self._post(context, with_domain=False)
                if status == MISSING_DOMAIN:
                    log.debug("Rasa action server asks for the domain: sent again with it")
                    status, answer = await self._post(context, with_domain=True)
        except TimeoutError:
            raise ActionError(
                f"the Rasa action {context.action!r} did not answer within {self._timeout} s"
            ) from None
        except aiohttp.ClientError as error:
            raise ActionError(
                f"the Rasa action server at {self._url} cannot be reached: {error}"
            ) from error
        log.debug(
            "Rasa action %r: %d in %.0f ms",
            context.action,
            status,
            (time.monotonic() - started) * 1000,
        )
        return _outcome(context.action, status, answer, self._slots)

    async def _post(self, context: ActionContext, with_domain: bool) -> tuple[int, bytes]:
        if self._session is None:
            self._session = aiohttp.ClientSession(raise_for_status=False)
        body = action_call(context, self._domain if with_domain else None, self._digest)
        headers = {"Content-Type": "application/json", "Idempotency-Key": context.request_id}
        async with self._session.post(
            self._url, data=encode(body), headers=headers, params=self._params
        ) as response:
            return response.status, await _read(response)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def _read(response: aiohttp.ClientResponse) -> bytes:
    answer = bytearray()
    async for chunk in response.content.iter_chunked(1 << 16):
        answer += chunk
        if len(answer) > MAX_ANSWER:
            raise ActionError(f"the Rasa action server's answer is over {MAX_ANSWER} bytes")
    return bytes(answer)


def _outcome(action: str, status: int, answer: bytes, slots: frozenset[str]) -> ActionOutcome:
    """The outcome of a 200, else the ActionError the status means (rasa.md §3)."""
    if status == 200:
        return outcome_of(_json(answer), slots)
    error = _error_of(answer)
    if status == 400:
        raise ActionError(f"the Rasa action {action!r} refused: {error}")
    if status == 404:
        raise ActionError(f"unknown Rasa action {action!r}: the action server has none")
    if status == 500:
        raise ActionError(f"the Rasa action {action!r} failed on the action server: {error}")
    raise ActionError(f"the Rasa action server answered {action!r} with status {status}")


def _json(answer: bytes) -> object:
    try:
        return json.loads(answer)
    except (ValueError, UnicodeDecodeError):
        raise ActionError("the Rasa action server's answer is not JSON") from None


def _error_of(answer: bytes) -> str:
    """The server's `error`, shortened; never its `request_body` (the 500's), which holds
    the conversation."""
    try:
        found = json.loads(answer)
    except (ValueError, UnicodeDecodeError):
        return "(no error given)"
    error = found.get("error") if isinstance(found, dict) else None
    return error[:300] if isinstance(error, str) else "(no error given)"
