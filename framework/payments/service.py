"""Payments: the one place where orders, the provider and conversations meet.

Exactly once, by construction rather than by luck:
- an order's id is derived from the conversation and the inbox item that asked for it, so a
  turn replayed after a crash asks for the same order, and the provider gets the same
  idempotency key (one checkout, never two charges);
- the order's status only moves forward (orders.py), written with compare-and-set, so two
  workers applying the same webhook cannot both apply it;
- the conversation hears of a status through an inbox item whose id is `order:<id>:<status>`:
  the inbox drops a second one, and `announced` (written after the item is queued) lets the
  reconciler repeat any announcement a crash cut short;
- webhooks are hints: the checkout is re-read from the provider before anything changes, so a
  forged, reordered or stale event can change nothing the provider does not confirm.

Money the customer paid for an order that ended meanwhile (they cancelled, or it expired, and a
delayed payment went through a moment later) is refunded in full automatically and the order
becomes "refunded"; the business sees it in `theke orders` and the customer is told.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from framework.errors import PaymentError
from framework.flows.events import OrderUpdate, PaymentRequest
from framework.flows.order_cancel import CANCEL_PAID, CANCELLABLE
from framework.logs import pseudonym
from framework.money import Money
from framework.orders import ANNOUNCED, Order, OrderError, can_move
from framework.payments.provider import (
    Checkout,
    Provider,
    ProviderError,
    RefundError,
    UnknownCheckout,
    WebhookError,
    order_status,
)
from framework.payments.sandbox import SANDBOX
from framework.runtime.delivery import business_inbox
from framework.stores.order_store import OrderStore
from framework.stores.records import NOTE, ORDER, InboxItem, iso_time

__all__ = ["EVENT_TTL", "PAYMENT_APPLIED", "OrderNews", "Payments", "order_id"]

log = logging.getLogger("theke.payments")

EVENT_TTL = 7 * 86_400.0
"""How long a webhook event id is remembered: longer than Stripe retries (about 3 days)."""
RECHECK_AFTER = 60.0
"""The reconciler re-reads an open request from the provider once it is this old."""

Notify = Callable[[str, InboxItem], Awaitable[None]]


class OrderNews(Protocol):
    """Where order changes go besides the conversation: the business's events (events/)."""

    async def publish(self, order: Order) -> None: ...

    async def refunded_part(self, order: Order, amount: int) -> None: ...


class _NoNews:
    async def publish(self, order: Order) -> None:
        """Nobody listens."""

    async def refunded_part(self, order: Order, amount: int) -> None:
        """Nobody listens."""


_ENDINGS = {"cancel": ("cancelled", "customer"), "expire": ("expired", "theke")}
"""The engine's requests that end a payment request at the provider: the status they leave."""
_ENDED = frozenset({"cancelled", "expired"})
"""An order that ended without payment: money that arrives for it anyway goes back."""
PAYMENT_APPLIED = "payment_applied"
"""The fault stage between an order's status change and telling its conversation."""


def order_id(session: str, item_id: str) -> str:
    """The order a turn asks for: the same turn, replayed, asks for the same order."""
    return "ord_" + hashlib.sha256(f"{session}\n{item_id}".encode()).hexdigest()[:24]


