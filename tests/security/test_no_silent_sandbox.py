"""Payments never fall back to the sandbox silently.

The attack: STRIPE_API_KEY is set but STRIPE_WEBHOOK_SECRET is missing (or the other way round),
Theke used to serve the free sandbox without a word, and one form POST marked an order paid.
Now a half-configured provider stops `theke run` with the missing setting named; wherever the
sandbox is in use it says so (the start-up line, /ready, its checkout page, `theke orders list`);
and it does not serve a public address unless `payments.provider: sandbox` is written.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.cli import main
from framework.flows import load_bot
from framework.orders import Order
from framework.payments.setup import PaymentSetupError, provider_name
from framework.payments.web import PAYMENTS
from framework.stores.memory.sessions import MemoryStore
from framework.stores.session_store import Store, StoreError
from framework.stores.sqlite.orders import SqliteOrders
from framework.workspace import PaymentSettings, Workspace, read_workspace
from tests.runtime.processes import free_port, stop_process

ROOT = Path(__file__).resolve().parents[2]
PIZZA = ROOT / "bots" / "pizza"
TILL = ROOT / "tests" / "runtime" / "bots" / "till"
COUNTER = ROOT / "tests" / "runtime" / "bots" / "counter"
API_KEY = "sk_test_only_the_key"
WEBHOOK_SECRET = "whsec_only_the_secret"
HALF_CONFIGURED = [
    pytest.param({"STRIPE_API_KEY": API_KEY}, "STRIPE_WEBHOOK_SECRET", id="key-without-secret"),
    pytest.param(
        {"STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET}, "STRIPE_API_KEY", id="secret-without-key"
    ),
]
BOTH = {"STRIPE_API_KEY": API_KEY, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET}
SANDBOX_LINE = "payments: sandbox — test payments, no money moves"


def workspace(tmp_path: Path, **settings: object) -> Workspace:
    return Workspace(root=tmp_path, bots=(COUNTER,), **settings)  # type: ignore[arg-type]


# The half-configured environment ---------------------------------------------------------------
@pytest.mark.parametrize(("environ", "missing"), HALF_CONFIGURED)
def test_one_stripe_key_without_the_other_names_the_missing_one(
    tmp_path: Path, environ: dict[str, str], missing: str
) -> None:
    with pytest.raises(PaymentSetupError) as raised:
        provider_name(workspace(tmp_path), environ)
    message = str(raised.value)
    assert f"but {missing} is not" in message
    assert "Set both to take payments with Stripe, or neither for the offline sandbox" in message
    assert API_KEY not in message and WEBHOOK_SECRET not in message  # names, never values


@pytest.mark.parametrize(
    ("environ", "missing"),
    [
        ({"STRIPE_API_KEY": API_KEY}, "needs STRIPE_WEBHOOK_SECRET: set it"),
        ({"STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET}, "needs STRIPE_API_KEY: set it"),
        ({}, "needs STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET: set them"),
    ],
)
def test_provider_stripe_names_each_missing_setting(
    tmp_path: Path, environ: dict[str, str], missing: str
) -> None:
    stripe = workspace(tmp_path, payments=PaymentSettings(provider="stripe"))
    with pytest.raises(PaymentSetupError, match=f"payments.provider: stripe {missing}"):
        provider_name(stripe, environ)


def test_both_keys_mean_stripe_and_neither_means_the_sandbox(tmp_path: Path) -> None:
    assert provider_name(workspace(tmp_path), BOTH) == "stripe"
    assert provider_name(workspace(tmp_path), {}) == "sandbox"


# `theke run` -----------------------------------------------------------------------------------
def write_flows(folder: Path, server: str = "{host: 127.0.0.1}", payments: str = "") -> Path:
    (folder / "flows.yaml").write_text(
        f"version: 1\nbots: [{COUNTER}]\nstore: memory://\nserver: {server}\n{payments}",
        encoding="utf-8",
    )
    return folder / "flows.yaml"


def environment(**variables: str) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "THEKE_"))}
    return {**kept, "PYTHONIOENCODING": "utf-8", "PYTHONUNBUFFERED": "1", **variables}


def theke_run(flows: Path, env: dict[str, str], *options: str) -> subprocess.CompletedProcess[str]:
    """`theke run` that must stop by itself; one that serves instead fails the test."""
    command = [sys.executable, "-m", "framework.cli", "run", str(flows), *options]
    try:
        return subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
        )
    except subprocess.TimeoutExpired as served:
        pytest.fail(f"theke run served instead of refusing to start: {served.stdout!r}")


@pytest.mark.parametrize(
    "options",
    [
        pytest.param([], id="one-process"),
        pytest.param(
            ["--workers", "2", "--store", "redis://127.0.0.1:6379/15"], id="supervised-workers"
        ),
    ],
)
@pytest.mark.parametrize(("environ", "missing"), HALF_CONFIGURED)
def test_theke_run_half_configured_exits_1_with_the_message(
    tmp_path: Path, environ: dict[str, str], missing: str, options: list[str]
) -> None:
    done = theke_run(write_flows(tmp_path), environment(**environ), "--port", "0", *options)
    assert done.returncode == 1
    assert done.stderr.startswith("theke: payments: ")
    assert f"but {missing} is not" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "Theke serves" not in done.stdout


# Behind a public address -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "public_url", ["https://pizza.example.com", "http://203.0.113.7:8080", "http://[2001:db8::1]"]
)
def test_auto_refuses_the_sandbox_on_a_public_address(tmp_path: Path, public_url: str) -> None:
    public = workspace(tmp_path, public_url=public_url)
    with pytest.raises(PaymentSetupError) as raised:
        provider_name(public, {})
    message = str(raised.value)
    assert public_url in message
    assert "Set STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET" in message
    assert "`payments: {provider: sandbox}`" in message


@pytest.mark.parametrize(
    "public_url",
    [None, "http://localhost:8080", "http://127.0.0.1:8080", "http://127.8.0.1", "http://[::1]/"],
)
def test_auto_keeps_the_sandbox_on_this_machine(tmp_path: Path, public_url: str | None) -> None:
    assert provider_name(workspace(tmp_path, public_url=public_url), {}) == "sandbox"


def test_a_written_provider_sandbox_accepts_test_payments_on_a_public_address(
    tmp_path: Path,
) -> None:
    flows = write_flows(
        tmp_path, "{public_url: https://pizza.example.com}", "payments: {provider: sandbox}\n"
    )
    chosen, problems = read_workspace(flows)
    assert chosen is not None, problems
    assert provider_name(chosen, {}) == "sandbox"
    assert provider_name(chosen, BOTH) == "sandbox"  # written on purpose: keys do not change it


def test_theke_run_refuses_a_public_sandbox(tmp_path: Path) -> None:
    flows = write_flows(tmp_path, "{host: 127.0.0.1, public_url: https://pizza.example.com}")
    done = theke_run(flows, environment(), "--port", "0")
    assert done.returncode == 1
    assert "must not serve customers at https://pizza.example.com" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


# What `theke run` says, and /ready -------------------------------------------------------------
@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        stop_process(process)
        if process.stdout is not None:
            process.stdout.close()


def start(
    processes: list[subprocess.Popen[str]], flows: Path, env: dict[str, str]
) -> tuple[str, str]:
    """The start-up line of a real `theke run`, and its base URL once /health answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "framework.cli", "run", str(flows), "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    processes.append(process)
    watchdog = threading.Timer(30, process.kill)
    watchdog.start()
    output = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if line.startswith("Theke serves"):
                break
    finally:
        watchdog.cancel()
    if not output or not output[-1].startswith("Theke serves"):
        pytest.fail(f"theke run did not start: {''.join(output)}")
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not _answers(f"{url}/health"):
        assert time.monotonic() < deadline, "theke run did not answer /health"
        time.sleep(0.05)
    return output[-1], url


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def ready(url: str) -> object:
    with urllib.request.urlopen(f"{url}/ready", timeout=5) as response:
        return json.load(response)


