"""Stripe Checkout through the official `stripe` library's async client.

Facts this relies on (docs/reference): a Checkout Session is `open` → `complete` or `expired`;
its `url` exists only while open; `Idempotency-Key` makes a retried create return the first
session; events arrive at least once and unordered, so they are only hints and the session is
re-read before anything changes; signatures are checked by `stripe.Webhook.construct_event`
on the raw body.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

import stripe

from framework.errors import MoneyError
from framework.money import currency_digits
from framework.orders import Order
from framework.payments.provider import (
    Checkout,
    ProviderError,
    RefundError,
    UnknownCheckout,
    WebhookError,
    WebhookEvent,
)

__all__ = ["StripeProvider", "stripe_amount"]

_ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
_THREE_DECIMAL = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])
_FAILED_PAYMENT = frozenset({"requires_payment_method", "canceled"})
TOLERANCE = 300
"""Seconds a webhook signature's timestamp may differ from now, either way (Stripe's default)."""
STRIPE_MIN_EXPIRY = 40 * 60
"""Stripe refuses an `expires_at` sooner than 30 minutes after it creates the session, which is
a moment after the order was made. A session therefore lives at least 40 minutes from the
order's creation (derived from the order, so a retried create sends the same parameters);
Theke ends it itself when the pay step's own time is up (the engine's "expire" request)."""


def _stripe_exponent(currency: str) -> int:
    """Stripe's own table (it differs from ISO/Babel for HUF and ISK)."""
    code = currency.upper()
    return 0 if code in _ZERO_DECIMAL else 3 if code in _THREE_DECIMAL else 2


