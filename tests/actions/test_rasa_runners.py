"""rasa-sdk actions, unchanged, run in-process and behind a real `python -m rasa_sdk` server
give the same outcomes; every status of the protocol, timeouts and unreachable servers end
as the ActionOutcome or ActionError they mean."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from framework.action_calls import ActionError, ActionOutcome, OutgoingMessage, Reminder
from framework.actions.rasa_local import RasaInProcess, RasaMissing
from framework.actions.rasa_protocol import action_call
from framework.actions.rasa_remote import MAX_ANSWER, RemoteRasa
from tests.actions.rasa_server import NAMES, SAMPLE, action_server, context, domain, post_raw
from tests.runtime.processes import free_port


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with action_server() as url:
        yield url


@pytest.fixture
async def remote(server: str) -> AsyncIterator[RemoteRasa]:
    runner = RemoteRasa(server, NAMES, domain(), timeout=5.0)
    yield runner
    await runner.close()


@pytest.fixture(scope="module")
def local() -> RasaInProcess:
    return RasaInProcess(SAMPLE, domain())


CALLS = [
    ("action_quote_price", {}),
    ("action_checkout", {}),
    ("action_start_over", {}),
    ("action_handoff", {}),
    ("action_remind", {}),
    ("validate_order", {"quantity": 25}),
    ("validate_order", {"quantity": "3"}),
]


@pytest.mark.parametrize(("action", "slots"), CALLS)
async def test_in_process_and_remote_give_the_same_outcome(
    local: RasaInProcess, remote: RemoteRasa, action: str, slots: dict[str, object]
) -> None:
    ctx = context(action, **slots)
    assert await local.run(ctx) == await remote.run(ctx)


async def test_slots_messages_and_buttons_of_an_action(local: RasaInProcess) -> None:
    outcome = await local.run(context("action_quote_price"))
    assert outcome == ActionOutcome(
        slots={"amount_cents": 1900},
        messages=(
            OutgoingMessage("2x salami: 19.00 EUR", (("Order", "/order"), ("Cancel", "/cancel"))),
            OutgoingMessage(image="https://example.com/pizza.png"),
            OutgoingMessage(custom={"card": {"amount": 1900}}),
        ),
    )


async def test_followup_reset_handoff_and_reminders(local: RasaInProcess) -> None:
    checkout = await local.run(context("action_checkout"))
    assert (checkout.start, checkout.messages) == (
        "checkout",
        (OutgoingMessage(text_name="human"),),
    )
    start_over = await local.run(context("action_start_over"))
    assert (start_over.reset_slots, start_over.slots) == (True, {"quantity": 1})
    assert (await local.run(context("action_handoff"))).handoff is True
    assert (await local.run(context("action_remind"))).reminders == (
        Reminder("pickup", datetime(2026, 12, 4, 19, 30, tzinfo=UTC), "order"),
        Reminder("old_reminder", None, None),
    )


async def test_a_form_validation_action_validates_the_slots_of_its_form(
    local: RasaInProcess,
) -> None:
    refused = await local.run(context("validate_order", quantity=25))
    assert refused.slots == {"item": "salami", "quantity": None}  # every slot of the form
    assert refused.messages == (OutgoingMessage("We bake at most 20 at a time."),)
    assert (await local.run(context("validate_order", quantity="3"))).slots["quantity"] == 3


@pytest.mark.parametrize(
    ("action", "says"),
    [
        ("action_refuse", "refused: no delivery to this address"),
        ("action_broken", "failed"),
        ("action_unknown", "unknown Rasa action"),
    ],
)
async def test_refused_failed_and_unknown_actions_are_action_errors(
    local: RasaInProcess, remote: RemoteRasa, server: str, action: str, says: str
) -> None:
    """400, 500 and 404 from the real server; the same errors in-process."""
    with pytest.raises(ActionError, match=says):
        await local.run(context(action))
    wide = RemoteRasa(server, NAMES | {action}, domain(), timeout=5.0)
    with pytest.raises(ActionError, match=says):
        await wide.run(context(action))
    await wide.close()


async def test_the_server_answers_each_status_of_the_protocol(server: str) -> None:
    """What RemoteRasa maps is what the real server sends."""
    url = f"{server}/webhook"

    def body(action: str, with_domain: bool = True) -> dict[str, object]:
        return action_call(context(action), domain() if with_domain else None, "d1")

    assert await post_raw(url, body("action_handoff")) == 200
    assert await post_raw(url, body("action_refuse")) == 400
    assert await post_raw(url, body("action_unknown")) == 404
    assert await post_raw(url, body("action_broken")) == 500
    assert await post_raw(url, {**body("action_handoff", False), "domain_digest": "new"}) == 449


async def test_a_449_is_answered_by_sending_the_domain_once(
    server: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A domain the server has not seen (another digest): 449, then the resend succeeds."""
    runner = RemoteRasa(server, NAMES, domain(extra_action="action_new"), timeout=5.0)
    with caplog.at_level(logging.DEBUG, logger="framework.actions.rasa_remote"):
        assert (await runner.run(context("action_handoff"))).handoff is True
        assert (await runner.run(context("action_handoff"))).handoff is True
    await runner.close()
    asked = [r for r in caplog.records if "asks for the domain" in r.getMessage()]
    assert len(asked) == 1


