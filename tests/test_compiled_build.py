"""The optional compiled build (`make fast`, tools/mypyc_build.py) stays apart from the working
tree: nothing compiled next to a .py file, its lists of modules left interpreted and of the
server turn's modules name modules that exist, and the pure-Python stand-in of mypyc_attr
changes nothing. That the build says what the Python engine says is `make fast-check`'s
(benchmarks/compiled_identity.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from framework.flows.compiling import mypyc_attr

ROOT = Path(__file__).parent.parent
TOOL = ROOT / "tools" / "mypyc_build.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mypyc_build", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("mypyc_build", module)
    spec.loader.exec_module(module)
    return module


def test_no_extension_module_shadows_the_working_tree() -> None:
    """An extension module beside a .py file is imported instead of it (a leftover of running
    mypyc in place): the build goes to build/compiled/ only."""
    stale = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "framework").rglob("*")
        if path.suffix in (".so", ".pyd")
    ]
    assert stale == []


def test_the_modules_left_interpreted_exist_and_the_rest_is_compiled() -> None:
    """Every module of the engine but those left interpreted, and the server turn's modules
    named (each one that exists, none of them in the engine)."""
    tool = _tool()
    for path in [*tool.EXCLUDED, *tool.SERVER_TURN]:
        assert (ROOT / path).is_file(), f"{path}: no such module (renamed?)"
    flows = sorted(
        path.relative_to(ROOT).as_posix() for path in (ROOT / "framework/flows").rglob("*.py")
    )
    assert not set(tool.SERVER_TURN) & set(flows)
    assert sorted([*tool.compiled(), *tool.EXCLUDED]) == sorted([*flows, *tool.SERVER_TURN])


def test_mypyc_attr_leaves_a_class_as_it_is() -> None:
    class Plain(list[int]):
        pass

    assert mypyc_attr(native_class=False)(Plain) is Plain
