"""`theke contacts export|delete` against the workspace's SQLite file, after a customer of the
till bot bought and paid in the sandbox (as tests/test_orders_cli.py): the export shows the
conversation and the order, the delete needs --yes, erases the conversation and keeps the order
with its personal fields pseudonymised; afterwards no row of the file names the customer."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from framework.cli import main
from tests.test_orders_cli import KEY, Shop, paid_order, shop

__all__ = ["shop"]


async def contacts(tmp_path: Path, *args: str) -> int:
    return await asyncio.to_thread(main, ["contacts", *args, "-w", str(tmp_path)])


def rows_naming(path: Path, text: str) -> list[str]:
    db = sqlite3.connect(str(path))
    try:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = [repr(row) for table in tables for row in db.execute(f"SELECT * FROM {table}")]
    finally:
        db.close()
    return [row for row in rows if text in row]


async def test_export_then_delete_leaves_the_order_without_the_customer(
    shop: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await paid_order(shop)
    await shop.heard()
    capsys.readouterr()
    assert await contacts(tmp_path, "export", str(KEY)) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["log"] and exported["session"] is not None
    [order] = exported["orders"]
    assert order["status"] == "paid" and order["customer"]["id"] == "ada"

    assert await contacts(tmp_path, "delete", str(KEY)) == 1
    assert "--yes" in capsys.readouterr().err
    assert await contacts(tmp_path, "export", "not-a-key") == 1
    assert "bot:channel:customer" in capsys.readouterr().err
    await shop.store.close()  # the server is stopped while the file is changed
    assert await contacts(tmp_path, "delete", str(KEY), "--yes") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["session"] == "deleted" and report["orders_pseudonymised"] == 1

    assert rows_naming(tmp_path / "state.db", str(KEY)) == []
    assert rows_naming(tmp_path / "state.db", '"id":"ada"') == []
    [kept] = rows_naming(tmp_path / "state.db", f"erased-{report['ref']}")
    assert '"status":"paid"' in kept and '"delivery":{}' in kept