def test_the_start_up_line_and_ready_say_sandbox(
    tmp_path: Path, started: list[subprocess.Popen[str]]
) -> None:
    line, url = start(started, write_flows(tmp_path), environment())
    assert SANDBOX_LINE in line
    assert ready(url) == {"status": "ready", "payments": "sandbox"}


def test_a_sandbox_written_on_purpose_still_says_so_on_a_public_address(
    tmp_path: Path, started: list[subprocess.Popen[str]]
) -> None:
    flows = write_flows(
        tmp_path,
        "{host: 127.0.0.1, public_url: https://pizza.example.com}",
        "payments: {provider: sandbox}\n",
    )
    line, url = start(started, flows, environment())
    assert SANDBOX_LINE in line
    assert ready(url) == {"status": "ready", "payments": "sandbox"}


def test_the_start_up_line_and_ready_say_stripe(
    tmp_path: Path, started: list[subprocess.Popen[str]]
) -> None:
    env = environment(**BOTH, STRIPE_API_BASE="http://127.0.0.1:9")  # never called here
    line, url = start(started, write_flows(tmp_path), env)
    assert "payments: stripe)" in line and "sandbox" not in line
    assert ready(url) == {"status": "ready", "payments": "stripe"}


class UnreachableStore(MemoryStore):
    async def ping(self) -> None:
        raise StoreError("the store does not answer")


