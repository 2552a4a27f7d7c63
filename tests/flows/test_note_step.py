"""The `note:` step as a flow author writes it: the named slots' answers kept on the contact as
text (a choice's id in every language, yes/no, a number, a list of ids), a slot without a
value keeping nothing, names and slots checked at their line, and what a conversation test
sees (`answers:`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from framework.flows import load_bot
from framework.flows.events import AnswersKept, Record
from tests.flows.test_reader_errors import errors, problems_of, where, with_steps, write_bot
from tests.flows.test_tag_step import effects_of, reviewed

NOW = datetime(2026, 11, 27, 19, 0, tzinfo=ZoneInfo("Europe/London"))

EXTRA = """\
  diet:
    type: choice
    options:
      vegetarian: {name: {en: Vegetarian, de: Vegetarisch}}
      vegan: {name: Vegan}
  city: {type: text}
  guests: {type: integer, min: 1, max: 20}
  news: {type: yes_no}
  extras: {type: choices, options: {cheese: {name: Cheese}, olives: {name: Olives}}}
"""
STEPS = """\
      - ask: diet
        text: Which diet?
      - note: diet
      - ask: city
        text: Where do you live?
      - note: [city, guests]
      - ask: guests
        text: How many?
      - ask: news
        text: News?
      - ask: extras
        text: Extras?
      - note: [guests, news, extras, diet]
      - say: Done
"""


def bot_with(tmp_path: Path, steps: str = STEPS):  # type: ignore[no-untyped-def]
    return load_bot(write_bot(tmp_path / "bot", with_steps(steps, extra=EXTRA)))


def kept_in(tmp_path: Path, *said: str) -> list[list[object]]:
    return [
        [e for e in effects if isinstance(e, AnswersKept | Record)]
        for effects in effects_of(bot_with(tmp_path), *said)
    ]


def test_answers_are_kept_as_text_in_the_turn(tmp_path: Path) -> None:
    said = ("hallo", "Vegetarian", "  Hamburg   Altona ", "4", "yes", "cheese olives")
    turns = kept_in(tmp_path, *said)
    _, diet, city, _, _, last = turns
    assert [e for e in diet if isinstance(e, AnswersKept)] == [
        AnswersKept((("diet", "vegetarian"),))  # the choice's id, not its name
    ]
    assert [e for e in city if isinstance(e, AnswersKept)] == [
        AnswersKept((("city", "Hamburg Altona"),))  # guests has no value yet: nothing kept
    ]
    [answers] = [e for e in last if isinstance(e, AnswersKept)]
    assert dict(answers.answers) == {
        "guests": "4",
        "news": "yes",
        "extras": "cheese, olives",
        "diet": "vegetarian",
    }


def test_an_answer_too_long_to_keep_is_left_out_and_recorded(tmp_path: Path) -> None:
    _, _, city = kept_in(tmp_path, "hallo", "vegan", "x " * 150)
    assert not [e for e in city if isinstance(e, AnswersKept)]
    [refused] = [e for e in city if isinstance(e, Record) and e.name == "answer_refused"]
    assert refused.data == {"step": "note", "slot": "city"}


def test_names_that_cannot_be_answers_and_unknown_slots_are_problems(tmp_path: Path) -> None:
    steps = "      - note: [Diet, city]\n      - note: dieet\n"
    found = errors(problems_of(tmp_path, with_steps(steps, extra=EXTRA)))
    assert sorted((where(p)[1:], p.message[:34]) for p in found) == [
        ((17, 16), "note: 'Diet' is not an answer's na"),
        ((18, 9), "note: unknown slot 'dieet'"),
    ]
    assert "diet" in next(p.hint for p in found if "dieet" in p.message)


def test_a_conversation_test_checks_the_answers(tmp_path: Path) -> None:
    problems = reviewed(
        bot_with(tmp_path),
        tmp_path,
        "tests:\n  - turns:\n      - user: hallo\n        answers: {}\n"
        "      - user: vegan\n        answers: {diet: vegan}\n"
        "      - user: Berlin\n        answers: {diet: vegan, city: Hamburg}\n",
    )
    assert problems == [
        "turn 3: the contact's answers are {'diet': 'vegan', 'city': 'Berlin'}, expected "
        "{'diet': 'vegan', 'city': 'Hamburg'}"
    ]
