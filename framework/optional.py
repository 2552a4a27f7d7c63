"""Packages of the `fast` extra (orjson, hiredis, uvloop): used when installed, never required."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["optional_module"]


def optional_module(name: str) -> ModuleType | None:
    """The module when it is installed, else None."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
