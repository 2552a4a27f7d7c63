"""The plain-answer shortcut (framework/flows/plain_answers.py) gives the turns of the long way.

Every turn of the pizza bot's conversation tests and of two sets of customers' conversations
is played twice, with the shortcut and without it, and the sessions and effects compared turn
by turn. (On 2026-12-06 the same comparison over every conversation under tests/understanding
and every bot's tests, 37,943 turns of which 2,430 took the shortcut, found no difference.)
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import framework.flows.engine as engine
import framework.testing.till as till
from framework.flows import Message, load_bot, new_session, step
from framework.flows.model import Bot
from framework.flows.plain_answers import is_plain_answer
from framework.flows.turn import Turn
from framework.testing.conversations import load_tests, review_test

ROOT = Path(__file__).resolve().parents[2]
PIZZA = ROOT / "bots" / "pizza"
PLAYED = [
    *sorted((PIZZA / "tests").glob("*.yaml")),
    *sorted((ROOT / "tests" / "understanding" / "corpus").glob("*.yaml")),
    *sorted((ROOT / "tests" / "understanding" / "holdout50").glob("*.yaml")),
]


@pytest.fixture(scope="module")
def pizza() -> Bot:
    return load_bot(PIZZA)


def _turns(bot: Bot, path: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    played: list[tuple[str, str, str]] = []

    def recording(bot: Bot, session: Any, event: Any) -> Any:
        result = step(bot, session, event)
        state = json.dumps(result.session, sort_keys=True, default=str)
        played.append((repr(event), state, repr(result.effects)))
        return result

    monkeypatch.setattr(till, "step", recording)
    understanding = path.parent.parent.name == "understanding"
    for test in load_tests(path):
        review_test(bot, test, lang=bot.business.language if understanding else None)
    return played


@pytest.mark.parametrize("path", PLAYED, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_the_shortcut_plays_every_turn_as_the_long_way(
    pizza: Bot, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = 0

    def counted(turn: Turn, text: str) -> bool:
        nonlocal taken
        plain = is_plain_answer(turn, text)
        taken += plain
        return plain

    monkeypatch.setattr(engine, "is_plain_answer", counted)
    short = _turns(pizza, path, monkeypatch)
    monkeypatch.setattr(engine, "is_plain_answer", lambda turn, text: False)
    long = _turns(pizza, path, monkeypatch)
    assert len(short) == len(long)
    for shortcut, long_way in zip(short, long, strict=True):
        assert shortcut == long_way, f"the turn of {long_way[0]} differs"
    if path.name == "ordering.yaml":
        assert taken > 20  # the shortcut is taken, not merely harmless


def _asked(bot: Bot, *messages: str) -> Turn:
    """A turn on the session after `messages`, as the engine would start the next one."""
    now = datetime.fromisoformat("2026-11-27T19:00+01:00")
    session = new_session(bot)
    for text in messages:
        session = step(bot, session, Message(text, now)).session
    return Turn(bot, session, now)


@pytest.mark.parametrize(
    ("messages", "text", "plain"),
    [
        (["eine Salami"], "groß", True),
        (["eine Salami"], "Groß!", True),
        (["eine Salami"], "groß, und eine Cola", False),
        (["eine Salami"], "groß oder mittel?", False),
        (["eine Salami"], "Salami", False),
        (["eine Salami", "groß"], "keine", True),
        (["eine Salami", "groß"], "Oliven", True),
        (["eine Salami", "groß"], "keine Oliven aber Zwiebeln", False),
        (["eine Salami", "groß", "keine"], "nein", True),
        (["eine Salami", "groß", "keine"], "nein danke", True),
        (["eine Salami", "groß", "keine"], "nein danke, doch zwei", False),
        (["eine Salami", "groß", "keine", "nein"], "liefern", True),
        (["zwei Salami", "groß", "keine", "nein", "liefern"], "Weserstraße 5, 12047 Berlin", True),
        (["zwei Salami", "groß", "keine", "nein", "liefern"], "12047 Berlin, Weserstr. 5.", True),
        (["zwei Salami", "groß", "keine", "nein", "liefern"], "Weserstraße 5, 12047, 3. OG", False),
        (["zwei Salami", "groß", "keine", "nein", "liefern"], "Weserstr. 5, 12047 + Cola", False),
        (["eine Salami", "groß", "keine", "nein", "abholen"], "ja", True),  # confirms
        (["eine Salami", "groß", "keine", "nein", "abholen"], "ja, gerne", False),
        (["eine Salami", "groß", "keine", "nein", "abholen"], "ja, aber mittel", False),
    ],
)
def test_only_a_whole_plain_answer_takes_the_shortcut(
    pizza: Bot, messages: list[str], text: str, plain: bool
) -> None:
    assert is_plain_answer(_asked(pizza, *messages), text) is plain
