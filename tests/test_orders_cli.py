"""`theke orders` against the workspace's SQLite file, as a business uses it while the server
runs: list, show, accept, dispatch, deliver, refund, cancel, and what the customer hears."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import pytest

from framework.cli import main
from framework.flows import load_bot
from framework.payments.sandbox import SandboxProvider
from framework.payments.service import Payments
from framework.runtime.turns import Runtime
from framework.stores.records import InboxItem, SessionKey, StoreLimits, iso_time
from framework.stores.sqlite.orders import SqliteOrders
from framework.stores.sqlite.sessions import SqliteStore

TILL = Path(__file__).parent / "runtime" / "bots" / "till"
KEY = SessionKey("till", "rest", "ada")


def workspace(folder: Path) -> Path:
    (folder / "flows.yaml").write_text(
        f"version: 1\nbots: [{TILL}]\nstore: sqlite:///state.db\n", encoding="utf-8"
    )
    return folder


class Shop:
    """What the server would do: a conversation that buys, and the sandbox that takes the money."""

    def __init__(self, store: SqliteStore, orders: SqliteOrders) -> None:
        self.store = store
        self.runtime = Runtime(store, {"till": load_bot(TILL)})
        self.sandbox = SandboxProvider(orders, "secret", "http://shop.test")

        async def notify(session: str, item: InboxItem) -> None:
            await store.enqueue(session, item)

        self.payments = Payments(orders, self.sandbox, notify, public_url="http://shop.test")
        self.runtime.payments = self.payments

    async def say(self, text: str) -> None:
        await self.runtime.submit(
            KEY, InboxItem.message(uuid.uuid4().hex, iso_time(time.time()), text)
        )

    async def heard(self) -> list[str]:
        await self.runtime.tick()  # what the server's background loop does
        log = await self.store.log(str(KEY), 0, 200)
        return [entry["text"] for entry in log if entry["from"] == "bot"]


@pytest.fixture
async def shop(tmp_path: Path) -> Shop:
    workspace(tmp_path)
    store = await SqliteStore.open(str(tmp_path / "state.db"), StoreLimits())
    orders = await SqliteOrders.open(tmp_path / "state.db")
    shop = Shop(store, orders)
    yield shop  # type: ignore[misc]
    await orders.close()
    await store.close()


async def paid_order(shop: Shop) -> None:
    await shop.say("buy")
    await shop.say("2")
    [order] = await shop.payments.orders.list("till")
    assert order.checkout is not None
    await shop.sandbox.pay(order.checkout, approve=True)
    await shop.payments.apply(order, await shop.sandbox.read(order.checkout))


async def orders(tmp_path: Path, *args: str) -> int:
    """The command, on its own thread and event loop as in its own process."""
    return await asyncio.to_thread(main, ["orders", *args, "-w", str(tmp_path)])


async def test_list_show_and_the_whole_delivery(
    shop: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await paid_order(shop)
    assert await orders(tmp_path, "list") == 0
    listed = capsys.readouterr().out
    assert listed.startswith("#1001   paid")
    assert "€26.00" in listed
    assert await orders(tmp_path, "show", "1001") == 0
    shown = capsys.readouterr().out
    assert "2× Ticket" in shown and "Booking fee" in shown and "€26.00" in shown
    for action, told in [
        ("accept", "Good news: your order #1001 has been accepted and is being prepared."),
        ("dispatch", "Your order #1001 is on its way!"),
        ("deliver", "Your order #1001 has been delivered. Enjoy!"),
    ]:
        assert await orders(tmp_path, action, "1001") == 0
        assert (await shop.heard())[-1] == told
    assert await orders(tmp_path, "list", "--status", "delivered", "--json") == 0
    assert '"status": "delivered"' in capsys.readouterr().out


async def test_refund_part_then_cancel_refunds_the_rest(
    shop: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await paid_order(shop)
    assert await orders(tmp_path, "refund", "1001", "30") == 1
    assert "at most 26.00 EUR" in capsys.readouterr().err
    assert await orders(tmp_path, "refund", "1001", "6") == 0
    assert "Refunded" in capsys.readouterr().out
    assert await orders(tmp_path, "cancel", "1001") == 0
    [order] = await shop.payments.orders.list("till")
    assert (order.status, order.refunded) == ("cancelled", 2600)
    assert (await shop.heard())[-1].startswith("Your order #1001 has been cancelled.")


async def test_bad_input_is_a_clear_error(
    shop: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await paid_order(shop)
    for args, message in [
        (("show",), "name the order by its number"),
        (("show", "abc"), "name the order by its number"),
        (("show", "999"), "has no order #999"),
        (("accept", "1001", "5"), "takes no amount"),
        (("refund", "1001", "-3"), "more than nothing"),
        (("refund", "1001", "lots"), "not an amount"),
        (("list", "--bot", "nope"), "--bot is one of: till"),
    ]:
        assert await orders(tmp_path, *args) == 1, args
        assert message in capsys.readouterr().err, args
    assert await orders(tmp_path, "deliver", "1001") == 0
    assert await orders(tmp_path, "accept", "1001") == 1
    assert "it cannot become accepted" in capsys.readouterr().err


async def test_show_lists_unmatched_payments(
    shop: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A payment that was not the order's own request is on the business's screen."""
    await shop.say("buy")
    await shop.say("2")
    [order] = await shop.payments.orders.list("till")
    other = await shop.sandbox.create(order.changed(token="another-request"), "http://x")
    await shop.sandbox.pay(other.id, approve=True)
    await shop.payments.apply(order, await shop.sandbox.read(other.id))
    assert await orders(tmp_path, "show", "1001") == 0
    shown = capsys.readouterr().out
    assert "Order #1001 (till) – awaiting_payment" in shown
    assert (
        f"Unmatched payment €26.00 (sandbox {other.id}): not this order's payment request; "
        "refund: refunded"
    ) in shown
