"""Which provider takes the money, from flows.yaml and the environment.

`provider: auto` (the default) uses Stripe when both STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET
are set and the offline sandbox when neither is, so a fresh `theke run` shows a whole purchase
without any keys. Payments never fall back to the sandbox silently: one key without the other
is an error naming the missing one, and `auto` does not put the sandbox behind a public
`server.public_url` (only `provider: sandbox`, written on purpose, does). STRIPE_API_BASE (or
`payments.stripe.api_base`) points the Stripe client at another API address: a local emulator
in tests.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import time
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from framework.payments.provider import Provider
from framework.payments.sandbox import SandboxProvider
from framework.payments.service import Notify, OrderNews, Payments
from framework.secrets import SecretError, is_reference, resolve
from framework.stores.order_store import OrderStore
from framework.workspace import PaymentSettings, Workspace

__all__ = ["PaymentSetupError", "open_payments", "provider_name"]


class PaymentSetupError(SecretError):
    """Payments that must not start: a Stripe key missing, or the sandbox on a public address."""


def provider_name(workspace: Workspace, environ: Mapping[str, str] | None = None) -> str:
    """The provider that takes the money, "stripe" or "sandbox"; a setup that cannot be meant
    (one Stripe key without the other, the sandbox on a public address by default) raises."""
    settings, env = workspace.payments, os.environ if environ is None else environ
    if settings.provider == "sandbox":
        return "sandbox"
    keys = _stripe_keys(settings)
    missing = [name for name, reference in keys if not _resolves(reference, env)]
    if not missing:
        return "stripe"
    if settings.provider == "stripe":
        raise PaymentSetupError(
            f"payments.provider: stripe needs {' and '.join(missing)}: set "
            f"{'them' if len(missing) > 1 else 'it'} in the environment"
        )
    if len(missing) == 1:
        [present] = [name for name, _ in keys if name not in missing]
        raise PaymentSetupError(
            f"payments: {present} is set but {missing[0]} is not. Set both to take payments "
            "with Stripe, or neither for the offline sandbox (test payments, no money moves)"
        )
    if not _on_this_machine(workspace.public_url):
        raise PaymentSetupError(
            f"payments: no Stripe keys are set, and the offline sandbox takes no money: it "
            f"must not serve customers at {workspace.public_url}. Set {' and '.join(missing)} "
            "to take payments with Stripe, or write `payments: {provider: sandbox}` in "
            "flows.yaml to accept test payments on this public address"
        )
    return "sandbox"


def _stripe_keys(settings: PaymentSettings) -> tuple[tuple[str, str], ...]:
    """The Stripe settings' references with the variable they name (a plain value, refused by
    `resolve`, is named by its setting: never shown)."""
    return (
        (_key_name("api_key", settings.api_key), settings.api_key),
        (_key_name("webhook_secret", settings.webhook_secret), settings.webhook_secret),
    )


def _key_name(setting: str, reference: str) -> str:
    if is_reference(reference):
        return reference.removeprefix("env:")
    return f"payments.stripe.{setting} (as env:NAME)"


def _resolves(reference: str, environ: Mapping[str, str]) -> bool:
    try:
        resolve(reference, environ)
    except SecretError:
        return False
    return True


def _on_this_machine(public_url: str | None) -> bool:
    """No public URL (customers reach http://host:port), or one on localhost or loopback."""
    if public_url is None:
        return True
    host = urlsplit(public_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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

    api_key = resolve(settings.api_key, environ).reveal()  # provider_name made sure they resolve
    webhook_secret = resolve(settings.webhook_secret, environ).reveal()
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
    news: OrderNews | None = None,
) -> Payments:
    env = os.environ if environ is None else environ
    provider = _provider(workspace, orders, clock, env)
    return Payments(
        orders,
        provider,
        notify,
        public_url=workspace.base_url,
        clock=clock,
        fault=fault,
        news=news,
    )