def stripe_amount(minor: int, currency: str) -> int:
    """Theke's minor units (Babel's digits) as the integer Stripe expects for `currency`.

    Refuses amounts Stripe cannot charge exactly instead of rounding the customer's bill:
    three-decimal currencies must end in 0, ISK must be whole kronur.
    """
    shift = _stripe_exponent(currency) - currency_digits(currency)
    amount = int(minor * 10**shift if shift >= 0 else minor // 10**-shift)
    if shift < 0 and minor % 10**-shift:
        raise MoneyError(f"Stripe cannot charge {minor} minor units of {currency} exactly")
    if currency.upper() in _THREE_DECIMAL and amount % 10:
        raise MoneyError(f"Stripe charges {currency} in steps of 0.010")
    if currency.upper() == "ISK" and amount % 100:
        raise MoneyError("Stripe charges ISK in whole kronur")
    return amount


def _from_stripe(amount: int, currency: str) -> int:
    shift = _stripe_exponent(currency) - currency_digits(currency)
    return int(amount // 10**shift if shift >= 0 else amount * 10**-shift)


def _reference(session: Any) -> str | None:
    """The order a session names: its client_reference_id, else its metadata's order_id."""
    metadata = session.metadata.to_dict() if session.metadata else {}
    return session.client_reference_id or metadata.get("order_id")


def _signed_after(header: str, latest: float) -> bool:
    """Whether the signature header's timestamp lies beyond `latest`. The `stripe` library
    refuses only old timestamps; a future one would let a captured event live longer."""
    parts = (part.strip() for part in header.split(","))
    stamps = [part[2:] for part in parts if part.startswith("t=")]
    return any(stamp.strip().isdigit() and int(stamp) > latest for stamp in stamps)


def _line_items(order: Order) -> list[dict[str, Any]]:
    """Itemised when the lines add up to the total by themselves (no discount, tax included);
    otherwise one line for the whole order, because Checkout has no negative lines."""
    currency = order.currency.lower()

    def item(name: str, quantity: int, unit: int) -> dict[str, Any]:
        price = {
            "currency": currency,
            "unit_amount": stripe_amount(unit, order.currency),
            "product_data": {"name": name[:250]},
        }
        return {"quantity": quantity, "price_data": price}

    lines = order.lines
    adds_up = sum(line["total"] for line in lines) == order.total
    if adds_up and all(line["total"] >= 0 for line in lines):
        return [item(line["name"], line["quantity"], line["unit"]) for line in lines]
    return [item(f"{order.bot} {order.label}", 1, order.total)]


class StripeProvider:
    name = "stripe"
    in_chat = False

    def __init__(
        self,
        api_key: str,
        webhook_secret: str,
        *,
        api_base: str | None = None,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._http = stripe.AIOHTTPClient(timeout=timeout)
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            http_client=self._http,
            max_network_retries=2,
        )
        self._secret, self._clock = webhook_secret, clock

    async def create(self, order: Order, return_url: str) -> Checkout:
        reference = {"order_id": order.id, "bot": order.bot, "number": str(order.number)}
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": _line_items(order),
            "client_reference_id": order.id,
            "metadata": reference,
            "payment_intent_data": {"metadata": reference},
            "expires_at": int(max(order.expires_at, order.created_at + STRIPE_MIN_EXPIRY)),
            "success_url": return_url,
            "cancel_url": return_url,
        }
        session = await self._call(
            self._client.v1.checkout.sessions.create_async(
                params,  # type: ignore[arg-type]  # a plain dict is what the library sends
                {"idempotency_key": f"theke-checkout-{order.id}"},
            )
        )
        return self._checkout(session)

    async def read(self, checkout_id: str) -> Checkout:
        sessions = self._client.v1.checkout.sessions
        session = await self._call(
            sessions.retrieve_async(checkout_id, {"expand": ["payment_intent"]})
        )
        return self._checkout(session)

    async def cancel(self, checkout_id: str) -> Checkout:
        try:
            await self._client.v1.checkout.sessions.expire_async(checkout_id)
        except stripe.InvalidRequestError:
            pass  # no longer open: reading it says how it ended
        except stripe.StripeError as error:
            raise ProviderError(f"Stripe: {error.user_message or error}") from None
        return await self.read(checkout_id)

    async def refund(self, paid: Checkout, amount: int, key: str) -> None:
        if paid.payment is None:
            raise RefundError(f"payment request {paid.id} has no payment to refund")
        params: dict[str, Any] = {
            "payment_intent": paid.payment,
            "amount": stripe_amount(amount, paid.currency),
        }
        try:
            refunds = self._client.v1.refunds
            await refunds.create_async(params, {"idempotency_key": key})  # type: ignore[arg-type]
        except stripe.InvalidRequestError as error:
            raise RefundError(f"Stripe refused the refund: {error.user_message or error}") from None
        except stripe.StripeError as error:
            raise ProviderError(f"Stripe: {error.user_message or error}") from None

    def webhook_event(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        header = headers.get("Stripe-Signature")
        if header is None:
            raise WebhookError("the Stripe-Signature header is missing")
        if _signed_after(header, self._clock() + TOLERANCE):
            raise WebhookError("webhook rejected: its timestamp is in the future")
        try:
            stripe.Webhook.construct_event(body, header, self._secret, tolerance=TOLERANCE)
            event = json.loads(body)  # verified: now its plain JSON is read
            subject = event["data"]["object"]
            is_session = subject.get("object") == "checkout.session"
            checkout = str(subject["id"]) if is_session else None
            return WebhookEvent(str(event["id"]), str(event["type"]), checkout)
        except stripe.SignatureVerificationError as error:
            raise WebhookError(f"webhook rejected: {error.user_message or error}") from None
        except (ValueError, KeyError, AttributeError, TypeError, RecursionError):
            raise WebhookError("webhook rejected: not a Stripe event") from None

    async def _call(self, pending: Any) -> Any:
        try:
            return await pending
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
                raise UnknownCheckout(f"Stripe: {error.user_message or error}") from None
            raise ProviderError(f"Stripe: {error.user_message or error}") from None
        except stripe.StripeError as error:
            raise ProviderError(f"Stripe: {error.user_message or error}") from None

    def _checkout(self, session: Any) -> Checkout:
        intent = session.payment_intent
        intent_id = intent if isinstance(intent, str) or intent is None else intent.id
        currency = str(session.currency).upper()
        amount = _from_stripe(int(session.amount_total), currency)
        if session.status == "open":
            status = "open"
        elif session.status == "expired":
            status = "expired"
        elif session.payment_status in ("paid", "no_payment_required"):
            status = "paid"
        elif intent is not None and getattr(intent, "status", None) in _FAILED_PAYMENT:
            status = "failed"
        else:
            status = "processing"
        url = session.url if status == "open" else None
        return Checkout(session.id, status, url, amount, intent_id, _reference(session), currency)

    async def close(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]
