"""The `action:` step as a flow author uses it: a Python action in the bot folder, run by the
same driver `theke chat` and `theke test` use (the runtime's is tested in tests/runtime)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from framework.actions.blocking import BlockingActions
from framework.actions.performing import BotActions
from framework.cli import main
from framework.flows import Message, Record, load_bot, new_session
from framework.flows.language.reader import read_bot
from framework.flows.model import Bot
from framework.testing.conversations import load_tests, review_test
from framework.testing.till import Till

NOW = datetime(2026, 11, 27, 19, 0, tzinfo=ZoneInfo("Europe/Berlin"))

BOT = """
name: kiosk
business: {name: Kiosk, locale: de-DE, languages: [de, en], currency: EUR,
           timezone: Europe/Berlin}
slots:
  street: {type: text}
  minutes: {type: integer}
  zone: {type: text}
flows:
  estimate:
    triggers: [lieferzeit]
    steps:
      - ask: street
        text: Welche Straße?
      - action: delivery_estimate
        args: {street: "{{ street }}", rush: true}
        save: {eta: minutes}
        on_error:
          - say: Das kann ich gerade nicht ausrechnen.
          - end
      - say: "Etwa {{ minutes }} Minuten nach {{ zone }}."
  echo:
    triggers: [echo]
    steps:
      - action: echo
      - say: danach
  broken:
    triggers: [kaputt]
    steps:
      - action: explode
        on_error:
          - say: Das hat nicht geklappt.
      - say: weiter
  unknown:
    triggers: [unbekannt]
    steps:
      - action: nobody_wrote_this
        on_error:
          - say: unbekannt gescheitert
  slow:
    triggers: [langsam]
    steps:
      - action: sleepy
        timeout: 1s
        on_error:
          - say: zu langsam
  followup:
    triggers: [weiter gehts]
    steps:
      - action: send_to_echo
      - say: zurück
  remind:
    triggers: [erinnern]
    steps:
      - action: remind_me
        args: {cancel: false}
      - say: gemerkt
  forget:
    triggers: [vergessen]
    steps:
      - action: remind_me
        args: {cancel: true}
      - say: vergessen
  counted:
    triggers: [zählen]
    steps:
      - action: count_calls
      - action: count_calls
      - say: "{{ zone }}"
"""

ACTIONS = """
import asyncio, time
from framework.actions import ActionOutcome, OutgoingMessage, Reminder, action

CALLS = []

@action("delivery_estimate")
async def delivery_estimate(context):
    CALLS.append(context)
    eta = 25 + (15 if context.args["rush"] else 0) + len(context.cart) * 5
    return ActionOutcome(slots={"eta": eta, "zone": "Altstadt", "not_a_slot": 1})

@action("echo")
def echo(context):  # a plain function: runs in a worker thread
    return ActionOutcome(messages=(OutgoingMessage(
        "Du schriebst: " + context.message + " {{ zone }}",
        buttons=(("Ja", "/ja"),)),))

@action("explode")
async def explode(context):
    raise RuntimeError("the shop's database is down")

@action("sleepy")
async def sleepy(context):
    await asyncio.sleep(30)

@action("send_to_echo")
async def send_to_echo(context):
    return ActionOutcome(start="echo")

@action("remind_me")
async def remind_me(context):
    from datetime import timedelta
    at = None if context.args["cancel"] else context.now + timedelta(hours=1)
    return ActionOutcome(reminders=(Reminder("call_back", at, flow="echo"),))

@action("count_calls")
async def count_calls(context):
    CALLS.append(context)
    return {"zone": context.request_id}
