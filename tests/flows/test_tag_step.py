"""The `tag:` and `untag:` steps as a flow author writes them: names checked at their line, a
template made a tag when it runs, a value that makes none left out and recorded, and what a
conversation test sees (`tags:`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from framework.flows import Bot, load_bot
from framework.flows.engine import step
from framework.flows.events import Message, Record, TagChange
from framework.flows.session import new_session
from framework.testing.conversations import load_tests, review_test
from tests.flows.test_reader_errors import errors, problems_of, where, with_steps, write_bot

NOW = datetime(2026, 11, 27, 19, 0, tzinfo=ZoneInfo("Europe/London"))

EXTRA = """\
  size: {type: choice, options: {small: {name: Small}, large: {name: Extra Large}}}
  note: {type: text}
"""
STEPS = """\
      - ask: size
        text: Which size?
      - tag: [ordered, "size_{{ size }}"]
      - untag: browsing
      - ask: note
        text: Anything else?
      - tag: "{{ note }}"
      - untag: [ordered]
      - say: Done
"""


def bot_with(tmp_path: Path, steps: str = STEPS):  # type: ignore[no-untyped-def]
    return load_bot(write_bot(tmp_path / "bot", with_steps(steps, extra=EXTRA)))


def turns(tmp_path: Path, *said: str) -> list[list[object]]:
    return effects_of(bot_with(tmp_path), *said)


def effects_of(bot: Bot, *said: str) -> list[list[object]]:
    """Each message's effects, said in turn in one conversation."""
    session = new_session(bot)
    effects = []
    for text in said:
        result = step(bot, session, Message(text, NOW))
        session = result.session
        effects.append(result.effects)
    return effects


def test_tags_are_given_and_taken_as_effects_of_the_turn(tmp_path: Path) -> None:
    _, chosen, noted = turns(tmp_path, "hallo", "large", "Extra cheese")
    changes = [e for e in chosen if isinstance(e, TagChange)]
    assert changes == [TagChange(("ordered", "size_large")), TagChange((), ("browsing",))]
    changes = [e for e in noted if isinstance(e, TagChange)]
    assert changes == [TagChange(("extra_cheese",)), TagChange((), ("ordered",))]


def test_a_value_that_makes_no_tag_is_left_out_and_recorded(tmp_path: Path) -> None:
    *_, noted = turns(tmp_path, "hallo", "small", "?!" * 30)
    assert TagChange((), ("ordered",)) in noted
    [refused] = [e for e in noted if isinstance(e, Record) and e.name == "tag_refused"]
    assert refused.data == {"step": "tag", "value": "?!" * 30}
    assert not [e for e in noted if isinstance(e, TagChange) and e.add]


def test_written_names_that_are_no_tags_are_problems_at_their_line(tmp_path: Path) -> None:
    steps = '      - tag: [Vegetarian, ok_tag, "zu lang' + "x" * 40 + '"]\n      - untag: "a b"\n'
    found = errors(problems_of(tmp_path, with_steps(steps)))
    assert [(where(p)[1:], p.message[:28]) for p in found] == [
        ((8, 15), "tag: 'Vegetarian' is not a t"),
        ((8, 35), "tag: 'zu langxxxxxxxxxxxxxxx"),
        ((9, 16), "untag: 'a b' is not a tag: 1"),
    ]


def test_a_template_naming_an_unknown_slot_is_a_problem(tmp_path: Path) -> None:
    found = errors(problems_of(tmp_path, with_steps('      - tag: "size_{{ sise }}"\n')))
    assert len(found) == 1 and "sise" in found[0].message


def reviewed(bot: Bot, folder: Path, tests: str) -> list[str]:
    """The problems the conversation test `tests` (YAML) finds with the bot."""
    (folder / "tests.yaml").write_text(tests, encoding="utf-8")
    [test] = load_tests(folder / "tests.yaml")
    return review_test(bot, test).problems


def test_a_conversation_test_checks_the_tags(tmp_path: Path) -> None:
    problems = reviewed(
        bot_with(tmp_path),
        tmp_path,
        "tests:\n  - turns:\n      - user: hallo\n        tags: []\n"
        "      - user: large\n        tags: [size_large, ordered]\n"
        "      - user: extra cheese\n        tags: [size_large]\n",
    )
    assert problems == [
        "turn 3: the contact's tags are ['extra_cheese', 'size_large'], expected ['size_large']"
    ]