class Payments:
    def __init__(
        self,
        orders: OrderStore,
        provider: Provider,
        notify: Notify,
        *,
        public_url: str,
        clock: Callable[[], float] = time.time,
        fault: Callable[[str], None] | None = None,
        news: OrderNews | None = None,
    ) -> None:
        self.orders, self.provider = orders, provider
        """The provider of payment links and of /payments/webhook (sandbox or Stripe)."""
        self._news: OrderNews = news or _NoNews()
        """Told of every order change (idempotent): the business's events."""
        self.providers: dict[str, Provider] = {provider.name: provider}
        """Every provider orders may use, by name (an order keeps its provider's name)."""
        self.route: Callable[[str], str | None] = lambda session: None
        """The provider a conversation pays with, when not the default (Telegram invoices)."""
        self._notify, self._clock = notify, clock
        self._fault = fault or (lambda stage: None)
        self.public_url = public_url.rstrip("/")

    def add_provider(self, provider: Provider, route: Callable[[str], str | None]) -> None:
        """Another provider for the conversations `route` sends to it (by name)."""
        self.providers[provider.name] = provider
        self.route = route

    def provider_of(self, order: Order) -> Provider:
        return self.providers.get(order.provider, self.provider)

    # Requests from a conversation's turn ---------------------------------------------------
    async def perform(
        self, session: str, item_id: str, bot: str, request: PaymentRequest
    ) -> OrderUpdate:
        """Carry out the engine's request and say where the order stands (never raises for
        a provider or order problem: the conversation is told the payment is unavailable)."""
        now = self._clock()
        known = request.order
        if request.action == CANCEL_PAID:
            return await self._cancel_paid(session, request, now)
        try:
            if request.action == "start":
                order = await self._draft(session, item_id, bot, request)
                known = order.id
            else:
                order = await self._existing(request.order)
            ending = _ENDINGS.get(request.action)
            order, url = await self._check_or_cancel(order, ending)
        except (ProviderError, OrderError) as error:
            log.warning("payment request failed", extra={"error": str(error), "bot": bot})
            return OrderUpdate(known or "", "unavailable", _moment(now), request.origin)
        return _update(order, now, request.origin, url, self.provider_of(order).in_chat)

    async def _cancel_paid(self, session: str, request: PaymentRequest, now: float) -> OrderUpdate:
        """The customer cancels their paid order in the chat: cancelled and refunded like
        `theke orders cancel`, while the business has not accepted it; the answer says where
        the order stands either way."""
        try:
            order = await self._existing(request.order)
            if order.session != session:
                raise OrderError("the order is not this conversation's")
            if order.status in CANCELLABLE:
                order = await self.cancel(order, "customer")
        except PaymentError as error:
            log.warning("customer cancellation failed", extra={"error": str(error)})
            return OrderUpdate(request.order or "", "unavailable", _moment(now), CANCEL_PAID)
        return _update(order, now, CANCEL_PAID, None, self.provider_of(order).in_chat)

    async def _draft(self, session: str, item_id: str, bot: str, request: PaymentRequest) -> Order:
        """The order this turn asks for, kept before the provider hears of it."""
        bill = request.bill
        assert bill is not None and request.expires_at is not None
        draft = Order(
            id=order_id(session, item_id),
            bot=bot,
            session=session,
            currency=bill.currency,
            lines=tuple(line.to_json() for line in bill.lines),
            taxes=bill.taxes,
            total=bill.total,
            created_at=self._clock(),
            expires_at=request.expires_at.timestamp(),
            customer=_customer(session, request.lang),
            delivery=dict(request.delivery),
            provider=self.route(session) or self.provider.name,
        )
        order = await self.orders.create(draft)
        await self._news.publish(order)
        return order

    async def _existing(self, order_id: str | None) -> Order:
        order = await self.orders.get(order_id or "")
        if order is None:
            raise OrderError(f"no order {order_id!r}")
        return order

    async def _check_or_cancel(
        self, order: Order, ending: tuple[str, str] | None
    ) -> tuple[Order, str | None]:
        """Re-read the order's request at the provider and apply what it says; with an
        `ending` (status, by), end it there first: the customer cancelled, or it expired."""
        if order.status != "awaiting_payment":
            return order, None
        if order.checkout is None:
            if ending is None and self._clock() < order.expires_at:
                return await self._open_checkout(order)
            status, by = ending or ("expired", "theke")
            return await self.move(order, status, by, announce=False), None
        if ending is None:
            checkout = await self.provider_of(order).read(order.checkout)
            return await self.apply(order, checkout, announce=False), checkout.url
        checkout = await self.provider_of(order).cancel(order.checkout)
        if checkout.status in ("open", "expired", "processing"):
            # ended at our request, or completed with the money still on its way: either
            # way the order is off; money that still arrives is refunded (see apply)
            return await self.move(order, *ending, announce=False), None
        return await self.apply(order, checkout, announce=False), None

    async def _open_checkout(self, order: Order) -> tuple[Order, str | None]:
        """Ask the provider for the order's request (again: the same order gets the same one)."""
        provider = self.provider_of(order)
        checkout = await provider.create(order, f"{self.public_url}/paid/{order.bot}")
        order = await self._save(order, checkout=checkout.id, payment=checkout.payment)
        if checkout.status != "open":
            order = await self.apply(order, checkout, announce=False)
        return order, checkout.url

    # State changes ------------------------------------------------------------------------
    async def apply(
        self, order: Order, checkout: Checkout, *, announce: bool = True, hint: str = ""
    ) -> Order:
        """Move the order to what the provider says, forward only — when the checkout is the
        order's own request for its amount. A payment that is not (another request naming the
        order, a second payment, another amount) is recorded and refunded instead; a payment
        that arrived for an order cancelled meanwhile is refunded. News for an order whose
        request is still being created raises ProviderError: it cannot yet be told apart from
        a stranger's request, so the provider is asked to send it again."""
        target = order_status(checkout)
        if order.checkout is None and order.status == "awaiting_payment":
            raise ProviderError(
                "the order's payment request is still being created: try again in a moment"
            )
        mismatch = _mismatch(order, checkout)
        if mismatch is not None:
            if target == "paid":
                order = await self._unmatched(order, checkout, mismatch)
            return order
        if checkout.status == "processing" and hint.endswith("async_payment_failed"):
            target = "failed"
        if order.status in _ENDED and target == "paid" and order.refunded == 0:
            order = await self._refund_late_payment(order, checkout)
        elif target != order.status and can_move(order.status, target):
            order = await self.move(
                order, target, order.provider, announce=announce, payment=checkout.payment
            )
        if announce:
            await self.announce(order)
        return order

    async def _refund_late_payment(self, order: Order, checkout: Checkout) -> Order:
        order = await self._save(order, payment=checkout.payment)
        await self._refund(order, checkout, checkout.amount)
        log.warning(
            "payment arrived after the order was cancelled: refunded",
            extra={"bot": order.bot, "order": order.number},
        )
        return await self.move(order, "refunded", "theke", refunded=checkout.amount)

    async def _unmatched(self, order: Order, checkout: Checkout, reason: str) -> Order:
        """Keep the foreign payment on the order, then give it back in full, exactly once:
        the entry is written before the refund and names it, so a retried webhook finishes
        a refund a crash cut short (with the same idempotency key) and never adds a second."""
        entry = {
            "provider": self.provider_of(order).name,
            "checkout": checkout.id,
            "payment": checkout.payment,
            "amount": checkout.amount,
            "currency": checkout.currency,
            "reason": reason,
            "at": self._clock(),
            "refund": "pending",
        }
        order, kept = await self._keep_unmatched(order, entry)
        if kept["refund"] != "pending":
            return order
        log.warning(
            "a payment that is not the order's own: refunding it",
            extra={"bot": order.bot, "order": order.number, "reason": reason},
        )
        try:
            await self.provider_of(order).refund(checkout, checkout.amount, _unmatched_key(entry))
            outcome = "refunded"
        except RefundError as error:
            outcome = f"refund by hand: {error}"
        order, _ = await self._keep_unmatched(order, {**kept, "refund": outcome})
        return order

    async def _keep_unmatched(
        self, order: Order, entry: dict[str, Any]
    ) -> tuple[Order, dict[str, Any]]:
        """Add or update the unmatched payment of `entry["checkout"]`; the kept entry. A
        pending entry never replaces a settled one (compare-and-set, re-decided on conflict)."""
        while True:
            known = next((e for e in order.unmatched if e["checkout"] == entry["checkout"]), None)
            if known is not None and (entry["refund"] == "pending" or known["refund"] != "pending"):
                return order, known
            others = [e for e in order.unmatched if e["checkout"] != entry["checkout"]]
            stored = await self.orders.replace(order.changed(unmatched=(*others, entry)))
            if stored is not None:
                return stored, entry
            order = await self._existing(order.id)

    async def unknown_payment(self, bot: str, checkout: Checkout) -> None:
        """Money that names no order Theke knows (a Telegram charge with a foreign payload):
        the business hears of it in its inbox, once per payment, to give it back by hand."""
        log.warning("a payment for no known order", extra={"bot": bot})
        note = {
            "from": "system",
            "kind": "unmatched_payment",
            "text": "A payment matches no order: refund it with the payment provider.",
            "payment": checkout.payment,
            "checkout": checkout.id,
            "amount": checkout.amount,
            "currency": checkout.currency,
        }
        item_id = f"unmatched_payment:{checkout.payment}"
        item = InboxItem(item_id, iso_time(self._clock()), NOTE, note)
        await self._notify(str(business_inbox(bot)), item)

    async def _refund(self, order: Order, checkout: Checkout, amount: int) -> None:
        key = f"theke-refund-{order.id}-{order.refunded}-{amount}"
        await self.provider_of(order).refund(checkout, amount, key)

    async def move(
        self, order: Order, status: str, by: str, *, announce: bool = True, **changes: Any
    ) -> Order:
        """Compare-and-set the order into `status`; re-read and re-decide when another writer
        was first. Raises OrderError when the status machine forbids the change."""
        while True:
            if order.status == status:
                return order
            stored = await self.orders.replace(order.moved(status, self._clock(), by, **changes))
            if stored is not None:
                self._fault(PAYMENT_APPLIED)
                await self._news.publish(stored)
                if announce:
                    await self.announce(stored)
                return stored
            order = await self._existing(order.id)

    async def _save(self, order: Order, **changes: Any) -> Order:
        while True:
            stored = await self.orders.replace(order.changed(**changes))
            if stored is not None:
                return stored
            order = await self._existing(order.id)

    async def announce(self, order: Order) -> None:
        """Tell the conversation about the order's status, once (see the module docstring)."""
        if order.status not in ANNOUNCED or order.announced == order.status:
            return
        await self._news.publish(order)  # again: a crash may have cut `move` short
        now = self._clock()
        item = InboxItem(f"order:{order.id}:{order.status}", iso_time(now), ORDER, _notice(order))
        await self._notify(order.session, item)
        await self._save(order, announced=order.status)

    # The business's actions ------------------------------------------------------------------
    async def cancel(self, order: Order, by: str) -> Order:
        """Cancel an order; what the customer paid is refunded in full first."""
        if order.status == "awaiting_payment":
            order, _url = await self._check_or_cancel(order, ("cancelled", by))
            if order.status in ("cancelled", "refunded"):
                await self.announce(order)
                return order
        if not can_move(order.status, "cancelled"):
            raise OrderError(f"order {order.label} is {order.status}: it cannot be cancelled")
        left = order.paid
        if left:
            await self._refund(order, _paid_checkout(order), left)
        return await self.move(order, "cancelled", by, refunded=order.refunded + left)

    async def refund(self, order: Order, amount: int | None) -> Order:
        """Give back `amount` (all that is left when None); the whole rest → "refunded"."""
        left = order.paid
        if not left:
            raise RefundError(f"order {order.label} has nothing paid to refund")
        amount = left if amount is None else amount
        if not 0 < amount <= left:
            money = Money(left, order.currency).amount
            raise RefundError(f"order {order.label}: at most {money} {order.currency} is left")
        await self._refund(order, _paid_checkout(order), amount)
        if amount == left:
            return await self.move(order, "refunded", "business", refunded=order.total)
        # the money is back: the business hears it before the order is saved, so that no crash
        # between the two can lose the event (its id names the new total: kept once)
        await self._news.refunded_part(order.changed(refunded=order.refunded + amount), amount)
        return await self._save(order, refunded=order.refunded + amount)

    # Webhooks and the reconciler ------------------------------------------------------------
    async def webhook(self, body: bytes, headers: Mapping[str, str]) -> str:
        """Verify, dedupe, re-read, apply. Raises WebhookError (reject, change nothing) or
        ProviderError (answer 5xx so the provider retries)."""
        event = self.provider.webhook_event(body, headers)
        if await self.orders.seen(event.id):
            return "duplicate"
        if event.checkout is not None:
            try:
                await self._apply_checkout(event.checkout, event.type)
            except UnknownCheckout:
                raise WebhookError(f"unknown payment request {event.checkout!r}") from None
        await self.orders.first_seen(event.id, EVENT_TTL)
        return "applied"

    async def _apply_checkout(self, checkout_id: str, hint: str) -> None:
        checkout = await self.provider.read(checkout_id)
        order = await self.orders.get(checkout.reference or "")
        if order is None:
            log.info("webhook for a checkout without an order", extra={"checkout": checkout_id})
            return
        await self.apply(order, checkout, hint=hint)

    async def reconcile(self) -> int:
        """Finish what lost webhooks or crashes left: re-read open requests that are due,
        repeat announcements. How many orders were looked at."""
        now, looked = self._clock(), 0
        for order in await self.orders.unsettled():
            if order.bot == SANDBOX:  # a checkout record: read when due, so it expires
                await self._expire_record(order, now)
                continue
            looked += 1
            try:
                await self._settle(order, now)
            except (ProviderError, OrderError) as error:
                log.warning("reconcile failed", extra={"order": order.id, "error": str(error)})
        return looked

    async def _expire_record(self, record: Order, now: float) -> None:
        provider = self.providers.get(record.provider)
        if provider is not None and now >= record.expires_at:
            try:
                await provider.read(record.id)
            except ProviderError as error:
                log.warning("checkout record not read", extra={"error": str(error)})

    async def _settle(self, order: Order, now: float) -> None:
        if order.status != "awaiting_payment":
            await self.announce(order)
        elif order.checkout is None:
            if now >= order.expires_at:
                await self.move(order, "expired", "theke")
        elif now >= order.expires_at or now - order.created_at >= RECHECK_AFTER:
            await self.apply(order, await self.provider_of(order).read(order.checkout))