"""


@pytest.fixture
def kiosk(tmp_path: Path) -> Bot:
    (tmp_path / "bot.yaml").write_text(BOT, encoding="utf-8")
    (tmp_path / "actions.py").write_text(ACTIONS, encoding="utf-8")
    return load_bot(tmp_path)


class Chat:
    """A conversation driven like `theke chat` drives it."""

    def __init__(self, bot: Bot) -> None:
        self.bot, self.session = bot, new_session(bot)
        self.actions = BlockingActions(BotActions.of(bot), bot.name, "ada", "console")
        self.till = Till(bot, NOW, self.actions)
        self.records: list[Record] = []

    def say(self, text: str) -> list[str]:
        result = self.till.step(self.session, Message(text, NOW))
        self.session = result.session
        self.records += [e for e in result.effects if isinstance(e, Record)]
        return [reply.text for reply in result.replies]


@pytest.fixture
def chat(kiosk: Bot) -> Iterator[Chat]:
    conversation = Chat(kiosk)
    yield conversation
    conversation.actions.close()


def calls(bot: Bot) -> list[object]:
    import sys

    module = sys.modules[f"theke_bot_{bot.name}_actions"]
    return module.CALLS  # type: ignore[no-any-return]


def test_an_action_gets_the_conversation_and_its_results_fill_slots(kiosk: Bot, chat: Chat) -> None:
    assert chat.say("lieferzeit") == ["Welche Straße?"]
    assert chat.say("Hauptstraße 5") == ["Etwa 40 Minuten nach Altstadt."]
    context = calls(kiosk)[-1]
    assert context.args == {"street": "Hauptstraße 5", "rush": True}  # type: ignore[attr-defined]
    assert context.message == "Hauptstraße 5"  # type: ignore[attr-defined]
    assert context.slots["street"] == "Hauptstraße 5"  # type: ignore[attr-defined]
    assert (context.bot, context.sender, context.lang) == ("kiosk", "ada", "de")  # type: ignore[attr-defined]
    assert chat.session["slots"]["minutes"] == 40
    assert "not_a_slot" not in chat.session["slots"]
    ignored = [r for r in chat.records if r.name == "action_value_ignored"]
    assert ignored and ignored[0].data["value"] == "not_a_slot"


def test_an_actions_message_is_shown_as_written_never_as_a_template(chat: Chat) -> None:
    result = chat.till.step(chat.session, Message("echo", NOW))
    first = result.replies[0]
    assert first.text == "Du schriebst: echo {{ zone }}"
    assert [(b.title, b.payload) for b in first.buttons] == [("Ja", "/ja")]
    assert [r.text for r in result.replies][1:] == ["danach"]


def test_an_action_that_raises_runs_the_on_error_block_and_the_flow_goes_on(
    chat: Chat,
) -> None:
    assert chat.say("kaputt") == ["Das hat nicht geklappt.", "weiter"]
    failed = [r for r in chat.records if r.name == "action_failed"]
    assert failed[0].data == {"action": "explode", "error": "raised RuntimeError"}


def test_an_unknown_action_fails_into_on_error(chat: Chat) -> None:
    assert chat.say("unbekannt") == ["unbekannt gescheitert"]


def test_a_hanging_action_ends_at_its_timeout(chat: Chat) -> None:
    assert chat.say("langsam") == ["zu langsam"]


def test_an_action_can_start_a_flow_and_the_caller_goes_on_after_it(chat: Chat) -> None:
    replies = chat.say("weiter gehts")
    assert replies == ["Du schriebst: weiter gehts {{ zone }}", "danach", "zurück"]


def test_an_actions_reminder_starts_its_flow_when_due_and_can_be_cancelled(chat: Chat) -> None:
    assert chat.say("erinnern") == ["gemerkt"]
    fired = chat.till.outside(chat.session, {"wait": "2h"})
    assert fired is not None
    assert [reply.text for reply in fired.replies] == ["Du schriebst:  {{ zone }}", "danach"]
    assert chat.say("erinnern") == ["gemerkt"]
    assert chat.say("vergessen") == ["vergessen"]
    assert chat.till.timers == {}


def test_each_call_in_a_turn_has_its_own_idempotency_key(kiosk: Bot, chat: Chat) -> None:
    (key,) = chat.say("zählen")
    first, second = (c.request_id for c in calls(kiosk)[-2:])  # type: ignore[attr-defined]
    assert first != second and key == second


def test_a_conversation_test_can_replace_an_action_by_name(kiosk: Bot, tmp_path: Path) -> None:
    tests = tmp_path / "tests.yaml"
    tests.write_text(
        """
tests:
  - name: the kitchen is slow tonight
    actions:
      delivery_estimate: {slots: {eta: 75, zone: Neustadt}}
    turns:
      - user: lieferzeit
      - user: Ringstraße 1
        bot: [Etwa 75 Minuten nach Neustadt.]
  - name: the estimate is down
    actions:
      delivery_estimate: {error: timeout}
    turns:
      - user: lieferzeit
      - user: Ringstraße 1
        bot: [Das kann ich gerade nicht ausrechnen.]
""",
        encoding="utf-8",
    )
    reviews = [review_test(kiosk, test) for test in load_tests(tests)]
    assert [review.problems for review in reviews] == [[], []]


def test_a_missing_actions_file_named_in_bot_yaml_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "bot.yaml").write_text(
        BOT.replace("slots:", "actions: {python: shop_actions.py}\nslots:", 1), encoding="utf-8"
    )
    _bot, problems = read_bot(tmp_path)
    assert any("no file 'shop_actions.py'" in str(problem) for problem in problems)


def test_theke_check_names_a_step_calling_an_action_nobody_wrote(
    kiosk: Bot, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = Path(kiosk.files[0]).parent
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "bot.yaml:37:9: error" in out and "no action 'nobody_wrote_this'" in out
    assert "known: count_calls, delivery_estimate, echo" in out


def test_theke_check_says_when_the_actions_file_does_not_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bot.yaml").write_text(BOT, encoding="utf-8")
    (tmp_path / "actions.py").write_text("import no_such_module_anywhere\n", encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "actions: actions.py does not import: ModuleNotFoundError" in out
