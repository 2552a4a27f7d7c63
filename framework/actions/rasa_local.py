"""rasa-sdk actions run in this process, unchanged, through rasa-sdk's own executor.

The bot's actions module (a file, or a package with submodules) is imported by its path under
a name of its own (`theke_rasa_<hash of the path>`), so two bots with an `actions` module
never share one. Its `Action` subclasses are registered as rasa-sdk's `register_package`
would, but only those of this module: `register_package` registers every `Action` subclass
imported anywhere in the process (another bot's too) and exits the process on an import error.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import inspect
import json
import pkgutil
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from framework.action_calls import ActionContext, ActionError, ActionOutcome
from framework.actions.rasa_outcome import outcome_of
from framework.actions.rasa_protocol import action_call, digest_of, encode

__all__ = ["RasaInProcess", "RasaMissing"]


class RasaMissing(ActionError, ImportError):
    """rasa-sdk is not installed, and the bot uses Rasa actions."""


def _sdk() -> tuple[Any, ...]:
    """rasa-sdk's executor, base class, helpers and rejection, imported only when a bot uses
    them (rasa-sdk pulls in sanic, grpc and opentelemetry). Untyped: the boundary is here."""
    try:
        executor = importlib.import_module("rasa_sdk.executor")
        interfaces = importlib.import_module("rasa_sdk.interfaces")
        utils = importlib.import_module("rasa_sdk.utils")
    except ImportError as error:
        raise RasaMissing(
            f"the bot uses rasa-sdk actions, and rasa-sdk cannot be imported ({error}): "
            "pip install 'theke[rasa]'"
        ) from error
    return executor.ActionExecutor, interfaces.Action, utils, interfaces.ActionExecutionRejection


class RasaInProcess:
    """An `ActionRunner` over a module of rasa-sdk `Action` / `FormValidationAction` classes.

    An action whose `run` is a plain function (often with a blocking `requests` call in it)
    runs on a thread of its own, so it does not hold up other conversations; a coroutine runs
    on the event loop, as on rasa-sdk's server. A timeout (the driver's) stops waiting for a
    thread, not the thread itself.
    """

    def __init__(self, module: Path, domain: Mapping[str, Any]) -> None:
        executor_class, action_class, utils, rejection = _sdk()
        self._rejection: type[Exception] = rejection
        self._executor = executor_class()
        loaded = _load(module)
        for action in utils.all_subclasses(action_class):
            if _belongs(action, loaded.__name__) and not inspect.isabstract(action):
                self._executor.register_action(action)
        self._domain = dict(domain)
        self._digest = digest_of(self._domain)
        self._domain_sent = False
        self._slots = frozenset(self._domain.get("slots", {}))
        self._names = frozenset(str(name) for name in self._executor.actions)

    def names(self) -> frozenset[str]:
        return self._names

    async def run(self, context: ActionContext) -> ActionOutcome:
        function = self._executor.actions.get(context.action)
        if function is None:
            raise ActionError(f"unknown Rasa action {context.action!r}: not in {_listed(self)}")
        # The body as it would travel (JSON), so that both paths give the same outcome and an
        # action cannot change the conversation's own objects.
        # The domain goes once, as over HTTP: rasa-sdk's executor keeps it under its digest.
        domain = None if self._domain_sent else self._domain
        payload = json.loads(encode(action_call(context, domain, self._digest)))
        try:
            if inspect.iscoroutinefunction(function):
                result = await self._executor.run(payload)
            else:
                result = await asyncio.to_thread(asyncio.run, self._executor.run(payload))
        except self._rejection as error:
            message = getattr(error, "message", str(error))
            raise ActionError(f"the Rasa action {context.action!r} refused: {message}") from error
        except Exception as error:
            raise ActionError(
                f"the Rasa action {context.action!r} failed: {type(error).__name__}: {error}"
            ) from error
        self._domain_sent = True
        return outcome_of(None if result is None else result.model_dump(), self._slots)

    async def close(self) -> None:
        """Nothing to release: the module stays imported."""


def _listed(runner: RasaInProcess) -> str:
    return ", ".join(sorted(runner.names())) or "no action"


def _belongs(action: type, module: str) -> bool:
    return action.__module__ == module or action.__module__.startswith(f"{module}.")


def _load(path: Path) -> ModuleType:
    """Imports `path` (a .py file or a package folder) and, for a package, its submodules."""
    path = path.resolve()
    name = "theke_rasa_" + hashlib.sha256(str(path).encode()).hexdigest()[:12]
    if name in sys.modules:
        return sys.modules[name]
    package = path.is_dir()
    source = path / "__init__.py" if package else path
    spec = importlib.util.spec_from_file_location(
        name, source, submodule_search_locations=[str(path)] if package else None
    )
    if spec is None or spec.loader is None or not source.is_file():
        raise ActionError(f"no Rasa actions module at {path}: a .py file or a package folder")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        if package:
            _import_submodules(module)
    except Exception as error:
        sys.modules.pop(name, None)
        raise ActionError(f"the Rasa actions {path} cannot be imported: {error!r}") from error
    return module


def _import_submodules(package: ModuleType) -> None:
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
        importlib.import_module(info.name)