def _mismatch(order: Order, checkout: Checkout) -> str | None:
    """Why a checkout may not change this order; None when it is the order's own request
    (the id kept when Theke created it) for exactly the order's total and currency."""
    if order.checkout is None or checkout.id != order.checkout:
        return "not this order's payment request"
    if (checkout.amount, checkout.currency) != (order.total, order.currency):
        return "not the order's amount or currency"
    return None


def _unmatched_key(entry: dict[str, Any]) -> str:
    return f"theke-refund-unmatched-{entry['checkout']}"


def _paid_checkout(order: Order) -> Checkout:
    """The order's own payment request as a paid checkout, for refunds."""
    return Checkout(
        order.checkout or "", "paid", None, order.total, order.payment, order.id, order.currency
    )


def _customer(session: str, lang: str) -> dict[str, Any]:
    _bot, channel, customer = session.split(":", 2)
    return {"channel": channel, "id": customer, "ref": pseudonym(session), "lang": lang}


def _moment(now: float) -> datetime:
    return datetime.fromtimestamp(now, UTC)


def _notice(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "status": order.status,
        "number": order.number,
        "total": order.total,
        "refunded": order.refunded,
    }


def _update(order: Order, now: float, origin: str, url: str | None, in_chat: bool) -> OrderUpdate:
    return OrderUpdate(
        order.id,
        order.status,
        _moment(now),
        origin,
        order.number,
        order.total,
        order.refunded,
        url,
        in_chat,
    )
