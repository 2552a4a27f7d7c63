"""Python actions: async (or plain) functions in the bot folder, marked with `@action`.

```python
from framework.actions import ActionContext, ActionOutcome, action

@action("delivery_estimate")
async def delivery_estimate(context: ActionContext) -> ActionOutcome:
    return ActionOutcome(slots={"minutes": 35})
```

A function may also return a plain mapping of slot values, or None (nothing changes). Plain
functions run in a worker thread, so a slow one never holds up other conversations.
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import sys
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from framework.action_calls import ActionContext, ActionError, ActionOutcome

__all__ = ["PythonActions", "action", "load_module"]

F = TypeVar("F", bound=Callable[..., Any])
MARK = "__theke_action__"


def action(name: str) -> Callable[[F], F]:
    """Mark a function as the action `name` (the name an `action:` step calls)."""

    def mark(function: F) -> F:
        setattr(function, MARK, name)
        return function

    return mark


def load_module(path: Path, bot: str) -> ModuleType:
    """Import a file (or package folder) of the bot folder under a name of its own per bot,
    so two bots' `actions.py` never replace each other."""
    name = f"theke_bot_{bot}_{path.stem}"
    target = path / "__init__.py" if path.is_dir() else path
    spec = importlib.util.spec_from_file_location(name, target)
    if spec is None or spec.loader is None:
        raise ActionError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        del sys.modules[name]
        raise ActionError(f"{path.name} does not import: {error!r}") from error
    return module


class PythonActions:
    """The `@action` functions of one module."""

    def __init__(self, functions: Mapping[str, Callable[[ActionContext], Any]]) -> None:
        self._functions = dict(functions)

    @classmethod
    def from_file(cls, path: Path, bot: str) -> PythonActions:
        return cls(_marked(path, bot))

    def names(self) -> frozenset[str]:
        return frozenset(self._functions)

    async def run(self, context: ActionContext) -> ActionOutcome:
        function = self._functions.get(context.action)
        if function is None:
            raise ActionError(f"no Python action {context.action!r}")
        if inspect.iscoroutinefunction(function):
            result = await function(context)
        else:
            result = await asyncio.to_thread(function, context)
        return _outcome(context.action, result)

    async def close(self) -> None:
        return None


@cache
def _marked(path: Path, bot: str) -> Mapping[str, Callable[[ActionContext], Any]]:
    """The `@action` functions of a file, imported once per process."""
    module = load_module(path, bot)
    marked = (value for value in vars(module).values() if callable(value))
    return {getattr(f, MARK): f for f in marked if isinstance(getattr(f, MARK, None), str)}


def _outcome(name: str, result: Any) -> ActionOutcome:
    if result is None:
        return ActionOutcome()
    if isinstance(result, ActionOutcome):
        return result
    if isinstance(result, Mapping) and all(isinstance(key, str) for key in result):
        return ActionOutcome(slots=dict(result))
    raise ActionError(
        f"the action {name!r} returned {type(result).__name__}: return an ActionOutcome, "
        "a mapping of slot values or None"
    )