async def test_a_slow_action_ends_in_an_action_error_within_the_timeout(server: str) -> None:
    runner = RemoteRasa(server, NAMES, domain(), timeout=0.3)
    started = time.monotonic()
    with pytest.raises(ActionError, match=r"did not answer within 0\.3 s"):
        await runner.run(context("action_slow"))
    assert time.monotonic() - started < 0.3 + 0.5  # the action itself sleeps 2 s
    await runner.close()


async def test_a_server_that_is_not_there_is_an_action_error() -> None:
    runner = RemoteRasa(f"http://127.0.0.1:{free_port()}", NAMES, domain(), timeout=2.0)
    with pytest.raises(ActionError, match="cannot be reached"):
        await runner.run(context("action_handoff"))
    await runner.close()


async def test_an_action_not_configured_is_not_sent() -> None:
    runner = RemoteRasa("http://127.0.0.1:9", NAMES, domain(), timeout=1.0)
    with pytest.raises(ActionError, match="not configured"):
        await runner.run(context("action_other"))
    await runner.close()


@pytest.mark.parametrize(
    ("status", "answer", "says"),
    [
        (200, b"not json", "not JSON"),
        (200, b"[1, 2]", "not a JSON object"),
        (200, b'{"events": "x"}', "not a list"),
        (200, b" " * (MAX_ANSWER + 10), "over"),
        (503, b"{}", "status 503"),
        (500, b'{"error": "boom", "request_body": {"x": 1}}', "failed on the action server: boom"),
    ],
)
async def test_a_broken_server_is_an_action_error(status: int, answer: bytes, says: str) -> None:
    seen: list[web.Request] = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append(request)
        return web.Response(status=status, body=answer, content_type="application/json")

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    async with TestServer(app) as test_server:
        runner = RemoteRasa(str(test_server.make_url("/")), NAMES, domain(), 2.0, token="t0k")
        ctx = context("action_handoff")
        with pytest.raises(ActionError, match=says):
            await runner.run(ctx)
        await runner.close()
    assert seen[0].headers["Idempotency-Key"] == ctx.request_id
    assert seen[0].query["token"] == "t0k"


async def test_without_rasa_sdk_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "rasa_sdk.executor", None)
    with pytest.raises(RasaMissing, match=r"pip install 'theke\[rasa\]'"):
        RasaInProcess(SAMPLE, domain())


def test_a_module_that_does_not_import_is_an_action_error(tmp_path: object) -> None:
    from pathlib import Path

    broken = Path(str(tmp_path)) / "actions.py"
    broken.write_text("import not_a_module_anywhere\n", encoding="utf-8")
    with pytest.raises(ActionError, match="cannot be imported"):
        RasaInProcess(broken, domain())


async def test_a_plain_run_does_not_hold_up_the_event_loop(local: RasaInProcess) -> None:
    """action_checkout's run is a plain function: it runs on a thread."""
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    await local.run(context("action_checkout"))
    ticker.cancel()
    assert ticks > 0
