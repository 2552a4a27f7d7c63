"""Which provider takes the money, from flows.yaml and the environment.

`provider: auto` (the default) uses Stripe when both STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET
are set and the offline sandbox otherwise, so a fresh `theke run` shows a whole purchase
without any keys. STRIPE_API_BASE (or `payments.stripe.api_base`) points the Stripe client at
another API address: a local emulator in tests.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Mapping

from framework.payments.order_store import OrderStore
from framework.payments.provider import Provider
from framework.payments.sandbox import SandboxProvider
from framework.payments.service import Notify, Payments
from framework.secrets import SecretError, resolve
from framework.workspace import Workspace

__all__ = ["PaymentSetupError", "open_payments", "provider_name"]


class PaymentSetupError(SecretError):
    """`provider: stripe` without its keys."""


def provider_name(workspace: Workspace, environ: Mapping[str, str] | None = None) -> str:
    settings, env = workspace.payments, os.environ if environ is None else environ
    if settings.provider != "auto":
        return settings.provider
    try:
        resolve(settings.api_key, env), resolve(settings.webhook_secret, env)
    except SecretError:
        return "sandbox"
    return "stripe"


def _provider(
    workspace: Workspace,
    orders: OrderStore,
    clock: Callable[[], float],
    environ: Mapping[str, str],
) -> Provider:
    settings = workspace.payments
    if provider_name(workspace, environ) == "sandbox":
        secret = environ.get("THEKE_SANDBOX_SECRET") or secrets.token_hex(32)
        return SandboxProvider(orders, secret, workspace.base_url, clock)
    from framework.payments.stripe_checkout import StripeProvider

    try:
        api_key = resolve(settings.api_key, environ).reveal()
        webhook_secret = resolve(settings.webhook_secret, environ).reveal()
    except SecretError as error:
        raise PaymentSetupError(f"payments: stripe needs its keys: {error}") from None
    api_base = settings.api_base or environ.get("STRIPE_API_BASE")
    return StripeProvider(api_key, webhook_secret, api_base=api_base, clock=clock)


def open_payments(
    workspace: Workspace,
    orders: OrderStore,
    notify: Notify,
    *,
    clock: Callable[[], float] = time.time,
    environ: Mapping[str, str] | None = None,
    fault: Callable[[str], None] | None = None,
) -> Payments:
    env = os.environ if environ is None else environ
    provider = _provider(workspace, orders, clock, env)
    return Payments(
        orders, provider, notify, public_url=workspace.base_url, clock=clock, fault=fault
    )
