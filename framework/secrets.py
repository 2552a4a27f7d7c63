"""Secrets enter as `env:NAME` references and live in a `Secret` that never prints."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from framework.errors import ThekeError

__all__ = ["SECRET_KEY", "Secret", "SecretError", "is_reference", "resolve"]

SECRET_KEY = re.compile(r"(token|secret|password|api_key|key)$")
"""Settings with such names must be `env:` references, never written into flows.yaml."""
_REFERENCE = re.compile(r"^env:([A-Za-z_][A-Za-z0-9_]*)$")


class SecretError(ThekeError, LookupError):
    """A secret reference that cannot be resolved."""


class Secret:
    """A secret value: `str()` and `repr()` never show it; `.reveal()` does, on purpose."""

    __slots__ = ("_name", "_value")

    def __init__(self, value: str, name: str = "secret") -> None:
        self._value, self._name = value, name

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({self._name!r})"

    __str__ = __repr__


def is_reference(value: str) -> bool:
    return _REFERENCE.match(value) is not None


def resolve(value: str, environ: Mapping[str, str] | None = None) -> Secret:
    """`env:NAME` → the variable's value as a Secret; a plain value is refused."""
    match = _REFERENCE.match(value)
    if match is None:
        raise SecretError("secrets are written as env:NAME and set in the environment")
    name = match.group(1)
    found = (os.environ if environ is None else environ).get(name)
    if not found:
        raise SecretError(f"the environment variable {name} is not set")
    return Secret(found, name)
