"""The built-in runner of `http:` steps: a call to the business's web API.

The request comes rendered from the step (method, URL, headers, JSON body); `env:NAME` in a
header is replaced here, from the environment, so a secret never enters a session, a log or
a stored answer. Calls that may be repeated (GET, HEAD, PUT, DELETE) are tried again after a
connection error or a 5xx, `retries` times, within the step's timeout; others carry the
request id as `Idempotency-Key`. Redirects are not followed (the step names its server). The
result is `status`, `body` (JSON when the server says so, else text) and `headers`; a status
of 400 or more fails the step into its `on_error` block.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from framework.action_calls import ActionContext, ActionError, ActionOutcome
from framework.flows.steps import HTTP_ACTION

__all__ = ["HttpCalls"]

MAX_BODY = 1024 * 1024
REPEATABLE = frozenset({"GET", "HEAD", "PUT", "DELETE"})
BACKOFF = 0.2
"""Seconds before the first retry; doubled for each further one."""
_SECRET = re.compile(r"env:([A-Za-z_][A-Za-z0-9_]*)")


class HttpCalls:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._env = os.environ if environ is None else environ
        self._session: aiohttp.ClientSession | None = None

    def names(self) -> frozenset[str]:
        return frozenset({HTTP_ACTION})

    async def run(self, context: ActionContext) -> ActionOutcome:
        args = context.args
        method, url = str(args.get("method", "GET")).upper(), str(args.get("url", ""))
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ActionError(f"http: {url[:80]!r} is not an http(s) URL")
        headers = {
            str(k): self._secrets(str(v)) for k, v in dict(args.get("headers") or {}).items()
        }
        if method not in REPEATABLE:
            headers.setdefault("Idempotency-Key", context.request_id)
        tries = 1 + (int(args.get("retries") or 0) if method in REPEATABLE else 0)
        where = f"{method} {parts.hostname}"
        for attempt in range(tries):
            last = attempt == tries - 1
            try:
                status, answer, raw = await self._send(method, url, headers, args.get("json"))
            except (aiohttp.ClientError, TimeoutError, OSError) as error:
                if last:
                    raise ActionError(f"{where}: {type(error).__name__}") from None
            else:
                if status < 500 or last:
                    return _result(where, status, answer, raw)
            await asyncio.sleep(BACKOFF * 2**attempt)
        raise AssertionError("unreachable: the last try returns or raises")

    def _secrets(self, value: str) -> str:
        def secret(match: re.Match[str]) -> str:
            found = self._env.get(match[1])
            if found is None:
                raise ActionError(f"http: the environment variable {match[1]} is not set")
            return found

        return _SECRET.sub(secret, value)

    async def _send(
        self, method: str, url: str, headers: dict[str, str], body: Any
    ) -> tuple[int, Mapping[str, str], bytes]:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        payload = None if body is None else json.dumps(body, default=str).encode()
        if payload is not None:
            headers = {"Content-Type": "application/json", **headers}
        async with self._session.request(
            method, url, data=payload, headers=headers, allow_redirects=False
        ) as response:
            raw = await response.content.read(MAX_BODY + 1)
            return response.status, dict(response.headers), raw

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def _result(where: str, status: int, headers: Mapping[str, str], raw: bytes) -> ActionOutcome:
    if len(raw) > MAX_BODY:
        raise ActionError(f"{where}: the answer is longer than {MAX_BODY} bytes")
    if status >= 400:
        raise ActionError(f"{where}: HTTP {status}")
    text = raw.decode("utf-8", errors="replace")
    body: Any = text
    if "json" in headers.get("Content-Type", "").lower():
        try:
            body = json.loads(text)
        except ValueError:
            raise ActionError(f"{where}: the answer is not the JSON it says it is") from None
    return ActionOutcome(slots={"status": status, "body": body, "headers": dict(headers)})
