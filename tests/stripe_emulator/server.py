"""A local Stripe for the tests: localstripe plus a test-only Checkout Session extension.

Run as its own process, never imported (localstripe is GPL-3.0-or-later and test-only):

    python tests/stripe_emulator/server.py <port>

It listens on 127.0.0.1 only and never writes localstripe's shared pickle file. On top of
localstripe it adds (the Stripe reference's §6.4 recipe):

- `POST /v1/checkout/sessions` (with `Idempotency-Key` support), `GET /v1/checkout/sessions/{id}`,
  `GET /v1/checkout/sessions`, `POST /v1/checkout/sessions/{id}/expire`;
- `POST /_test/checkout/sessions/{id}/pay` with `outcome` = succeed | decline | async_succeed |
  async_fail: plays the customer on the hosted page and emits the events Stripe would;
- `POST /_test/checkout/sessions/{id}/fast_forward` with `seconds`: moves that session's
  `created` and `expires_at` into the past, so expiry can be tested without waiting;
- `DELETE /_config/webhooks/{id}`: the counterpart of localstripe's `POST /_config/webhooks/{id}`.

Sessions expire by themselves: every read checks `expires_at`, and a sweeper does it twice a
second, emitting `checkout.session.expired` exactly once. Webhooks go through localstripe's own
delivery, so they are signed exactly like Stripe's.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import localstripe.resources as res
import localstripe.server as ls_server
import localstripe.webhooks as ls_webhooks
from aiohttp import web
from localstripe.errors import UserError

URL = "/v1/checkout/sessions"
MIN_LIFETIME = 30 * 60
MAX_LIFETIME = 24 * 60 * 60
SWEEP_INTERVAL = 0.5
CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000341"  # declines on charge, see localstripe's PaymentMethod
OUTCOMES = ("succeed", "decline", "async_succeed", "async_fail")
TOP_LEVEL = {
    "mode",
    "line_items",
    "success_url",
    "cancel_url",
    "client_reference_id",
    "metadata",
    "expires_at",
    "payment_intent_data",
    "customer_email",
    "locale",
    "payment_method_types",
}
LINE_ITEM = {"quantity", "price_data", "price"}
PRICE_DATA = {"currency", "unit_amount", "product_data"}
PRODUCT_DATA = {"name", "description", "images", "metadata"}
PAYMENT_INTENT_DATA = {"metadata", "description"}
INTEGER = re.compile(r"-?[0-9]+")
Json = dict[str, Any]


def invalid(message: str, param: str | None = None, code: str | None = None) -> UserError:
    """A 400 in Stripe's error shape, as localstripe builds it: {"error": {type, message, …}}."""
    contents: Json = {}
    if param is not None:
        contents["param"] = param
    if code is not None:
        contents["code"] = code
    return UserError(400, message, contents)


def as_int(value: object) -> int | None:
    """Form fields arrive as text, JSON bodies as numbers; anything else is not an integer."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and INTEGER.fullmatch(value):
        return int(value)
    return None


def check_keys(given: object, allowed: set[str], prefix: str) -> Json:
    if not isinstance(given, dict):
        raise invalid(f"Invalid object: {prefix}", prefix, "parameter_invalid_empty")
    for key in given:
        if key not in allowed:
            name = f"{prefix}[{key}]" if prefix else key
            raise invalid(f"Received unknown parameter: {name}", name, "parameter_unknown")
    return given


def required(data: Json, key: str, prefix: str = "") -> Any:
    name = f"{prefix}[{key}]" if prefix else key
    value = data.get(key)
    if value is None or value == "":
        raise invalid(f"Missing required param: {name}.", name, "parameter_missing")
    return value


def check_metadata(metadata: object, param: str) -> dict[str, str]:
    """Stripe's limits: ≤50 keys, key ≤40 chars without square brackets, value ≤500 chars."""
    if metadata is None or metadata == "":
        return {}
    if not isinstance(metadata, dict):
        raise invalid("Invalid object", param, "parameter_invalid_empty")
    if len(metadata) > 50:
        raise invalid("Metadata can have at most 50 keys.", param)
    for key, value in metadata.items():
        if len(key) > 40 or "[" in key or "]" in key:
            raise invalid(f"Invalid metadata key: {key!r}", f"{param}[{key}]")
        if not isinstance(value, str | int) or len(str(value)) > 500:
            raise invalid("Metadata values can have up to 500 characters.", f"{param}[{key}]")
    return {key: str(value) for key, value in metadata.items()}


