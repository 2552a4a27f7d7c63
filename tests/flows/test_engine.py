"""Engine behaviours that conversation tests of the pizza bot do not reach."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from framework.flows import Message, Record, Remember, load_bot, new_session, step
from framework.flows.events import SetTimer, Timer
from framework.flows.model import Bot
from framework.flows.session import Session

NOW = datetime(2026, 11, 27, 19, 0, tzinfo=ZoneInfo("Europe/London"))
HEADER = """
name: tiny
business: {name: Tiny, locale: en-GB, languages: [en], currency: GBP, timezone: Europe/London}
"""


def make_bot(tmp_path: Path, body: str) -> Bot:
    (tmp_path / "bot.yaml").write_text(HEADER + body, encoding="utf-8")
    return load_bot(tmp_path)


def say(bot: Bot, session: Session, text: str) -> tuple[Session, list[str]]:
    result = step(bot, session, Message(text, NOW))
    return result.session, [reply.text for reply in result.replies]


def test_a_changed_bot_restarts_a_running_conversation_politely(tmp_path: Path) -> None:
    body = """
slots:
  name: {type: text}
flows:
  greet:
    triggers: [hello]
    steps:
      - ask: name
        text: Your name?
      - say: "Hi {{ name }}"
"""
    bot = make_bot(tmp_path, body)
    session, _ = say(bot, new_session(bot), "hello")
    changed = make_bot(tmp_path, body.replace("Your name?", "What is your name?"))
    assert changed.digest != bot.digest
    session, replies = say(changed, session, "Ada")
    assert replies[0] == "We've just updated our service, so let's start again."
    assert session["digest"] == changed.digest
    assert session["stack"] == []
    assert "name" not in session["slots"]


def test_an_idle_session_follows_a_changed_bot_silently(tmp_path: Path) -> None:
    bot = make_bot(tmp_path, "flows:\n  start:\n    steps:\n      - say: one\n")
    session, _ = say(bot, new_session(bot), "hi")
    changed = make_bot(tmp_path, "flows:\n  start:\n    steps:\n      - say: two\n")
    session, replies = say(changed, session, "hi")
    assert replies == ["two"]


def test_a_failing_step_leaves_the_session_unchanged(tmp_path: Path) -> None:
    bot = make_bot(
        tmp_path,
        """
slots:
  count: {type: integer}
flows:
  start:
    steps:
      - ask: count
        text: How many?
      - cart.add: {item: "{{ count }}"}
""",
    )
    session, _ = say(bot, new_session(bot), "hi")
    result = step(bot, session, Message("3", NOW))
    assert [r.text for r in result.replies] == [
        "Sorry, something went wrong on our side. Please try again."
    ]
    errors = [e for e in result.effects if isinstance(e, Record) and e.name == "flow_error"]
    assert errors and "not an item of the catalog" in errors[0].data["error"]
    assert result.session["slots"] == session["slots"]
    assert result.session["stack"] == session["stack"]


def test_a_flow_that_loops_without_waiting_is_stopped(tmp_path: Path) -> None:
    bot = make_bot(
        tmp_path,
        """
slots:
  n: {type: integer}
flows:
  start:
    steps:
      - set: {n: 1}
      - if: "n == 1"
        then:
          - goto: start
      - say: never
""",
    )
    result = step(bot, new_session(bot), Message("hi", NOW))
    assert any(isinstance(e, Record) and "loops" in e.data["error"] for e in result.effects)


def test_remembered_slots_become_effects_and_profile(tmp_path: Path) -> None:
    bot = make_bot(
        tmp_path,
        """
slots:
  email: {type: email, remember: true}
flows:
  start:
    steps:
      - ask: email
        text: Your email?
""",
    )
    session, _ = say(bot, new_session(bot), "hi")
    result = step(bot, session, Message("Ada@Example.ORG", NOW))
    assert Remember("email", "Ada@example.org") in result.effects
    assert result.session["profile"] == {"email": "Ada@example.org"}


def test_call_returns_and_on_fail_takes_over_after_the_attempts(tmp_path: Path) -> None:
    bot = make_bot(
        tmp_path,
        """
slots:
  age: {type: integer, min: 18, max: 120}
flows:
  start:
    steps:
      - call: ask_age
      - say: "back with {{ age }}"
  ask_age:
    steps:
      - ask: age
        text: Your age?
        attempts: 2
        on_fail:
          - set: {age: 18}
          - say: assuming 18
