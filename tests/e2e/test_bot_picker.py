"""The main job's first page: `make run` serves the workspace's four bots, and "/" lists them
(the pizzeria, the help desk, the nail studio, the airline), each a link to its chat. In Debian's
Chromium at phone and desktop size, with an axe-core audit; the nail studio's chat then books
as a customer would start."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import ARTIFACTS, PHONE, running_theke
from tests.e2e.test_agent_inbox import DESKTOP, audit

try:
    from playwright.sync_api import Browser, expect
except ImportError as error:  # a clear failure, never a skip
    raise ImportError("tests/e2e need Playwright for Python (pip install -e '.[dev]')") from error

NAMES = ["Pizzeria Napoli", "PC-Hilfe Neukölln", "Nagelstudio Lina", "Spree Air"]


@pytest.fixture(scope="module")
def workspace_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`theke run flows.yaml`: the repository's own workspace, as `make run` serves it."""
    folder = tmp_path_factory.mktemp("workspace-server")
    with running_theke(folder, bot="../flows.yaml") as url:
        yield url


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_first_page_lists_every_bot_and_passes_axe(
    browser: Browser, workspace_server: str, size: str
) -> None:
    context = browser.new_context(viewport=DESKTOP if size == "desktop" else PHONE, locale="de-DE")
    try:
        page = context.new_page()
        page.goto(workspace_server)
        expect(page.get_by_role("heading", level=1)).to_have_text("Chats")
        for name in NAMES:
            expect(page.get_by_role("link", name=name)).to_be_visible()
        audit(page, f"bot picker ({size})")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"bot-picker-{size}.png"), full_page=True)
        page.get_by_role("link", name="Nagelstudio Lina").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Nagelstudio Lina")
        page.wait_for_load_state()  # the chat's deferred script, which sends on Enter, has run
        box = page.get_by_label("Nachricht", exact=True)
        box.fill("Maniküre am Freitag nachmittag bei Anna")
        box.press("Enter")
        expect(page.get_by_text("Für Maniküre hätte ich", exact=False)).to_be_visible()
    finally:
        context.close()