def check_url(data: Json, key: str, needed: bool) -> str | None:
    value = required(data, key) if needed else data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not re.match(r"https?://[^\s]+$", value) or len(value) > 5000:
        raise invalid("Not a valid URL", key, "url_invalid")
    return value


def check_line_item(index: int, item: object) -> tuple[str, int]:
    """One line item with `price_data`; returns (currency, quantity × unit_amount)."""
    prefix = f"line_items[{index}]"
    item = check_keys(item, LINE_ITEM, prefix)
    if "price" in item:
        raise invalid(
            f"No such price: '{item['price']}' (the emulator supports only price_data)",
            f"{prefix}[price]",
            "resource_missing",
        )
    price = check_keys(required(item, "price_data", prefix), PRICE_DATA, f"{prefix}[price_data]")
    currency = required(price, "currency", f"{prefix}[price_data]")
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency):
        raise invalid("Invalid currency", f"{prefix}[price_data][currency]", "parameter_invalid")
    unit_amount = as_int(required(price, "unit_amount", f"{prefix}[price_data]"))
    if unit_amount is None or unit_amount < 0:
        raise invalid(
            "Invalid non-negative integer",
            f"{prefix}[price_data][unit_amount]",
            "parameter_invalid_integer",
        )
    product = check_keys(
        required(price, "product_data", f"{prefix}[price_data]"),
        PRODUCT_DATA,
        f"{prefix}[price_data][product_data]",
    )
    required(product, "name", f"{prefix}[price_data][product_data]")
    quantity = as_int(required(item, "quantity", prefix))
    if quantity is None or quantity < 1:
        raise invalid(
            "This value must be greater than or equal to 1.",
            f"{prefix}[quantity]",
            "parameter_invalid_integer",
        )
    return currency.lower(), quantity * unit_amount


def check_line_items(items: object) -> tuple[str, int]:
    """All line items: one currency, returns (currency, subtotal)."""
    if items is None or items == "" or items == []:
        raise invalid(
            "Missing required param: line_items. You must specify `line_items` in `payment` mode.",
            "line_items",
            "parameter_missing",
        )
    if not isinstance(items, list):
        raise invalid("Invalid array", "line_items", "parameter_invalid_empty")
    currencies: set[str] = set()
    subtotal = 0
    for index, item in enumerate(items):
        currency, amount = check_line_item(index, item)
        currencies.add(currency)
        subtotal += amount
    if len(currencies) > 1:
        raise invalid(
            "All line items must use the same currency; got " + ", ".join(sorted(currencies)),
            "line_items",
        )
    return currencies.pop(), subtotal


def check_expires_at(value: object, now: int) -> int:
    if value is None:
        return now + MAX_LIFETIME
    expires_at = as_int(value)
    if expires_at is None:
        raise invalid("Invalid integer", "expires_at", "parameter_invalid_integer")
    if expires_at < now + MIN_LIFETIME:
        raise invalid(
            "The `expires_at` timestamp must be at least 30 minutes from Checkout Session "
            "creation.",
            "expires_at",
        )
    if expires_at > now + MAX_LIFETIME:
        raise invalid(
            "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
            "expires_at",
        )
    return expires_at


def check_mode(mode: object) -> str:
    if mode is None or mode == "":
        raise invalid("Missing required param: mode.", "mode", "parameter_missing")
    if mode != "payment":
        raise invalid(
            f"Invalid mode {mode!r}: this emulator supports only `payment` (one-off orders).",
            "mode",
            "parameter_invalid",
        )
    return str(mode)


def reject_unknown(kwargs: Json) -> None:
    if kwargs:
        name = next(iter(kwargs))
        raise invalid(f"Received unknown parameter: {name}", name, "parameter_unknown")


