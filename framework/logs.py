"""Structured logs: JSON lines when not on a terminal, readable lines when on one.

Log records carry ids (bot, channel, pseudonyms of session keys, record names), never what a
customer wrote, their name, phone number or address: message texts are only added when debug
is asked for.

A session key holds a customer id (a phone number), so logs name it by a pseudonym: an
HMAC-SHA256 keyed with THEKE_LOG_KEY (at least 32 characters), or with a key drawn at random
when the process starts. Without the key nobody can tell which number a pseudonym stands for;
with THEKE_LOG_KEY set, a customer's pseudonym stays the same across restarts and workers.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import os
import secrets
import sys
from datetime import UTC, datetime
from typing import Any

from framework.errors import ThekeError

__all__ = ["KEY_VARIABLE", "LogKeyError", "configure_logging", "pseudonym"]

KEY_VARIABLE = "THEKE_LOG_KEY"
_MIN_KEY = 32
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class LogKeyError(ThekeError, ValueError):
    """THEKE_LOG_KEY is too short to key the pseudonyms in logs."""


@functools.cache
def _key() -> bytes:
    """The pseudonyms' key: THEKE_LOG_KEY, else random for this process (read once)."""
    configured = os.environ.get(KEY_VARIABLE)
    if configured is None:
        return secrets.token_bytes(32)
    if len(configured) < _MIN_KEY:
        raise LogKeyError(
            f"{KEY_VARIABLE} must have at least {_MIN_KEY} characters; make one with "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`"
        )
    return configured.encode("utf-8", "surrogatepass")


def pseudonym(value: str) -> str:
    """A stand-in for a session key, which holds a customer id (a phone number): keyed, so
    that it cannot be reversed by hashing guessed numbers."""
    digest = hmac.new(_key(), value.encode("utf-8", "surrogatepass"), hashlib.sha256)
    return digest.hexdigest()[:16]


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TerminalFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        text = f"{record.levelname.lower():7} {record.name}: {record.getMessage()} {extra}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text.rstrip()


def configure_logging(level: str = "info", *, json_lines: bool | None = None) -> None:
    """JSON unless stderr is a terminal (or `json_lines` says otherwise)."""
    as_json = not sys.stderr.isatty() if json_lines is None else json_lines
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if as_json else TerminalFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    _key()  # a key too short stops the start, not the first turn
