"""Finding 12: no phone number, name, address or message text in logs at the default level, and
pseudonyms that cannot be reversed by hashing guessed numbers.

The attack: a customer orders through WhatsApp, gives a delivery address, changes their number
(Meta's `user_changed_number` system message names both numbers and the customer), sends
something Theke cannot read, and a reply cannot be delivered. Everything logged at INFO and above
is then searched for what identifies them.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from framework import logs
from framework.logs import LogKeyError, configure_logging, pseudonym
from tests.channels.shop import eventually
from tests.channels.test_whatsapp_channel import said, webhook, whatsapp_shop
from tests.fakes import webhooks as wa

NEW_NUMBER = "16315559876"
SECRETS_OF_THE_CUSTOMER = (
    wa.CUSTOMER.wa_id or "",
    NEW_NUMBER,
    wa.CUSTOMER.name,
    "Kerry",
    "Geheimweg",
    "große Salami",
)


@pytest.fixture
def fresh_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test reads THEKE_LOG_KEY afresh, as a new process would."""
    monkeypatch.delenv(logs.KEY_VARIABLE, raising=False)
    logs._key.cache_clear()
    yield
    logs._key.cache_clear()


def number_changed(old: str, new: str) -> dict[str, object]:
    """Meta's system message when a customer moves to another phone number (§1.5)."""
    return wa.message(
        "system",
        {
            "system": {
                "body": f"{wa.CUSTOMER.name} changed from {old} to {new}",
                "wa_id": new,
                "type": "user_changed_number",
            }
        },
    )


def everything_logged(records: list[logging.LogRecord]) -> str:
    formatter = logs.JsonFormatter()
    return "\n".join(formatter.format(record) for record in records)


async def test_whatsapp_logs_name_no_customer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with whatsapp_shop(tmp_path, monkeypatch) as (graph, client):
        url = webhook(client)
        await graph.post_messages(url, wa.text("2 große Salami"))
        await said(graph, "Extras dazu?")
        await graph.post_messages(url, wa.text("Geheimweg 7, 10115 Berlin"))
        await graph.post_messages(url, number_changed(wa.CUSTOMER.wa_id or "", NEW_NUMBER))
        await graph.post_messages(url, wa.unsupported())
        graph.token_expired = True  # the next reply is refused: a failure is logged
        await graph.post_messages(url, wa.text("hallo?"))
        await eventually(
            lambda: any(r.getMessage() == "message not delivered" for r in caplog.records),
            "a delivery failure logged",
        )
    logged = everything_logged(caplog.records)
    for secret in SECRETS_OF_THE_CUSTOMER:
        assert secret not in logged
    assert "user_changed_number" in logged  # the system message was logged, by its type


def test_a_pseudonym_is_keyed_with_the_servers_secret(
    fresh_key: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "k" * 40
    session = "pizza:whatsapp:+4915112345678"
    monkeypatch.setenv(logs.KEY_VARIABLE, key)
    logs._key.cache_clear()
    expected = hmac.new(key.encode(), session.encode(), hashlib.sha256).hexdigest()[:16]
    assert pseudonym(session) == expected
    # the attack of the finding: hash a guessed number and look it up in the logs
    assert hashlib.sha256(session.encode()).hexdigest()[:12] not in pseudonym(session)
    logs._key.cache_clear()  # a restart with the same key: the same pseudonym
    assert pseudonym(session) == expected


def test_without_a_key_each_process_has_its_own(fresh_key: None) -> None:
    session = "pizza:whatsapp:+4915112345678"
    first = pseudonym(session)
    assert pseudonym(session) == first  # stable within the process
    logs._key.cache_clear()  # another process (or a restart)
    assert pseudonym(session) != first


def test_a_short_key_stops_the_start(fresh_key: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(logs.KEY_VARIABLE, "password")
    root, access = logging.getLogger(), logging.getLogger("aiohttp.access")
    handlers, levels = root.handlers[:], (root.level, access.level)
    try:
        with pytest.raises(LogKeyError, match="at least 32 characters"):
            configure_logging("info", json_lines=True)
    finally:
        root.handlers[:] = handlers
        root.setLevel(levels[0])
        access.setLevel(levels[1])


def test_a_lone_surrogate_in_a_session_key_still_has_a_pseudonym(fresh_key: None) -> None:
    assert len(pseudonym("pizza:rest:\ud800")) == 16