""",
    )
    session, _ = say(bot, new_session(bot), "hi")
    session, replies = say(bot, session, "5")
    assert replies == ["Please give a number from 18 to 120."]
    session, replies = say(bot, session, "7")
    assert replies == ["assuming 18", "back with 18"]
    assert session["stack"] == []


def test_goto_a_step_of_another_flow(tmp_path: Path) -> None:
    bot = make_bot(
        tmp_path,
        """
flows:
  start:
    steps:
      - goto: other.second
  other:
    steps:
      - say: first
      - say: second
        id: second
""",
    )
    _, replies = say(bot, new_session(bot), "hi")
    assert replies == ["second"]


@pytest.mark.parametrize("text", ["", "   ", "x" * 5000])
def test_unusable_messages_get_an_answer_and_change_nothing(tmp_path: Path, text: str) -> None:
    bot = make_bot(
        tmp_path,
        """
slots:
  name: {type: text}
flows:
  start:
    steps:
      - ask: name
        text: Your name?
""",
    )
    session, _ = say(bot, new_session(bot), "hi")
    after, replies = say(bot, session, text)
    assert replies[-1] == "Your name?"
    assert after["slots"] == session["slots"] and after["stack"] == session["stack"]


def test_customer_input_is_never_rendered_as_a_template(tmp_path: Path) -> None:
    bot = make_bot(
        tmp_path,
        """
slots:
  name: {type: text}
flows:
  start:
    steps:
      - ask: name
        text: Your name?
      - say: "Hello {{ name }}"
""",
    )
    session, _ = say(bot, new_session(bot), "hi")
    _, replies = say(bot, session, "{{ 7 * 7 }} {% for x in range(3) %}")
    assert replies == ["Hello {{ 7 * 7 }} {% for x in range(3) %}"]


def test_the_engine_does_not_change_the_session_it_is_given(tmp_path: Path) -> None:
    bot = load_bot(Path(__file__).parents[2] / "bots" / "pizza")
    session = new_session(bot)
    snapshot = repr(session)
    step(bot, session, Message("2 große Salami und eine Cola", NOW))
    assert repr(session) == snapshot


def test_a_waiting_conversation_asks_for_reminder_and_expiry_timers(tmp_path: Path) -> None:
    bot = make_bot(tmp_path, "timeouts: {reminder: 5m, expire: 30m}\n" + ASK_NAME)
    result = step(bot, new_session(bot), Message("hi", NOW))
    assert SetTimer("reminder", NOW + timedelta(minutes=5)) in result.effects
    assert SetTimer("expire", NOW + timedelta(minutes=30)) in result.effects
    done = step(bot, result.session, Message("Ada", NOW))
    assert SetTimer("reminder", None) in done.effects  # nothing to wait for: cancelled
    assert SetTimer("expire", None) in done.effects


def test_the_reminder_is_said_once_and_expiry_ends_the_conversation(tmp_path: Path) -> None:
    bot = make_bot(tmp_path, "timeouts: {reminder: 5m, expire: 30m}\n" + ASK_NAME)
    session = step(bot, new_session(bot), Message("hi", NOW)).session
    reminded = step(bot, session, Timer("reminder", NOW + timedelta(minutes=5)))
    assert [r.text for r in reminded.replies] == [
        "Are you still there? Just carry on – or say “cancel” if you don't need anything."
    ]
    expired = step(bot, reminded.session, Timer("expire", NOW + timedelta(minutes=30)))
    assert expired.session["stack"] == []
    assert any(isinstance(e, Record) and e.name == "expired" for e in expired.effects)


def test_a_reminder_made_stale_by_a_later_message_says_nothing(tmp_path: Path) -> None:
    bot = make_bot(tmp_path, "timeouts: {reminder: 5m, expire: 30m}\n" + ASK_NAME)
    session = step(bot, new_session(bot), Message("hi", NOW)).session
    later = NOW + timedelta(minutes=4)
    session = step(bot, session, Message("", later)).session  # an empty message is activity
    stale = step(bot, session, Timer("reminder", NOW + timedelta(minutes=5)))
    assert stale.replies == []


ASK_NAME = """
slots:
  name: {type: text}
flows:
  start:
    steps:
      - ask: name
        text: Your name?
"""