def emit(event_type: str, obj: res.StripeObject) -> None:
    """Sent by localstripe's webhook machinery: once, ~1 s later, Stripe-signed."""
    ls_webhooks.schedule_webhook(res.Event(event_type, obj))


class CheckoutSession(res.StripeObject):
    """A hosted Checkout Session in `payment` mode (test-only, not part of localstripe).

    Methods start with `_`: localstripe exports every public attribute, property or not.
    """

    object = "checkout.session"
    _id_prefix = "cs_test_"

    def __init__(self, **data: Any) -> None:
        check_keys(data, TOP_LEVEL, "")
        now = int(time.time())
        mode = check_mode(data.get("mode"))
        currency, subtotal = check_line_items(data.get("line_items"))
        success_url = check_url(data, "success_url", needed=True)
        cancel_url = check_url(data, "cancel_url", needed=False)
        metadata = check_metadata(data.get("metadata"), "metadata")
        expires_at = check_expires_at(data.get("expires_at"), now)
        intent_data = check_keys(
            data.get("payment_intent_data") or {}, PAYMENT_INTENT_DATA, "payment_intent_data"
        )
        intent_metadata = check_metadata(
            intent_data.get("metadata"), "payment_intent_data[metadata]"
        )
        reference = data.get("client_reference_id")
        if reference is not None and (not isinstance(reference, str) or len(reference) > 200):
            raise invalid("Invalid string: client_reference_id", "client_reference_id")

        # All exceptions must be raised before this point (the base class stores the object).
        super().__init__()
        self.mode = mode
        self.status = "open"
        self.payment_status = "unpaid"
        self.currency = currency
        self.amount_subtotal = subtotal
        self.amount_total = subtotal
        self.client_reference_id = reference
        self.customer_email = data.get("customer_email")
        self.locale = data.get("locale")
        self.metadata = metadata
        self.expires_at = expires_at
        self.payment_intent: str | None = None
        self.payment_method_types = data.get("payment_method_types") or ["card"]
        self.success_url = success_url
        self.cancel_url = cancel_url
        self._intent_metadata = intent_metadata
        self._intent_description = intent_data.get("description")

    @property
    def url(self) -> str | None:
        """Stripe's hosted page, only while the session is open."""
        return f"https://checkout.stripe.com/c/pay/{self.id}" if self.status == "open" else None

    # -- reads: every read first applies a due expiry ------------------------------------------

    def _expire_if_due(self) -> None:
        if self.status == "open" and time.time() >= self.expires_at:
            self._set_expired()

    def _set_expired(self) -> None:
        self.status = "expired"
        emit("checkout.session.expired", self)

    @classmethod
    def _all(cls) -> list[CheckoutSession]:
        prefix = cls.object + ":"
        return [value for key, value in list(res.store.items()) if key.startswith(prefix)]

    @classmethod
    def _api_retrieve(cls, id: str) -> CheckoutSession:
        obj = res.store.get(cls.object + ":" + id)
        if obj is None:
            raise UserError(
                404,
                f"No such checkout.session: '{id}'",
                {"param": "session", "code": "resource_missing"},
            )
        obj._expire_if_due()
        return obj  # type: ignore[no-any-return]

    @classmethod
    def _api_list_all(
        cls,
        url: str,
        limit: Any = None,
        starting_after: Any = None,
        status: Any = None,
        payment_intent: Any = None,
        **kwargs: Any,
    ) -> res.List:
        reject_unknown(kwargs)
        if status is not None and status not in ("open", "complete", "expired"):
            raise invalid("Invalid status", "status", "parameter_invalid")
        sessions = cls._all()
        for session in sessions:
            session._expire_if_due()
        listing = res.List(url, limit=limit, starting_after=starting_after)
        listing._list = [
            session
            for session in reversed(sessions)  # newest first, like Stripe
            if status in (None, session.status) and payment_intent in (None, session.payment_intent)
        ]
        return listing

    @classmethod
    def _api_update(cls, id: str, **data: Any) -> CheckoutSession:
        raise UserError(405, "Method Not Allowed")

    @classmethod
    def _api_delete(cls, id: str) -> CheckoutSession:
        raise UserError(405, "Method Not Allowed")

    # -- actions ---------------------------------------------------------------------------------

    @classmethod
    def _api_expire(cls, id: str, **kwargs: Any) -> CheckoutSession:
        reject_unknown(kwargs)
        obj = cls._api_retrieve(id)
        if obj.status != "open":
            raise invalid(
                'Only Checkout Sessions with a status in ["open"] can be expired. '
                f'This Checkout Session has a status of "{obj.status}".',
                code="checkout_session_not_open",
            )
        obj._set_expired()
        return obj

    @classmethod
    def _api_fast_forward(cls, id: str, seconds: Any = None, **kwargs: Any) -> CheckoutSession:
        """Test-only: pretend `seconds` have passed for this one session."""
        reject_unknown(kwargs)
        delta = as_int(seconds)
        if delta is None or delta < 1:
            raise invalid("Invalid positive integer", "seconds", "parameter_invalid_integer")
        obj = cls._api_retrieve(id)
        obj.created -= delta
        obj.expires_at -= delta
        obj._expire_if_due()
        return obj

    @classmethod
    def _api_pay(cls, id: str, outcome: Any = None, **kwargs: Any) -> CheckoutSession:
        """Test-only: the customer pays on the hosted page; see the event table in §6.4."""
        reject_unknown(kwargs)
        if outcome not in OUTCOMES:
            raise invalid("outcome must be one of " + ", ".join(OUTCOMES), "outcome")
        obj = cls._api_retrieve(id)
        if obj.status != "open":
            raise invalid(
                f'This Checkout Session is no longer open (status "{obj.status}").',
                code="checkout_session_not_open",
            )
        if obj.amount_total == 0:
            obj._complete_without_payment(str(outcome))
        else:
            obj._pay(str(outcome))
        return obj

    def _complete_without_payment(self, outcome: str) -> None:
        if outcome != "succeed":
            raise invalid("This session needs no payment: only outcome=succeed applies.", "outcome")
        self.status = "complete"
        self.payment_status = "no_payment_required"
        emit("checkout.session.completed", self)

    def _pay(self, outcome: str) -> None:
        declined = outcome in ("decline", "async_fail")
        intent = self._intent_for_attempt(CARD_DECLINED if declined else CARD_OK)
        if outcome == "succeed":
            charge(intent, on_success=intent._on_success)  # emits payment_intent.succeeded
            self._complete("paid")
        elif outcome == "decline":
            charge(intent, on_failure=lambda: emit("payment_intent.payment_failed", intent))
        else:  # the async pair: completed while unpaid, then the delayed result
            charge(intent)  # no payment_intent.* event: the table lists only checkout events
            self._complete("unpaid")
            if outcome == "async_succeed":
                self.payment_status = "paid"
                emit("checkout.session.async_payment_succeeded", self)
            else:
                emit("checkout.session.async_payment_failed", self)

    def _complete(self, payment_status: str) -> None:
        self.status = "complete"
        self.payment_status = payment_status
        emit("checkout.session.completed", self)

    def _intent_for_attempt(self, card_number: str) -> res.PaymentIntent:
        """A real localstripe PaymentIntent, reused across attempts like Stripe does."""
        method = res.PaymentMethod(
            type="card",
            card={"number": card_number, "exp_month": "12", "exp_year": "2034", "cvc": "123"},
        )
        if self.payment_intent is None:
            intent = res.PaymentIntent(
                amount=self.amount_total,
                currency=self.currency,
                payment_method=method.id,
                metadata=dict(self._intent_metadata),
            )
            intent.description = self._intent_description
            self.payment_intent = intent.id
            return intent
        intent = res.PaymentIntent._api_retrieve(self.payment_intent)
        intent.payment_method = method.id
        intent.latest_charge = None  # the previous attempt was declined: start a new charge
        return intent


