"""The agent inbox with a WhatsApp customer, in Chromium against the real server: `theke run`
with the WhatsApp channel pointed (through `api_base` and env: secrets) at the fake Graph API,
which runs in this test process on a free port. A WhatsApp customer in the middle of an order
(signed webhooks POSTed to the server) and a web chat customer both ask for a person; both join
the queue live; Anna and Ben open the WhatsApp conversation and both claim it at once (their two
requests are held until both are made, then let go together); exactly one holds it, the other
page says who does. The holder writes and the fake Graph API receives it for the customer's
number; the customer's next message appears in the transcript; handed back, the customer gets
the bot's open question again through the Graph API. axe-core on the open WhatsApp
conversation at desktop and phone size; screenshots in test-artifacts/.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import threading
import time
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.channels.test_whatsapp_channel import shown
from tests.e2e.conftest import PHONE, ROOT, _theke, running_theke
from tests.e2e.test_agent_inbox import DESKTOP, PASSWORD, audit, shot, sign_in
from tests.e2e.test_webchat import bot_messages, open_chat, write
from tests.fakes import webhooks as wa
from tests.fakes.graph_api import ACCESS_TOKEN, APP_SECRET, FakeGraphApi, SentMessage

T = TypeVar("T")
ENV = {"E2E_WA_SECRET": APP_SECRET, "E2E_WA_VERIFY": "verify-me", "E2E_WA_TOKEN": ACCESS_TOKEN}
NUMBER = wa.CUSTOMER.wa_id
CLAIM = re.compile(r"/claim$")


class GraphInAThread:
    """The fake Graph API on an event loop of its own: Playwright's sync API keeps one running
    in the test's thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.graph = FakeGraphApi()
        self.run(self.graph.start())

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=20)

    def write(self, server: str, text: str) -> None:
        """The customer writes: a signed webhook to the server, answered at once."""
        delivery = self.run(self.graph.post_messages(f"{server}/webhooks/whatsapp", wa.text(text)))
        assert delivery.ok, delivery

    def said(self, text: str, times: int = 1) -> list[SentMessage]:
        """What reached the fake for the customer's number with `text`, once it has `times`."""
        deadline = time.monotonic() + 15
        while True:
            found = [s for s in list(self.graph.sent) if s.to == NUMBER and text in shown(s)]
            if len(found) >= times:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r}: {[shown(s) for s in self.graph.sent]}")
            time.sleep(0.05)

    def stop(self) -> None:
        self.run(self.graph.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()


def _workspace(folder: Path, graph: FakeGraphApi) -> Path:
    number = graph.business.phone_number_id
    workspace = folder / "flows.yaml"
    workspace.write_text(
        f"version: 1\nbots: [{ROOT / 'bots' / 'pizza'}]\n"
        f"store: sqlite:///{folder / 'state.db'}\n"
        "channels:\n  whatsapp:\n    app_secret: env:E2E_WA_SECRET\n"
        "    verify_token: env:E2E_WA_VERIFY\n    token: env:E2E_WA_TOKEN\n"
        f"    api_base: {graph.url}\n    recipient_interval: 0\n"
        f'    numbers:\n      "{number}": {{bot: pizza}}\n',
        encoding="utf-8",
    )
    return workspace


@pytest.fixture(scope="module")
def whatsapp_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, GraphInAThread]]:
    """The pizza server with WhatsApp on the fake Graph API; the agents anna and ben."""
    folder = tmp_path_factory.mktemp("inbox-whatsapp")
    fake = GraphInAThread()
    try:
        workspace = _workspace(folder, fake.graph)
        for name in ("anna", "ben"):
            added = subprocess.run(
                [_theke(), "agents", "add", name, "--password-stdin", "-w", str(workspace)],
                input=PASSWORD,
                capture_output=True,
                text=True,
                check=False,
            )
            assert added.returncode == 0, added.stderr
        with running_theke(folder, workspace=workspace, env=ENV) as url:
            yield url, fake
    finally:
        fake.stop()


def _open_whatsapp(page: Page) -> None:
    row = page.locator("#lists .row__link").filter(has_text="whatsapp")
    expect(row).to_contain_text("in the queue")
    row.click()
    expect(page.get_by_role("button", name="Claim")).to_be_visible()


