"""Issue 9, finding 18: the environment `make run` and `make test` build is locked, with hashes,
and can no longer bring in the aiohttp and Jinja2 releases with published security flaws.

Before: `pip install -e '.[dev,rasa]'` took whatever the index offered that day, aiohttp >= 3.9
and Jinja2 >= 3.1 included (request smuggling, zip bombs, sandbox breakouts).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
LOCKS = {"run": ROOT / "requirements" / "run.txt", "dev": ROOT / "requirements" / "dev.txt"}
FIXED = {"aiohttp": Version("3.14.4"), "jinja2": Version("3.1.6")}
"""The first releases with every published security fix (see pyproject.toml)."""

_PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^ \\]+)")


def pins(lock: Path) -> dict[str, tuple[Version, int]]:
    """Name → (pinned version, number of hashes) of a pip-compile lock."""
    found: dict[str, tuple[Version, int]] = {}
    name = ""
    for line in lock.read_text("utf-8").splitlines():
        if match := _PIN.match(line):
            name = canonicalize_name(match.group(1))
            found[name] = (Version(match.group(2)), 0)
        elif line.strip().startswith("--hash=sha256:") and name:
            version, hashes = found[name]
            found[name] = (version, hashes + 1)
    return found


def declared(*extras: str) -> list[Requirement]:
    optional = PROJECT["optional-dependencies"]
    return [
        Requirement(r)
        for r in (*PROJECT["dependencies"], *(r for e in extras for r in optional[e]))
    ]


@pytest.mark.parametrize(("lock", "extras"), [("run", ()), ("dev", ("dev", "rasa", "fast"))])
def test_every_dependency_is_pinned_with_hashes(lock: str, extras: tuple[str, ...]) -> None:
    locked = pins(LOCKS[lock])
    assert all(hashes for _version, hashes in locked.values()), "a pin without its hashes"
    for requirement in declared(*extras):
        version, _ = locked[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version, prereleases=True), (requirement, version)


@pytest.mark.parametrize("name", sorted(FIXED))
def test_no_release_with_a_published_flaw_can_be_installed(name: str) -> None:
    [requirement] = [r for r in declared() if canonicalize_name(r.name) == name]
    assert not requirement.specifier.contains(_before(FIXED[name]))
    for lock in LOCKS.values():
        assert pins(lock)[name][0] >= FIXED[name]


def _before(version: Version) -> Version:
    """The release just before `version` (3.14.4 → 3.14.3)."""
    major, minor, micro = version.release[:3]
    return Version(f"{major}.{minor}.{micro - 1}")


def test_make_run_and_make_test_install_from_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert "pip install --quiet --require-hashes -r $(LOCK)" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile
    assert re.search(r"^LOCK := requirements/dev\.txt$", makefile, re.M)
    assert "-e '.[" not in makefile  # nothing resolved outside the lock