def charge(
    intent: res.PaymentIntent,
    on_success: Callable[[], None] | None = None,
    on_failure: Callable[[], None] | None = None,
) -> None:
    """PaymentIntent._create_charge with our own callbacks (no raise, chosen events only)."""
    new = res.Charge(amount=intent.amount, currency=intent.currency, source=intent.payment_method)
    new.payment_intent = intent.id
    intent.latest_charge = new
    new._initialize_charge(on_success, on_failure)


# -- idempotency (localstripe ignores Idempotency-Key) ---------------------------------------


def idempotency_error(key: str) -> UserError:
    error = invalid(
        "Keys for idempotent requests can only be used with the same parameters they were first "
        f"used with. Try using a key other than '{key}' if you meant to execute a different "
        "request."
    )
    error.body["error"]["type"] = "idempotency_error"
    return error


def create_handler() -> Callable[[web.Request], Any]:
    """POST /v1/checkout/sessions: the first successful response per (API key, key) is replayed.

    Validation failures are not saved, so a corrected retry with the same key works (as at
    Stripe). Records live in localstripe's store, so `DELETE /_config/data` clears them too.
    """
    create = ls_server.api_create(CheckoutSession, URL)

    async def handler(request: web.Request) -> web.StreamResponse:
        key = request.headers.get("Idempotency-Key")
        if not key:
            return await create(request)
        if len(key) > 255:
            raise invalid("Idempotency-Key must be at most 255 characters long.")
        params = await ls_server.get_post_data(request) or {}
        digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()
        record_key = f"idempotency:{ls_server.get_api_key(request)}:{key}"
        saved = res.store.get(record_key)
        if saved is not None:
            if saved["digest"] != digest:
                raise idempotency_error(key)
            return web.Response(
                body=saved["body"],
                status=saved["status"],
                content_type="application/json",
                headers={"Idempotent-Replayed": "true", "Idempotency-Key": key},
            )
        response = await create(request)  # raises UserError on validation failures: not saved
        assert isinstance(response, web.Response) and response.body is not None
        res.store[record_key] = {
            "digest": digest,
            "status": response.status,
            "body": bytes(response.body),  # type: ignore[arg-type]
        }
        response.headers["Idempotency-Key"] = key
        return response

    return handler


