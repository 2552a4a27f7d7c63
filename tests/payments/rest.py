"""Talking to a test server's REST channel as the customer "ada"."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient


async def say(client: TestClient, text: str) -> list[dict[str, Any]]:
    """The bot's replies (Rasa's REST format) to one message; the call must succeed."""
    response = await client.post("/webhooks/rest/webhook", json={"sender": "ada", "message": text})
    assert response.status == 200, await response.text()
    replies: list[dict[str, Any]] = await response.json()
    return replies
