"""The structure the folder names promise, checked from the code's own import graph.

- No import cycle among framework modules, nor between its rooms (top-level packages and
  modules): a room can be understood, tested and replaced from below.
- The interpreter is pure and apart from the flow language: nothing the engine imports, however
  indirectly, does I/O or belongs to the reader, compiler, checker or graph (those tools may do
  I/O: `theke graph` runs Graphviz).
- Modules stay small enough to read in one sitting.

Imports under `if TYPE_CHECKING:` are annotations only and do not count.
"""

from __future__ import annotations

import ast
import statistics
from collections.abc import Iterator
from functools import cache
from pathlib import Path

FRAMEWORK = Path(__file__).parent.parent / "framework"

IO_MODULES = frozenset(
    {
        "aiohttp",
        "asyncio",
        "http",
        "nacl",
        "redis",
        "requests",
        "socket",
        "sqlite3",
        "stripe",
        "subprocess",
        "urllib.request",
    }
)
"""Libraries that reach a network, a disk database or another process."""
IO_ROOMS = ("framework.runtime", "framework.stores", "framework.channels", "framework.payments")

INTERPRETER = ("framework.flows.engine", "framework.flows.execution", "framework.flows.requests")
"""Where the interpreter starts: the engine, its instruction table and its answer-back loop."""
LANGUAGE = "framework.flows.language"
"""The reader, compiler, checker and graph: the interpreter runs the model they build and
never needs them."""

MAX_LINES = 500
MEDIAN_LINES = 150


def module_name(path: Path) -> str:
    parts = path.relative_to(FRAMEWORK.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in FRAMEWORK.rglob("*.py")}


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, except what is under `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (child for branch in node.orelse for child in _runtime_nodes(branch))
            continue
        yield node
        yield from _runtime_nodes(node)


@cache
def imported(name: str) -> frozenset[str]:
    """Every module `name` imports (absolute names, with the packages they run)."""
    path = modules()[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    withparents = {".".join(n.split(".")[:k]) for n in found for k in range(1, n.count(".") + 2)}
    return frozenset(withparents)


def framework_imports(name: str) -> set[str]:
    """The framework modules `name` imports, but not its own parent packages (which Python
    has run before it, whatever it imports)."""
    return {
        other
        for other in imported(name)
        if other in modules() and other != name and not name.startswith(f"{other}.")
    }


def circular(graph: dict[str, set[str]]) -> list[str]:
    """The nodes that can reach themselves."""

    def reachable(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for other in graph.get(todo.pop(), set()) - seen:
                seen.add(other)
                todo.append(other)
        return seen

    return sorted(node for node in graph if node in reachable(node))


def room(name: str) -> str:
    return ".".join(name.split(".")[:2])


def test_no_module_imports_itself_in_a_circle() -> None:
    graph = {name: framework_imports(name) for name in modules()}
    assert circular(graph) == []


def test_no_room_imports_another_that_imports_it() -> None:
    graph: dict[str, set[str]] = {}
    for name in modules():
        graph.setdefault(room(name), set()).update(
            room(other) for other in framework_imports(name) if room(other) != room(name)
        )
    assert circular(graph) == []


def test_the_interpreter_does_no_io() -> None:
    seen: set[str] = set()
    todo = list(INTERPRETER)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        outside = imported(name) & IO_MODULES
        assert not outside, f"{name} imports {sorted(outside)}"
        reached = framework_imports(name)
        assert not [other for other in reached if other.startswith(IO_ROOMS)], name
        assert not [other for other in reached if other.startswith(LANGUAGE)], name
        todo.extend(reached)


def test_modules_are_small() -> None:
    sizes = {name: len(path.read_text("utf-8").splitlines()) for name, path in modules().items()}
    assert {name: lines for name, lines in sizes.items() if lines > MAX_LINES} == {}
    assert statistics.median(sizes.values()) <= MEDIAN_LINES


REDIRECTS = frozenset({"HTTPFound", "HTTPSeeOther"})


def test_errors_reach_http_through_the_one_status_table() -> None:
    """Handlers raise Theke's errors, which app.STATUS_OF turns into a status and one JSON
    body; only redirects are raised as aiohttp responses."""
    raised = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                called = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                text = ast.unparse(called)
                if text.startswith("web.HTTP") and text.removeprefix("web.") not in REDIRECTS:
                    raised.append(f"{name}: {text}")
    assert raised == []


def test_every_error_is_in_the_tree() -> None:
    from framework.app import STATUS_OF
    from framework.errors import PaymentError, ThekeError
    from framework.orders import OrderError
    from framework.payments.provider import ProviderError, RefundError, WebhookError
    from framework.payments.signing import SignatureError

    for kind in (OrderError, ProviderError, RefundError, WebhookError, SignatureError):
        assert issubclass(kind, PaymentError)
    assert all(issubclass(kind, ThekeError) for kind in STATUS_OF)
