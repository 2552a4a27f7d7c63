"""One Stripe emulator process (localstripe + Checkout extension) for the whole test run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import stripe

from tests.stripe_emulator.fixture import new_api_key, open_stripe_client, start_emulator


@pytest.fixture(scope="session")
def stripe_emulator() -> Iterator[str]:
    with start_emulator() as base_url:
        yield base_url


@pytest.fixture
def api_key() -> str:
    return new_api_key()


@pytest.fixture
async def stripe_client(stripe_emulator: str, api_key: str) -> AsyncIterator[stripe.StripeClient]:
    async with open_stripe_client(stripe_emulator, api_key) as client:
        yield client