# -- webhooks ---------------------------------------------------------------------------------


class SnapshotDict(dict[str, Any]):
    """localstripe iterates its webhook registry across awaits; registering or removing an
    endpoint meanwhile would raise "dictionary changed size during iteration" and drop that
    event for every endpoint. Iterating a snapshot makes it safe."""

    def values(self) -> list[Any]:  # type: ignore[override]
        return list(super().values())


async def unregister_webhook(request: web.Request) -> web.Response:
    ls_webhooks._webhooks.pop(request.match_info["id"], None)
    return web.Response()


async def sweeper(app: web.Application) -> AsyncIterator[None]:
    async def sweep() -> None:
        while True:
            await asyncio.sleep(SWEEP_INTERVAL)
            for session in CheckoutSession._all():
                session._expire_if_due()

    task = asyncio.create_task(sweep())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def install(app: web.Application) -> None:
    """Adds the extension to localstripe's app; call before the app starts."""
    ls_webhooks._webhooks = SnapshotDict(ls_webhooks._webhooks)
    extra = ls_server.api_extra
    app.router.add_post(URL, create_handler())
    app.router.add_get(URL, ls_server.api_list_all(CheckoutSession, URL))
    app.router.add_get(URL + "/{id}", ls_server.api_retrieve(CheckoutSession, URL))
    app.router.add_post(URL + "/{id}/expire", extra(CheckoutSession._api_expire, URL))
    test_url = "/_test/checkout/sessions/{id}"
    app.router.add_post(test_url + "/pay", extra(CheckoutSession._api_pay, test_url))
    app.router.add_post(
        test_url + "/fast_forward", extra(CheckoutSession._api_fast_forward, test_url)
    )
    app.router.add_delete("/_config/webhooks/{id}", unregister_webhook)
    app.cleanup_ctx.append(sweeper)


def main(argv: list[str]) -> None:
    if len(argv) != 2 or not argv[1].isdigit():
        sys.exit("usage: server.py <port>")
    # Hermetic and parallel-safe: never pickle the store to the shared /tmp/localstripe.pickle.
    res.Store.dump_to_disk = lambda self: None
    install(ls_server.app)
    web.run_app(ls_server.app, host="127.0.0.1", port=int(argv[1]), access_log=None, print=None)


if __name__ == "__main__":
    main(sys.argv)
