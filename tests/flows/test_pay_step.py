"""The pay step as authors write it: what `theke check` says about it, and what the engine
does with bills it cannot charge (an apology, a recorded flow error, an unchanged session)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from framework.flows.engine import step
from framework.flows.events import Message, PaymentRequest, Record
from framework.flows.language.reader import load_bot
from framework.flows.session import new_session
from tests.flows.test_reader_errors import problems_of, with_steps

NOW = datetime(2026, 11, 27, 19, 0, tzinfo=ZoneInfo("Europe/London"))


def pay_bot(tmp_path: Path, pay: str) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "bot.yaml").write_text(
        with_steps(f"""\
      - ask: quantity
        text: How many?
      - pay:
{pay}
"""),
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize(
    ("pay", "message"),
    [
        ("          items: [{name: T, price: 1}]\n          expires: 10m", "from 30m to 24h"),
        ("          items: [{name: T, price: 1}]\n          expires: 2d", "from 30m to 24h"),
        ("          items: [{name: T, price: 1}]\n          remind: 30m", "less than expires"),
        (
            "          items: [{name: T, price: 1}]\n"
            "          discounts: [{name: V, percent: 10, if: 'vouchr == 1'}]",
            "unknown name 'vouchr'",
        ),
        ("          items: []", "should be non-empty"),
        ("          items: [{name: T}]", "'price' is a required property"),
        ("          items: cart\n          on_payd: []", "on_payd"),
        ("          discounts: [{name: V}]", "discounts"),
    ],
)
def test_check_reports_pay_step_mistakes(tmp_path: Path, pay: str, message: str) -> None:
    problems = problems_of(
        tmp_path,
        with_steps(f"""\
      - pay:
{pay}
"""),
    )
    assert any(message in str(problem) for problem in problems), problems


def test_check_warns_when_the_cart_is_charged_but_never_filled(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, with_steps("      - pay: {}\n"))
    [warning] = [p for p in problems if "no flow adds anything" in str(p)]
    assert warning.warning


@pytest.mark.parametrize(
    ("price", "quantity"),
    [("-1.00", "1"), ("0.001", "1"), ("5.00", "{{ quantity - 10 }}"), ("abc", "1")],
)
def test_a_bill_that_cannot_be_charged_is_an_apology_and_changes_nothing(
    tmp_path: Path, price: str, quantity: str
) -> None:
    bot = load_bot(
        pay_bot(
            tmp_path, f'          items: [{{name: T, price: "{price}", quantity: "{quantity}"}}]'
        )
    )
    session = step(bot, new_session(bot), Message("hi", NOW)).session
    result = step(bot, session, Message("2", NOW))
    assert not [e for e in result.effects if isinstance(e, PaymentRequest)]
    assert [r.name for r in result.effects if isinstance(r, Record)] == ["flow_error"]
    assert result.session["stack"] == session["stack"]
    assert result.session["slots"] == session["slots"]
    assert "went wrong" in result.replies[0].text


def test_a_good_bill_asks_the_runtime_for_a_payment(tmp_path: Path) -> None:
    bot = load_bot(
        pay_bot(tmp_path, '          items: [{name: T, price: 2.50, quantity: "{{ quantity }}"}]')
    )
    session = step(bot, new_session(bot), Message("hi", NOW)).session
    result = step(bot, session, Message("3", NOW))
    [request] = [e for e in result.effects if isinstance(e, PaymentRequest)]
    assert request.bill is not None
    assert (request.action, request.bill.total, request.bill.currency) == ("start", 750, "GBP")
    assert request.expires_at is not None
    assert request.expires_at - NOW == timedelta(minutes=30)
    assert result.session["stack"][-1]["wait"] == "$pay"
