"""The Stripe emulator driven by the real stripe-python client (StripeClient + aiohttp)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import pytest
import stripe
from aiohttp import web

from tests.stripe_emulator.fixture import (
    EmulatorError,
    fast_forward,
    pay,
    webhook_endpoint,
)


def params(ref: str = "order-1", **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "mode": "payment",
        "success_url": "https://bot.example/paid?cs={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://bot.example/cancelled",
        "client_reference_id": ref,
        "metadata": {"conversation_id": ref},
        "expires_at": int(time.time()) + 3600,
        "line_items": [
            {
                "quantity": 2,
                "price_data": {
                    "currency": "eur",
                    "unit_amount": 1250,
                    "product_data": {"name": "Pizza"},
                },
            },
            {
                "quantity": 1,
                "price_data": {
                    "currency": "eur",
                    "unit_amount": 300,
                    "product_data": {"name": "Cola"},
                },
            },
        ],
    }
    return {**base, **changes}


def item(currency: str = "eur", unit_amount: int = 500, quantity: int = 1) -> dict[str, Any]:
    price = {"currency": currency, "unit_amount": unit_amount, "product_data": {"name": "X"}}
    return {"quantity": quantity, "price_data": price}


async def create(client: stripe.StripeClient, **changes: Any) -> stripe.checkout.Session:
    return await client.v1.checkout.sessions.create_async(params(**changes))


# -- create, idempotency, retrieve, list, expire -------------------------------------------------


async def test_create_returns_an_open_session(stripe_client: stripe.StripeClient) -> None:
    before = int(time.time())
    request = params("order-42")
    session = await stripe_client.v1.checkout.sessions.create_async(request)

    assert session.id.startswith("cs_test_")
    assert session.object == "checkout.session"
    assert (session.status, session.payment_status, session.mode) == ("open", "unpaid", "payment")
    assert (session.amount_subtotal, session.amount_total, session.currency) == (2800, 2800, "eur")
    assert session.url is not None and session.id in session.url
    assert session.client_reference_id == "order-42"
    assert session.metadata.to_dict() == {"conversation_id": "order-42"}
    assert session.expires_at == request["expires_at"]
    assert before <= session.created <= int(time.time())
    assert session.payment_intent is None
    assert session.success_url == request["success_url"]
    assert session.cancel_url == request["cancel_url"]
    assert session.livemode is False


async def test_expires_at_defaults_to_24_hours(stripe_client: stripe.StripeClient) -> None:
    request = params()
    del request["expires_at"]
    session = await stripe_client.v1.checkout.sessions.create_async(request)
    assert session.expires_at == session.created + 24 * 3600


async def test_idempotency_key_replays_and_rejects_other_params(
    stripe_client: stripe.StripeClient,
) -> None:
    sessions = stripe_client.v1.checkout.sessions
    request = params("order-7")
    key = {"idempotency_key": "pay-bot-conv-7-order-7-attempt-1"}

    first = await sessions.create_async(request, key)
    again = await sessions.create_async(request, key)
    assert again.id == first.id
    assert again.to_dict() == first.to_dict()
    assert (await sessions.create_async(request)).id != first.id  # no key: a new session

    with pytest.raises(stripe.IdempotencyError) as raised:
        await sessions.create_async(params("order-8", expires_at=request["expires_at"]), key)
    assert raised.value.http_status == 400


async def test_idempotency_does_not_save_validation_failures(
    stripe_client: stripe.StripeClient,
) -> None:
    sessions = stripe_client.v1.checkout.sessions
    key = {"idempotency_key": "pay-order-9"}
    with pytest.raises(stripe.InvalidRequestError):
        await sessions.create_async(params(mode="subscription"), key)
    created = await sessions.create_async(params(), key)  # the corrected retry goes through
    assert created.status == "open"


async def test_idempotency_keys_are_scoped_per_api_key(
    stripe_emulator: str, stripe_client: stripe.StripeClient
) -> None:
    from tests.stripe_emulator.fixture import new_api_key, open_stripe_client

    key = {"idempotency_key": "same-key"}
    mine = await stripe_client.v1.checkout.sessions.create_async(params(), key)
    async with open_stripe_client(stripe_emulator, new_api_key()) as other:
        theirs = await other.v1.checkout.sessions.create_async(params("other"), key)
    assert theirs.id != mine.id


async def test_retrieve_and_list(stripe_client: stripe.StripeClient) -> None:
    sessions = stripe_client.v1.checkout.sessions
    first, second = await create(stripe_client), await create(stripe_client)

    fetched = await sessions.retrieve_async(first.id)
    assert fetched.to_dict() == first.to_dict()

    listed = await sessions.list_async({"limit": 100})
    ids = [session.id for session in listed.data]
    assert ids.index(second.id) < ids.index(first.id)  # newest first

    await sessions.expire_async(first.id)
    still_open = await sessions.list_async({"limit": 100, "status": "open"})
    assert second.id in {s.id for s in still_open.data}
    assert first.id not in {s.id for s in still_open.data}


async def test_retrieve_unknown_session_is_404(stripe_client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        await stripe_client.v1.checkout.sessions.retrieve_async("cs_test_missing")
    assert raised.value.http_status == 404
    assert raised.value.code == "resource_missing"


async def test_expire_only_from_open(stripe_client: stripe.StripeClient) -> None:
    session = await create(stripe_client)
    expired = await stripe_client.v1.checkout.sessions.expire_async(session.id)
    assert (expired.status, expired.payment_status, expired.url) == ("expired", "unpaid", None)

    with pytest.raises(stripe.InvalidRequestError) as raised:
        await stripe_client.v1.checkout.sessions.expire_async(session.id)
    assert raised.value.http_status == 400
    assert "open" in str(raised.value.user_message)


async def test_sessions_expire_by_themselves(
    stripe_emulator: str, api_key: str, stripe_client: stripe.StripeClient
) -> None:
    session = await create(stripe_client)
    assert (await fast_forward(stripe_emulator, api_key, session.id, 1800))["status"] == "open"
    await fast_forward(stripe_emulator, api_key, session.id, 1800)

    fetched = await stripe_client.v1.checkout.sessions.retrieve_async(session.id)
    assert (fetched.status, fetched.url) == ("expired", None)
    with pytest.raises(EmulatorError) as raised:
        await pay(stripe_emulator, api_key, session.id)
    assert raised.value.status == 400


# -- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "param"),
    [
        pytest.param({"mode": "subscription"}, "mode", id="mode-subscription"),
        pytest.param({"line_items": []}, "line_items", id="no-line-items"),
        pytest.param({"line_items": [item("eur"), item("usd")]}, "line_items", id="two-currencies"),
        pytest.param(
            {"line_items": [item(quantity=0)]}, "line_items[0][quantity]", id="quantity-0"
        ),
        pytest.param(
            {"line_items": [item(unit_amount=-1)]},
            "line_items[0][price_data][unit_amount]",
            id="negative-amount",
        ),
        pytest.param({"line_items": [{"quantity": 1}]}, "line_items[0][price_data]", id="no-price"),
        pytest.param({"success_url": None}, "success_url", id="no-success-url"),
        pytest.param({"metadata": {"a[b]": "x"}}, "metadata[a[b]]", id="metadata-key"),
        pytest.param({"surprise": "x"}, "surprise", id="unknown-param"),
    ],
)
async def test_invalid_requests(
    stripe_client: stripe.StripeClient, changes: dict[str, Any], param: str
) -> None:
    request = {key: value for key, value in params(**changes).items() if value is not None}
    with pytest.raises(stripe.InvalidRequestError) as raised:
        await stripe_client.v1.checkout.sessions.create_async(request)
    assert raised.value.http_status == 400
    assert raised.value.param == param


@pytest.mark.parametrize(
    "lifetime", [pytest.param(60, id="too-soon"), pytest.param(25 * 3600, id="too-late")]
)
async def test_expires_at_must_be_30_minutes_to_24_hours_ahead(
    stripe_client: stripe.StripeClient, lifetime: int
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        await create(stripe_client, expires_at=int(time.time()) + lifetime)
    assert raised.value.param == "expires_at"
    assert "expires_at" in str(raised.value.user_message)


# -- paying on the hosted page, refunds ----------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "status", "payment_status", "intent_status"),
    [
        ("succeed", "complete", "paid", "succeeded"),
        ("decline", "open", "unpaid", "requires_payment_method"),
        ("async_succeed", "complete", "paid", "succeeded"),
        ("async_fail", "complete", "unpaid", "requires_payment_method"),
    ],
)
async def test_pay_outcomes(
    stripe_emulator: str,
    api_key: str,
    stripe_client: stripe.StripeClient,
    outcome: str,
    status: str,
    payment_status: str,
    intent_status: str,
) -> None:
    session = await create(stripe_client, payment_intent_data={"metadata": {"order": "o-1"}})
    answered = await pay(stripe_emulator, api_key, session.id, outcome)
    assert (answered["status"], answered["payment_status"]) == (status, payment_status)

    fetched = await stripe_client.v1.checkout.sessions.retrieve_async(
        session.id, {"expand": ["payment_intent"]}
    )
    assert (fetched.status, fetched.payment_status) == (status, payment_status)
    assert (fetched.url is not None) == (status == "open")
    intent = fetched.payment_intent
    assert intent.id == answered["payment_intent"]
    assert intent.status == intent_status
    assert (intent.amount, intent.currency) == (2800, "eur")
    assert intent.metadata.to_dict() == {"order": "o-1"}


async def test_declined_attempt_can_be_retried(
    stripe_emulator: str, api_key: str, stripe_client: stripe.StripeClient
) -> None:
    session = await create(stripe_client)
    declined = await pay(stripe_emulator, api_key, session.id, "decline")
    paid = await pay(stripe_emulator, api_key, session.id, "succeed")
    assert (paid["status"], paid["payment_status"]) == ("complete", "paid")
    assert paid["payment_intent"] == declined["payment_intent"]  # one PaymentIntent, like Stripe
    with pytest.raises(EmulatorError):
        await pay(stripe_emulator, api_key, session.id, "succeed")  # no longer open


async def test_free_order_needs_no_payment(
    stripe_emulator: str, api_key: str, stripe_client: stripe.StripeClient
) -> None:
    session = await create(stripe_client, line_items=[item(unit_amount=0)])
    assert session.amount_total == 0
    answered = await pay(stripe_emulator, api_key, session.id)
    assert answered["payment_status"] == "no_payment_required"
    assert answered["payment_intent"] is None


async def test_pay_route_needs_a_secret_key(stripe_emulator: str, api_key: str) -> None:
    with pytest.raises(EmulatorError) as raised:
        await pay(stripe_emulator, "", "cs_test_whatever")
    assert raised.value.status == 401
    with pytest.raises(EmulatorError) as raised:
        await pay(stripe_emulator, api_key, "cs_test_whatever", "maybe")
    assert raised.value.status == 400


async def test_partial_refunds(
    stripe_emulator: str, api_key: str, stripe_client: stripe.StripeClient
) -> None:
    session = await create(stripe_client)
    intent_id = (await pay(stripe_emulator, api_key, session.id))["payment_intent"]

    refund = await stripe_client.v1.refunds.create_async(
        {"payment_intent": intent_id, "amount": 300}
    )
    assert (refund.amount, refund.status, refund.payment_intent) == (300, "succeeded", intent_id)

    intent = await stripe_client.v1.payment_intents.retrieve_async(intent_id)
    charge = await stripe_client.v1.charges.retrieve_async(intent.latest_charge.id)
    assert (charge.amount_refunded, charge.refunded) == (300, False)

    await stripe_client.v1.refunds.create_async({"payment_intent": intent_id, "amount": 2500})
    charge = await stripe_client.v1.charges.retrieve_async(charge.id)
    assert (charge.amount_refunded, charge.refunded) == (2800, True)


async def test_failed_payment_cannot_be_refunded(
    stripe_emulator: str, api_key: str, stripe_client: stripe.StripeClient
) -> None:
    session = await create(stripe_client)
    intent_id = (await pay(stripe_emulator, api_key, session.id, "async_fail"))["payment_intent"]
    with pytest.raises(stripe.InvalidRequestError):
        await stripe_client.v1.refunds.create_async({"payment_intent": intent_id, "amount": 100})


# -- webhooks ------------------------------------------------------------------------------------


class Receiver:
    """A tiny webhook endpoint that keeps the raw requests."""

    def __init__(self) -> None:
        self.received: list[tuple[str, bytes, str]] = []  # (path, raw body, Stripe-Signature)
        self.arrived = asyncio.Condition()

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        async with self.arrived:
            self.received.append((request.path, body, request.headers["Stripe-Signature"]))
            self.arrived.notify_all()
        return web.Response(text="ok")

    async def wait_for(self, done: Callable[[], bool]) -> None:
        async with self.arrived:
            await self.arrived.wait_for(done)


@asynccontextmanager
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    target = Receiver()
    app = web.Application()
    app.router.add_post("/{name}", target.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        yield target, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


NAMES = ("succeed", "decline", "async_succeed", "async_fail", "expire", "timeout", "sweep")


def events_by_object(
    target: Receiver, path: str, secret: str, ids: set[str]
) -> dict[str, Counter[str]]:
    """Verifies every delivery on `path`; counts event types per object id of ours."""
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for where, body, header in target.received:
        if where == path:
            event = stripe.Webhook.construct_event(body, header, secret, tolerance=300)
            if event.data.object.id in ids:
                found[event.data.object.id][event.type] += 1
    return found


async def test_webhooks_are_signed_and_complete(
    stripe_emulator: str, api_key: str, stripe_client: stripe.StripeClient
) -> None:
    secret = f"whsec_{uuid.uuid4().hex}"
    ref = uuid.uuid4().hex[:8]
    async with AsyncExitStack() as stack:
        target, base = await stack.enter_async_context(receiver())
        await stack.enter_async_context(webhook_endpoint(stripe_emulator, f"{base}/all", secret))
        await stack.enter_async_context(
            webhook_endpoint(
                stripe_emulator, f"{base}/completed", secret, ["checkout.session.completed"]
            )
        )
        sessions = {name: await create(stripe_client, ref=f"{ref}-{name}") for name in NAMES}
        intents = {}
        for outcome in ("succeed", "decline", "async_succeed", "async_fail"):
            paid = await pay(stripe_emulator, api_key, sessions[outcome].id, outcome)
            intents[outcome] = paid["payment_intent"]
        await stripe_client.v1.checkout.sessions.expire_async(sessions["expire"].id)
        await fast_forward(stripe_emulator, api_key, sessions["timeout"].id, 3600)
        for _ in range(2):  # reads after the expiry: still one event
            await stripe_client.v1.checkout.sessions.retrieve_async(sessions["timeout"].id)
        # Due within a second and never read again: only the emulator's sweeper can expire it.
        await fast_forward(stripe_emulator, api_key, sessions["sweep"].id, 3599)

        completed = "checkout.session.completed"
        expected = {
            sessions["succeed"].id: Counter([completed]),
            intents["succeed"]: Counter(["payment_intent.succeeded"]),
            intents["decline"]: Counter(["payment_intent.payment_failed"]),
            sessions["async_succeed"].id: Counter(
                [completed, "checkout.session.async_payment_succeeded"]
            ),
            sessions["async_fail"].id: Counter(
                [completed, "checkout.session.async_payment_failed"]
            ),
            sessions["expire"].id: Counter(["checkout.session.expired"]),
            sessions["timeout"].id: Counter(["checkout.session.expired"]),
            sessions["sweep"].id: Counter(["checkout.session.expired"]),
        }
        ids = set(expected) | {session.id for session in sessions.values()}

        def all_arrived() -> bool:
            found = events_by_object(target, "/all", secret, ids)
            return all(found[key] >= count for key, count in expected.items())

        async with asyncio.timeout(10):
            await target.wait_for(all_arrived)
        await asyncio.sleep(0.3)  # anything extra would arrive together with the rest

    assert events_by_object(target, "/all", secret, ids) == expected
    only_completed = events_by_object(target, "/completed", secret, ids)
    assert only_completed == {
        sessions[name].id: Counter([completed])
        for name in ("succeed", "async_succeed", "async_fail")
    }
    check_payloads(target, secret, sessions, ref)


def check_payloads(target: Receiver, secret: str, sessions: dict[str, Any], ref: str) -> None:
    """Checkout events carry the session (id, client_reference_id, payment status then)."""
    by_id = {session.id: name for name, session in sessions.items()}
    seen = set()
    for path, body, header in target.received:
        event = stripe.Webhook.construct_event(body, header, secret, tolerance=300)
        session = event.data.object
        if path != "/all" or session.id not in by_id:
            continue
        name = by_id[session.id]
        assert session.client_reference_id == f"{ref}-{name}"
        assert session.metadata.conversation_id == f"{ref}-{name}"
        seen.add((name, event.type, session.payment_status))
        with pytest.raises(stripe.SignatureVerificationError):
            stripe.Webhook.construct_event(body, header, "whsec_wrong", tolerance=300)
    assert ("async_succeed", "checkout.session.completed", "unpaid") in seen
    assert ("async_succeed", "checkout.session.async_payment_succeeded", "paid") in seen
    assert ("succeed", "checkout.session.completed", "paid") in seen