def _claim_together(anna: Page, ben: Page) -> None:
    """Both click Claim; both requests are held until both are made, then go on together."""
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    for page in (anna, ben):
        page.route(CLAIM, hold)
    for page in (anna, ben):
        page.get_by_role("button", name="Claim").click(no_wait_after=True)
    deadline = time.monotonic() + 10
    while len(held) < 2:
        assert time.monotonic() < deadline, f"{len(held)} claim(s) made"
        anna.wait_for_timeout(20)
    for route in held:
        route.continue_()
    for page in (anna, ben):
        page.unroute(CLAIM, hold)


def _holders_once_settled(anna: Page, ben: Page) -> list[int]:
    """Which pages show the composer, once one does: the loser's page says "Taken by" as soon
    as the winner's claim is broadcast, which can be before the winner's own page has drawn it."""
    composers = [page.get_by_label("Message to the customer") for page in (anna, ben)]
    deadline = time.monotonic() + 10
    while True:
        holders = [n for n, composer in enumerate(composers) if composer.count() == 1]
        if holders or time.monotonic() > deadline:
            return holders
        anna.wait_for_timeout(50)


def test_two_agents_race_for_a_whatsapp_customer_and_the_bot_resumes(
    whatsapp_server: tuple[str, GraphInAThread], browser: Browser
) -> None:
    server, fake = whatsapp_server
    errors: list[str] = []
    contexts = [browser.new_context(viewport=DESKTOP, locale="de-DE") for _ in range(3)]
    try:
        for context in contexts:
            context.set_default_timeout(15_000)
        anna, ben = (
            sign_in(contexts[n], server, errors, who) for n, who in enumerate(("anna", "ben"))
        )
        fake.write(server, "2 Salami bitte")
        fake.said("Welche Größe")
        fake.write(server, "Ich möchte mit einem Menschen sprechen")
        chat = open_chat(contexts[2], server, errors)
        write(chat, "Ich möchte mit einem Menschen sprechen")
        expect(bot_messages(chat, "Mitarbeiter")).to_have_count(1)
        fake.said("Warteschlange")
        for page in (anna, ben):  # live: both joined the open pages' queue
            expect(page.locator("#lists .row__link").filter(has_text="in the queue")).to_have_count(
                2
            )
        shot(anna, "inbox-whatsapp-queue-desktop")
        for page in (anna, ben):
            _open_whatsapp(page)

        _claim_together(anna, ben)
        expect(anna.get_by_text(re.compile("Taken by|You hold")).first).to_be_visible()
        expect(ben.get_by_text(re.compile("Taken by|You hold")).first).to_be_visible()
        holders = _holders_once_settled(anna, ben)
        assert len(holders) == 1, holders
        holder, other = (anna, ben) if holders == [0] else (ben, anna)
        name = ("anna", "ben")[holders[0]]
        expect(other.get_by_text(f"Taken by {name}").first).to_be_visible()
        expect(other.get_by_label("Message to the customer")).to_have_count(0)
        shot(other, "inbox-whatsapp-taken-desktop")
        fake.said(f"{name} ist jetzt für dich da.")

        composer = holder.get_by_label("Message to the customer")
        composer.fill("Hallo, ich helfe dir gern.")
        holder.get_by_role("button", name="Send").click()
        expect(composer).to_have_value("")
        [sent] = fake.said("Hallo, ich helfe dir gern.")
        assert sent.payload["type"] == "text" and sent.to == NUMBER
        fake.write(server, "Ist die Salami scharf?")
        said = holder.locator("#transcript .line--customer").filter(has_text="Salami scharf")
        expect(said).to_have_count(1)  # live, within the hub's poll
        audit(holder, "a held WhatsApp conversation (desktop)")
        shot(holder, "inbox-whatsapp-held-desktop")
        holder.set_viewport_size(PHONE)
        audit(holder, "a held WhatsApp conversation (phone)")
        shot(holder, "inbox-whatsapp-held-phone")
        holder.set_viewport_size(DESKTOP)

        holder.get_by_role("button", name="Return to bot").click()
        expect(holder.get_by_text("Not waiting for a person")).to_be_visible()
        fake.said("wieder mit dem Bot")
        fake.said("Welche Größe", times=2)  # the order goes on where it stopped
        shot(holder, "inbox-whatsapp-returned-desktop")
    finally:
        for context in contexts:
            context.close()
    assert errors == []
