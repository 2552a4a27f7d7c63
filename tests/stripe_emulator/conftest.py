"""Fixtures of the emulator's own tests; the emulator process itself is started once for the
whole run by the root conftest.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import stripe

from tests.stripe_emulator.fixture import new_api_key, open_stripe_client


@pytest.fixture
def api_key() -> str:
    return new_api_key()


@pytest.fixture
async def stripe_client(stripe_emulator: str, api_key: str) -> AsyncIterator[stripe.StripeClient]:
    async with open_stripe_client(stripe_emulator, api_key) as client:
        yield client
