"""The one error tree of Theke: a base per subsystem, with a stdlib parent where it fits."""

from __future__ import annotations

__all__ = ["FlowError", "MoneyError", "ThekeError"]


class ThekeError(Exception):
    """Base of every error Theke raises on purpose; the message says what to do about it."""


class FlowError(ThekeError, ValueError):
    """A bot definition cannot be read or run."""


class MoneyError(ThekeError, ValueError):
    """An amount or currency that cannot be represented exactly."""
