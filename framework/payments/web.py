"""HTTP routes of payments: provider webhooks, the sandbox checkout page, the return page and
the business's admin API for orders.

A webhook is answered 200 once it is applied (or was applied before), 400 when it is not from
the provider (nothing changes), and 503 when the provider could not be asked: the provider then
retries, and the reconciler covers a retry that never comes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import cache
from typing import Any

import jinja2
from aiohttp import web

from framework.admin import admin_bot, authorize, page_limit, whole_number
from framework.channels.common import json_object
from framework.edge.headers import nonce
from framework.errors import BadRequest, NotFound
from framework.flows import Bot
from framework.money import Money, format_money
from framework.orders import Order, OrderError
from framework.payments.order_actions import ACTIONS, act, order_json, parse_amount
from framework.payments.provider import ProviderError, RefundError
from framework.payments.sandbox import SandboxProvider
from framework.payments.service import Payments

__all__ = ["PAYMENTS", "add_payment_routes"]

log = logging.getLogger("theke.payments")

PAYMENTS = web.AppKey("payments", Payments)
PAYMENT_BOTS = web.AppKey("payment_bots", dict)


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("framework.payments", "templates"), autoescape=True
    )


WEBHOOK_BUDGET = 5.0
"""Seconds a webhook may take before it is answered 202 and finished in the background:
providers want a quick answer, and the reconciler covers work that then fails."""
_UNFINISHED: set[asyncio.Task[str]] = set()


async def webhook(request: web.Request) -> web.Response:
    payments = request.app[PAYMENTS]
    body = await request.read()
    work = asyncio.ensure_future(payments.webhook(body, request.headers))
    try:
        outcome = await asyncio.wait_for(asyncio.shield(work), WEBHOOK_BUDGET)
    except TimeoutError:
        _UNFINISHED.add(work)
        work.add_done_callback(_finished)
        return web.json_response({"received": True, "outcome": "pending"}, status=202)
    except ProviderError as error:
        log.warning("webhook not applied yet", extra={"error": str(error)})
        return web.json_response({"error": "try again later"}, status=503)
    return web.json_response({"received": True, "outcome": outcome})


def _finished(work: asyncio.Task[str]) -> None:
    _UNFINISHED.discard(work)
    if not work.cancelled() and work.exception() is not None:
        log.warning("webhook finished late with an error", extra={"error": str(work.exception())})


# The sandbox checkout --------------------------------------------------------------------------
def _sandbox(request: web.Request) -> SandboxProvider:
    provider = request.app[PAYMENTS].provider
    if not isinstance(provider, SandboxProvider):
        raise NotFound("payments go through the real provider here")
    return provider


async def checkout_page(request: web.Request) -> web.Response:
    sandbox = _sandbox(request)
    try:
        record = await sandbox.record(request.match_info["checkout"])
    except ProviderError:
        raise NotFound("no such payment request") from None
    business = record.delivery.get("business", "")
    bot = request.app[PAYMENT_BOTS].get(business)
    locale = bot.business.locale if bot else "en"
    money = _formatter(record.currency, locale)
    html = (
        _templates()
        .get_template("checkout.html")
        .render(
            record=record,
            lines=[{**line, "total_text": money(line["total"])} for line in record.lines],
            taxes=[{**tax, "amount_text": money(int(tax["amount"]))} for tax in record.taxes],
            total=money(record.total),
            business=bot.business.name if bot else business,
            lang=locale.split("-")[0],
            return_url=record.delivery.get("return_url", "/"),
            nonce=nonce(request),
        )
    )
    return web.Response(text=html, content_type="text/html")


async def checkout_answer(request: web.Request) -> web.Response:
    sandbox = _sandbox(request)
    form = await request.post()
    decision = form.get("decision")
    if decision not in ("pay", "decline"):
        raise BadRequest("decision must be pay or decline")
    checkout = request.match_info["checkout"]
    try:
        record = await sandbox.pay(checkout, approve=decision == "pay")
    except (ProviderError, OrderError):
        raise web.HTTPSeeOther(f"/pay/{checkout}") from None
    raise web.HTTPSeeOther(str(record.delivery.get("return_url", "/")))


async def returned_page(request: web.Request) -> web.Response:
    """Where the provider sends the customer back: the answer is in the chat, not here. The
    page names only the shop's chat, so its address gives a stranger nothing about any order."""
    bot = request.app[PAYMENT_BOTS].get(request.match_info["bot"])
    if bot is None:
        raise NotFound("no such shop")
    html = (
        _templates()
        .get_template("returned.html")
        .render(business=bot.business.name, chat=f"/chat/{bot.name}", nonce=nonce(request))
    )
    return web.Response(text=html, content_type="text/html")


def _formatter(currency: str, locale: str) -> Callable[[int], str]:
    return lambda minor: format_money(Money(minor, currency), locale)


# The admin API -----------------------------------------------------------------------------------
async def list_orders(request: web.Request) -> web.Response:
    authorize(request)
    bot = admin_bot(request, request.query.get("bot"))
    status = request.query.get("status")
    limit = page_limit(request.query.get("limit", "50"))
    statuses = frozenset(status.split(",")) if status else None
    orders = await request.app[PAYMENTS].orders.list(bot, statuses, limit)
    return web.json_response({"orders": [order_json(order) for order in orders]})


async def show_order(request: web.Request) -> web.Response:
    authorize(request)
    return web.json_response(order_json(await _order(request)))


async def change_order(request: web.Request) -> web.Response:
    authorize(request)
    action = request.match_info["action"]
    if action not in ACTIONS:
        raise BadRequest(f"unknown action {action!r}: {', '.join(ACTIONS)}")
    order = await _order(request)
    body: dict[str, Any] = await json_object(request) if request.body_exists else {}
    amount = parse_amount(body.get("amount"), order.currency)
    try:
        changed = await act(request.app[PAYMENTS], order, action, amount)
    except (OrderError, RefundError) as error:
        return web.json_response({"error": str(error)}, status=409)
    except ProviderError as error:
        return web.json_response({"error": str(error)}, status=503)
    return web.json_response(order_json(changed))


async def _order(request: web.Request) -> Order:
    bot = admin_bot(request, request.match_info["bot"])
    number = request.match_info["number"].lstrip("#")
    wanted = whole_number(number, "an order number")
    order = None if wanted is None else await request.app[PAYMENTS].orders.find(bot, wanted)
    if order is None:
        raise NotFound(f"no order #{number} of {bot}")
    return order


def add_payment_routes(app: web.Application, bots: dict[str, Bot]) -> None:
    app[PAYMENT_BOTS] = bots
    router = app.router
    router.add_post("/payments/webhook", webhook)
    router.add_get("/pay/{checkout}", checkout_page)
    router.add_post("/pay/{checkout}", checkout_answer)
    router.add_get("/paid/{bot}", returned_page)
    router.add_get("/admin/orders", list_orders)
    router.add_get("/admin/orders/{bot}/{number}", show_order)
    router.add_post("/admin/orders/{bot}/{number}/{action}", change_order)
