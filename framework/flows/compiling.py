"""What mypyc needs told about a class when framework/flows/ is compiled (tools/mypyc_build.py).

`mypyc_attr(native_class=False)` keeps a class an ordinary Python class inside a compiled
module (a subclass of `list`, for one, cannot be a native class). Without mypy_extensions (a
deployment's environment has only Theke's dependencies) it is a decorator that does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

try:
    from mypy_extensions import mypyc_attr
except ImportError:  # pragma: no cover - the dev environment has mypy_extensions

    def mypyc_attr(*attrs: str, **kwattrs: object) -> Callable[[T], T]:
        """Nothing to tell: the class as it is."""
        return lambda cls: cls


__all__ = ["mypyc_attr"]
