"""Build the compiled engine: framework/flows/ and the server turn's modules through mypyc,
into build/compiled/.

    .venv/bin/python tools/mypyc_build.py          (or `make fast`; ~1.5 min on two cores)
    .venv/bin/python tools/mypyc_build.py --opt-level 1 --out build/identity   (`make test`'s)
    PYTHONPATH=build/compiled .venv/bin/python benchmarks/engine.py
    PYTHONPATH=build/compiled .venv/bin/theke run

Copies framework/ to build/compiled/framework/ and compiles there, in place, every module of
framework/flows/ but those of EXCLUDED, and those of SERVER_TURN; the working tree and the
editable install are not touched, so an edited .py file is never shadowed by a stale extension
module (the copy is made anew at every build: rebuild after editing). With build/compiled on
PYTHONPATH, `framework` is imported from the copy: its compiled modules as extension modules,
the rest as Python. The working tree's framework/ comes first where the current folder is on
sys.path (`python -c`, `python -m` run from the repository's root): run scripts or .venv/bin
commands.

Its C files are compiled one per core at a time (distutils compiles one extension's files one
after the other): 154 s → 93 s for the whole build on two cores (benchmarks/README.md,
2026-12-07 midday). Needs mypy (mypyc ships with it: the dev environment) and a C compiler;
the build runs with the same Python (3.11: the extension modules are for one version) and
needs neither mypy nor mypy_extensions to run. benchmarks/compiled_identity.py checks it
against pure Python.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "compiled"
FLOWS = ROOT / "framework" / "flows"

EXCLUDED: dict[str, str] = {
    "framework/flows/language/yaml_loader.py": "subclasses of dict, list and str (positions)",
    "framework/flows/templates.py": "jinja2's pass_context sets an attribute on the function",
    "framework/flows/steps.py": "a compiled dataclass takes a ClassVar (keyword) for a field",
}
"""Modules of framework/flows/ left interpreted, each with the reason."""

SERVER_TURN: tuple[str, ...] = (
    "framework/runtime/turns.py",
    "framework/runtime/turn_writes.py",
    "framework/runtime/inbox_events.py",
    "framework/runtime/admission.py",
    "framework/runtime/ratelimit.py",
    "framework/channels/rest.py",
    "framework/channels/common.py",
    "framework/stores/memory/sessions.py",
    "framework/stores/json_text.py",
    "framework/stores/records.py",
)
"""Modules outside the engine that every REST turn of the server runs through (its turn, the
REST channel, the memory store, the stores' JSON and records), compiled too: 6 % fewer
instructions a server turn (benchmarks/README.md, 2026-12-07). Not framework/edge/: aiohttp's
`web.middleware` sets an attribute on the function, which a compiled function does not take."""


def compiled() -> list[str]:
    """The modules to compile, as paths from the repository's root."""
    paths = (path.relative_to(ROOT).as_posix() for path in FLOWS.rglob("*.py"))
    return sorted([*(path for path in paths if path not in EXCLUDED), *SERVER_TURN])


SETUP = """\
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from distutils import ccompiler

from setuptools import setup
from mypyc.build import mypycify


def compile_in_parallel(self, sources, output_dir=None, macros=None, include_dirs=None,
                        debug=False, extra_preargs=None, extra_postargs=None, depends=None):
    # distutils' CCompiler.compile, its C files compiled one per core instead of one by one
    macros, objects, extra_postargs, pp_opts, build = self._setup_compile(
        output_dir, macros, include_dirs, sources, depends, extra_postargs
    )
    cc_args = self._get_cc_args(pp_opts, debug, extra_preargs)

    def compile_one(obj):
        src, ext = build[obj]
        self._compile(obj, src, ext, cc_args, extra_postargs, pp_opts)

    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        list(pool.map(compile_one, [obj for obj in objects if obj in build]))
    return objects


ccompiler.CCompiler.compile = compile_in_parallel
setup(
    name="theke-compiled",
    ext_modules=mypycify(sys.argv.pop(1).split(","), opt_level=sys.argv.pop(1), multi_file=True),
    script_args=sys.argv[1:],
)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--opt-level", default="3", help="the C compiler's, 0-3 (0 builds fastest)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"the build's folder ({OUT})")
    args = parser.parse_args()
    out = args.out.resolve()
    started = time.monotonic()
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(
        ROOT / "framework",
        out / "framework",
        ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.c"),
    )
    modules = compiled()
    (out / "setup.py").write_text(SETUP, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "setup.py",
            ",".join(modules),
            args.opt_level,
            "build_ext",
            "--inplace",
        ],
        cwd=out,
        check=False,
    )
    print(f"{len(modules)} modules compiled in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
