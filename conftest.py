"""Starts one Stripe emulator process (localstripe + Checkout extension) for the whole run.
The YAML conversation tests of every bot are collected by Theke's pytest plugin, registered
as a `pytest11` entry point in pyproject.toml."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.stripe_emulator.fixture import start_emulator


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
