"""Lets pytest collect the YAML conversation tests of every bot (bots/*/tests/*.yaml), and
starts one Stripe emulator process (localstripe + Checkout extension) for the whole run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.stripe_emulator.fixture import start_emulator

pytest_plugins = ["framework.testing.pytest_plugin"]


@pytest.fixture(scope="session")
def stripe_emulator() -> Iterator[str]:
    with start_emulator() as base_url:
        yield base_url


@pytest.fixture(autouse=True)
def no_payment_keys_from_the_developer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests choose their payment provider themselves: keys a developer has exported (one
    without the other stops the server) never leak into them."""
    for name in ("STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE"):
        monkeypatch.delenv(name, raising=False)
