"""End-to-end fixtures: the real server as a subprocess and Debian's Chromium through Playwright.

The server is `theke run bots/pizza` on a free port with a SQLite store in a temporary folder and
a fixed clock (a Friday evening, so the pizzeria is open). The browser is /usr/bin/chromium
(`apt-get install chromium`): Playwright's own browser downloads are never used. Nothing here
skips: a missing browser or server fails the tests with the reason.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.runtime.processes import free_port, stop_process

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
OPEN_NOW = "2026-11-27T19:00+01:00"  # a Friday evening: the pizzeria is open
CHROMIUM = os.environ.get("THEKE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 640}
TIMEOUT_MS = 15_000
"""How long a page action and an `expect` wait (Playwright's `expect` has 5 s of its own, which
a live update missed once on a machine busy with parallel test processes)."""


def _theke() -> str:
    beside = Path(sys.executable).with_name("theke")
    found = str(beside) if beside.exists() else shutil.which("theke")
    if found is None:
        pytest.fail("the `theke` command is not installed: pip install -e '.[dev]'")
    return found


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def running_theke(
    folder: Path,
    bot: str = "pizza",
    now: str = OPEN_NOW,
    workspace: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """`theke run bots/<bot>` (or the `workspace` flows.yaml, with `env` added to the
    environment) on a free port with the SQLite store `folder`/state.db (kept if it is there)
    and its clock started at `now`; its base URL until the block ends."""
    port = free_port()
    command = [
        _theke(),
        "run",
        str(workspace or ROOT / "bots" / bot),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--store",
        f"sqlite:///{folder / 'state.db'}",
        "--now",
        now,
    ]
    url = f"http://127.0.0.1:{port}"
    with (folder / "server.log").open("w+b") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        try:
            deadline = time.monotonic() + 30
            while not _healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    output = log.read().decode(errors="replace")
                    pytest.fail(f"the server did not start: {' '.join(command)}\n{output}")
                time.sleep(0.1)
            yield url
        finally:
            stop_process(process)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a real `theke run bots/pizza`, stopped after the session."""
    with running_theke(tmp_path_factory.mktemp("webchat-server")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, driven by Playwright for Python.

    Module-scoped on purpose: while the sync API is alive its event loop counts as running in
    this thread, which would break the pytest-asyncio tests of other modules.
    """
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        pytest.fail("tests/e2e need Playwright for Python: pip install -e '.[dev]'")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"tests/e2e need Chromium at {CHROMIUM}: apt-get install -y chromium "
            "(or set THEKE_CHROMIUM); never `playwright install`"
        )
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh phone-sized browser context (its own storage, so its own customer id)."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="de-DE")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@contextlib.contextmanager
def sized_context(browser: Browser, viewport: Mapping[str, int]) -> Iterator[BrowserContext]:
    """A fresh German browser context of `viewport` with the tests' timeout (TIMEOUT_MS)."""
    context = browser.new_context(viewport=dict(viewport), locale="de-DE")  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
