"""`theke orders`: the business's side of orders, from the terminal.

It opens the workspace's stores (the same SQLite file or Redis the server uses) and acts as the
admin API does; news for a customer goes into their conversation's inbox, where the running
server picks it up within a moment.

Stored texts come from customers: each is printed through `printable` (escaped, cut), and
`--json` escapes every character outside ASCII, so no stored text can drive the terminal or
stop the command after it acted.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from framework.errors import ThekeError
from framework.money import Money, format_money
from framework.orders import Order, OrderError
from framework.payments.order_actions import act, order_json, parse_amount
from framework.payments.provider import ProviderError, RefundError
from framework.payments.setup import open_payments
from framework.stores.opening import open_orders, open_store
from framework.stores.order_store import OrderStore
from framework.stores.records import InboxItem
from framework.terminal import ascii_json, local_time, printable
from framework.workspace import Workspace, served_bot_name, workspace_for_command

__all__ = ["run_orders"]


def run_orders(args: argparse.Namespace) -> int:
    workspace = workspace_for_command(args.workspace)
    return asyncio.run(_orders(workspace, args))


async def _orders(workspace: Workspace, args: argparse.Namespace) -> int:
    bot = served_bot_name(workspace, args.bot)
    orders = await open_orders(workspace.store, workspace.root)
    try:
        if args.action == "list":
            statuses = frozenset(args.status.split(",")) if args.status else None
            found = await orders.list(bot, statuses, max(1, min(args.limit, 500)))
            _print_list(found, args.json)
            return 0
        order = await _find(orders, bot, args.number)
        if args.action != "show":
            order = await _act(workspace, orders, order, args)
        print(ascii_json(order_json(order)) if args.json else _details(order))
        return 0
    finally:
        await orders.close()


async def _act(
    workspace: Workspace, orders: OrderStore, order: Order, args: argparse.Namespace
) -> Order:
    store = await open_store(workspace.store, workspace.limits, workspace.root)

    async def notify(session: str, item: InboxItem) -> None:
        await store.enqueue(session, item)  # the server's next tick runs the turn

    payments = open_payments(workspace, orders, notify)
    try:
        amount = parse_amount(args.amount, order.currency) if args.action == "refund" else None
        if args.action != "refund" and args.amount is not None:
            raise ThekeError(f"{args.action} takes no amount")
        return await act(payments, order, args.action, amount)
    except (OrderError, RefundError, ProviderError) as error:
        raise ThekeError(str(error)) from None
    finally:
        await payments.provider.close()
        await store.close()


async def _find(orders: OrderStore, bot: str, number: str | None) -> Order:
    digits = (number or "").lstrip("#")
    if not digits.isdigit():
        raise ThekeError("name the order by its number, e.g. `theke orders show 1001`")
    order = await orders.find(bot, int(digits))
    if order is None:
        raise ThekeError(f"{bot} has no order #{digits}")
    return order


def _money(minor: int, order: Order) -> str:
    return format_money(Money(minor, order.currency), "en")


def _print_list(found: list[Order], as_json: bool) -> None:
    if as_json:
        print(ascii_json([order_json(o) for o in found]))
        return
    if not found:
        print("no orders")
    for order in found:
        where = order.delivery.get("address") or order.delivery.get("fulfilment") or ""
        print(
            f"#{order.number:<6} {printable(order.status):<17} {_money(order.total, order):>10}  "
            f"{printable(order.provider):<8} {local_time(order.created_at)}  {printable(where, 60)}"
        )


def _unmatched(entry: dict[str, Any]) -> str:
    money = format_money(Money(entry["amount"], entry["currency"]), "en")
    said = [printable(entry[key]) for key in ("provider", "checkout", "reason", "refund")]
    return f"  Unmatched payment {money} ({said[0]} {said[1]}): {said[2]}; refund: {said[3]}"


def _details(order: Order) -> str:
    rows = [f"Order #{order.number} ({printable(order.bot)}) – {printable(order.status)}"]
    rows += [
        f"  {printable(line['quantity'])}× {printable(line['name']):<40} "
        f"{_money(line['total'], order):>10}"
        for line in order.lines
    ]
    rows.append(f"  {'Total':<43} {_money(order.total, order):>10}")
    if order.refunded:
        rows.append(f"  {'Refunded':<43} {_money(order.refunded, order):>10}")
    rows += [
        f"  {printable(key)}: {printable(value)}" for key, value in order.delivery.items() if value
    ]
    rows += [_unmatched(entry) for entry in order.unmatched]
    rows += [
        f"  {local_time(step['at'])}  {printable(step['status'])} ({printable(step['by'])})"
        for step in order.history
    ]
    return "\n".join(rows)