async def test_ready_names_the_provider_while_the_store_is_down(tmp_path: Path) -> None:
    async def opener() -> Store:
        return UnreachableStore()

    app = create_app(workspace(tmp_path), {"counter": load_bot(COUNTER)}, store=opener)
    async with TestClient(TestServer(app)) as client:
        answer = await client.get("/ready")
        assert answer.status == 503
        assert await answer.json() == {
            "status": "unavailable",
            "error": "the store does not answer",
            "payments": "sandbox",
        }


# The sandbox's checkout page --------------------------------------------------------------------
@pytest.fixture
async def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient]:
    for name in BOTH:
        monkeypatch.delenv(name, raising=False)
    bots = {bot.name: bot for bot in map(load_bot, (PIZZA, TILL))}
    app = create_app(Workspace(root=tmp_path, bots=(PIZZA, TILL), store="memory://"), bots)
    async with TestClient(TestServer(app)) as client:
        yield client


def an_order(bot: str) -> Order:
    now = time.time()
    line = {"kind": "item", "name": "Ticket", "quantity": 2, "unit": 1250, "total": 2500}
    return Order(
        id=f"ord_{bot}_{time.time_ns()}",
        bot=bot,
        session=f"{bot}:web:ada",
        currency="EUR",
        lines=(line,),
        total=2500,
        created_at=now,
        expires_at=now + 1800,
    )


async def checkout_page(shop: TestClient, bot: str) -> str:
    checkout = await shop.app[PAYMENTS].provider.create(an_order(bot), "http://127.0.0.1/")
    assert checkout.url is not None
    page = await shop.get(re.sub(r"^https?://[^/]+", "", checkout.url))
    assert page.status == 200
    return await page.text()


@pytest.mark.parametrize(
    ("bot", "title"),
    [
        ("pizza", "<title>Bezahlen (Testzahlung) – Pizzeria Napoli</title>"),
        ("till", "<title>Pay (test payment) – Till</title>"),
    ],
)
async def test_the_sandbox_page_is_marked_as_a_test_payment_in_german_and_english(
    shop: TestClient, bot: str, title: str
) -> None:
    html = await checkout_page(shop, bot)
    assert title in html
    assert '<p lang="de">Testzahlung – es wird kein echtes Geld bewegt.</p>' in html
    assert '<p lang="en">Test payment – no real money moves.</p>' in html


# `theke orders list` ----------------------------------------------------------------------------
def test_orders_list_shows_each_orders_provider(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "flows.yaml").write_text(
        f"version: 1\nbots: [{COUNTER}]\nstore: sqlite:///state.db\n", encoding="utf-8"
    )

    async def place() -> None:
        orders = await SqliteOrders.open(tmp_path / "state.db")
        try:
            for provider in ("stripe", "sandbox"):
                await orders.create(an_order("counter").changed(provider=provider))
        finally:
            await orders.close()

    asyncio.run(place())
    assert main(["orders", "list", "-w", str(tmp_path)]) == 0
    rows = sorted(capsys.readouterr().out.splitlines())
    assert [row.split()[:4] for row in rows] == [
        ["#1001", "awaiting_payment", "€25.00", "stripe"],
        ["#1002", "awaiting_payment", "€25.00", "sandbox"],
    ]
