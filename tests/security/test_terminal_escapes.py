"""Finding 9: `theke orders` prints what customers wrote (order lines, a delivery address) on
the business's terminal. The attack: an order whose stored texts carry terminal escape
sequences (retitle the window, clear the screen, the one-byte CSI), a right-to-left override, a
lone surrogate and a megabyte of text. Before: `list`, `show` and `--json` ended in a
UnicodeEncodeError traceback, and `cancel` cancelled the order, then crashed (exit 1) instead of
saying so; escape sequences reached the terminal raw.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from framework.orders import Order
from framework.stores.sqlite.orders import SqliteOrders
from framework.terminal import printable
from tests.test_orders_cli import workspace

HOSTILE_NAME = "Ticket \x1b]0;pwned\x07\x1b[2J"
HOSTILE_ADDRESS = "Weg 1 \ud800 \x9b31m rot \u202eeno\x00" + "x" * 1_000_000
UNSAFE = ("\x1b", "\x07", "\x9b", "\u202e", "\x00", "\ud800")


@pytest.fixture
async def hostile_order(tmp_path: Path) -> Path:
    workspace(tmp_path)
    orders = await SqliteOrders.open(tmp_path / "state.db")
    now = time.time()
    await orders.create(
        Order(
            id="hostile",
            bot="till",
            session="till:rest:\x1b[31mada",
            currency="EUR",
            lines=({"name": HOSTILE_NAME, "quantity": 1, "unit": 100, "total": 100},),
            total=100,
            created_at=now,
            expires_at=now + 3600,
            customer={"name": "\x1b[8mhidden"},
            delivery={"address": HOSTILE_ADDRESS, "note\x1b[1m": "bitte klingeln"},
        )
    )
    await orders.close()
    return tmp_path


def theke_orders(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command in its own process, its output bytes read as a terminal shows them."""
    return subprocess.run(
        [sys.executable, "-m", "framework.cli", "orders", *args, "-w", str(folder)],
        capture_output=True,
        encoding="utf-8",
        errors="surrogateescape",
        check=False,
    )


def assert_safe(output: str) -> None:
    for unsafe in UNSAFE:
        assert unsafe not in output, repr(unsafe)


@pytest.mark.parametrize(
    "args",
    [("list",), ("show", "1001"), ("list", "--json"), ("show", "1001", "--json")],
    ids=["list", "show", "list-json", "show-json"],
)
def test_stored_text_cannot_drive_the_terminal(hostile_order: Path, args: tuple[str, ...]) -> None:
    done = theke_orders(hostile_order, *args)
    assert (done.returncode, done.stderr) == (0, "")
    assert_safe(done.stdout)
    assert "\\u202e" in done.stdout  # shown, not obeyed
    if "--json" not in args:
        assert len(done.stdout) < 2_000  # a megabyte of address is cut, not printed


def test_json_reads_back_to_the_stored_text(hostile_order: Path) -> None:
    done = theke_orders(hostile_order, "show", "1001", "--json")
    order = json.loads(done.stdout)
    assert order["lines"][0]["name"] == HOSTILE_NAME
    assert order["delivery"]["address"] == HOSTILE_ADDRESS


def test_cancel_says_it_cancelled(hostile_order: Path) -> None:
    done = theke_orders(hostile_order, "cancel", "1001")
    assert (done.returncode, done.stderr) == (0, "")
    assert "– cancelled" in done.stdout
    assert_safe(done.stdout)
    again = theke_orders(hostile_order, "cancel", "1001")
    assert again.returncode == 1 and "it cannot be cancelled" in again.stderr


def test_printable_escapes_and_cuts() -> None:
    assert printable("a\x1b[2Jb\u202ec\ud800") == "a\\x1b[2Jb\\u202ec\\ud800"
    assert printable("Grüße 👋🏽 – 2× Salami") == "Grüße 👋🏽 – 2× Salami"
    assert printable("x" * 250) == "x" * 200 + "… (+50 characters)"
    assert printable(42) == "42"
