"""Broken bots: every problem is reported at its file:line:column with a hint, never a crash."""

import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framework.flows.language.checker import check_bot
from framework.flows.language.problems import Problem
from framework.flows.language.reader import read_bot

HEAD = """\
name: tiny
business: {name: Tiny, locale: en-GB, languages: [en], currency: GBP, timezone: Europe/London}
slots:
  quantity: {type: integer, min: 1, max: 5}
"""
# Line 5 is `flows:`, line 6 `  start:`, line 7 `    steps:`, the first step is on line 8.
TINY = (
    HEAD
    + """\
flows:
  start:
    steps:
      - ask: quantity
        text: How many?
      - say: "You said {{ quantity }}"
"""
)


def write_bot(folder: Path, text: str | bytes, **flow_files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    main = folder / "bot.yaml"
    if isinstance(text, bytes):
        main.write_bytes(text)
    else:
        main.write_text(text, encoding="utf-8")
    if flow_files:
        (folder / "flows").mkdir()
        for name, content in flow_files.items():
            (folder / "flows" / f"{name}.yaml").write_text(content, encoding="utf-8")
    return folder


def all_problems(folder: Path) -> list[Problem]:
    """What `theke check` reports: the reader's problems, then the checker's."""
    bot, problems = read_bot(folder)
    if bot is not None:
        problems = problems + check_bot(bot)
    return problems


def problems_of(tmp_path: Path, text: str | bytes, **flow_files: str) -> list[Problem]:
    return all_problems(write_bot(tmp_path / "bot", text, **flow_files))


def only(problems: list[Problem], fragment: str) -> Problem:
    matching = [problem for problem in problems if fragment in problem.message]
    assert len(matching) == 1, f"{fragment!r} in {[str(p) for p in problems]}"
    return matching[0]


def where(problem: Problem) -> tuple[str, int, int]:
    return Path(problem.pos.file).name, problem.pos.line, problem.pos.column


def errors(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if not problem.warning]


def with_steps(steps: str, head: str = HEAD, extra: str = "") -> str:
    return head + extra + "flows:\n  start:\n    steps:\n" + steps


def test_the_tiny_bot_is_valid(tmp_path):
    bot, problems = read_bot(write_bot(tmp_path / "bot", TINY))
    assert problems == []
    assert bot is not None
    assert check_bot(bot) == []


def test_yaml_syntax_error(tmp_path):
    text = with_steps("      - ask: quantity\n        text: How: many?\n")
    problems = problems_of(tmp_path, text)
    problem = only(problems, "YAML syntax")
    assert "mapping values are not allowed" in problem.message
    assert where(problem) == ("bot.yaml", 9, 18)
    assert not problem.warning


def test_unclosed_bracket_is_a_yaml_syntax_error(tmp_path):
    problems = problems_of(tmp_path, with_steps("      - say: [unclosed\n"))
    assert where(only(problems, "YAML syntax")) == ("bot.yaml", 9, 1)


def test_duplicate_key_is_reported(tmp_path):
    text = with_steps("      - say: hi\n", extra="slots:\n  size: {type: text}\n")
    problem = only(problems_of(tmp_path, text), "appears twice")
    assert "'slots'" in problem.message
    assert (problem.pos.line, problem.pos.column) == (5, 1)
    assert not problem.warning


@pytest.mark.parametrize(
    ("extra", "line", "column"),
    [
        ("slots:\n  size: {type: text}\n", 5, 1),
        ("constants:\n  x: !!python/object/apply:os.system [ls]\n", 6, 6),
    ],
)
def test_loader_errors_are_placed_at_their_position(tmp_path, extra, line, column):
    problems = problems_of(tmp_path, with_steps("      - say: hi\n", extra=extra))
    assert [where(problem) for problem in problems] == [("bot.yaml", line, column)]


def test_python_tags_are_refused(tmp_path):
    extra = "constants:\n  x: !!python/object/apply:os.system [echo hacked]\n"
    bot, problems = read_bot(
        write_bot(tmp_path / "bot", with_steps("      - say: hi\n", extra=extra))
    )
    assert bot is None
    assert "is not allowed" in only(problems, "python/object").message


@pytest.mark.parametrize(
    ("text", "line", "column", "hint"),
    [
        (HEAD + "flow:\n  start:\n    steps:\n      - say: hi\n", 5, 1, "did you mean 'flows'?"),
        (
            HEAD + "flows:\n  start:\n    stepz:\n      - say: hi\n",
            7,
            5,
            "did you mean 'steps'?",
        ),
        (
            with_steps("      - ask: quantity\n        txt: How many?\n"),
            9,
            9,
            "did you mean 'text'?",
        ),
        (
            HEAD.replace("min: 1", "mni: 1") + "flows:\n  start:\n    steps:\n      - say: hi\n",
            4,
            29,
            "did you mean 'min'?",
        ),
    ],
)
def test_unknown_key_with_did_you_mean(tmp_path, text, line, column, hint):
    problem = only(problems_of(tmp_path, text), "unknown key")
    assert where(problem) == ("bot.yaml", line, column)
    assert problem.hint == hint
    assert not problem.warning


def test_misspelt_step_keyword_gets_a_did_you_mean(tmp_path):
    problems = problems_of(tmp_path, with_steps("      - sya: hi\n"))
    assert any("'sya'" in p.message and "did you mean 'say'?" in p.hint for p in problems)


def test_wrong_type(tmp_path):
    text = with_steps("      - say: hi\n", head=HEAD.replace("max: 5", "max: five"))
    problem = only(problems_of(tmp_path, text), "is not of type 'number'")
    assert where(problem) == ("bot.yaml", 4, 37)
    assert "slots.quantity.max" in problem.message
    assert "'five'" in problem.message


def test_wrong_enum_value(tmp_path):
    text = with_steps("      - say: hi\n", head=HEAD.replace("type: integer", "type: integr"))
    problem = only(problems_of(tmp_path, text), "slots.quantity.type")
    assert where(problem) == ("bot.yaml", 4, 14)  # the key `type`


def test_unknown_slot_in_ask(tmp_path):
    problem = only(
        problems_of(tmp_path, with_steps("      - ask: quantty\n        text: How many?\n")),
        "unknown slot",
    )
    assert "'quantty'" in problem.message
    assert problem.hint == "did you mean 'quantity'?"
    assert where(problem) == ("bot.yaml", 8, 9)
    assert not problem.warning


def test_unknown_slot_in_set(tmp_path):
    problem = only(
        problems_of(tmp_path, with_steps("      - set: {quantiti: 2}\n")), "unknown slot"
    )
    assert problem.hint == "did you mean 'quantity'?"
    assert where(problem) == ("bot.yaml", 8, 9)


def test_unknown_flow_in_goto(tmp_path):
    problem = only(
        problems_of(tmp_path, with_steps("      - say: hi\n      - goto: strat\n")),
        "unknown flow",
    )
    assert "'strat'" in problem.message
    assert problem.hint == "did you mean 'start'?"
    assert where(problem) == ("bot.yaml", 9, 9)


def test_unknown_step_label_in_goto(tmp_path):
    steps = "      - say: hi\n        id: hello\n      - goto: start.helo\n"
    problem = only(problems_of(tmp_path, with_steps(steps)), "has no step")
    assert problem.hint == "did you mean 'hello'?"
    assert where(problem) == ("bot.yaml", 10, 9)


def test_unknown_template_variable(tmp_path):
    steps = (
        '      - ask: quantity\n        text: How many?\n      - say: "You said {{ quantiy }}"\n'
    )
    problem = only(problems_of(tmp_path, with_steps(steps)), "unknown name")
    assert "'quantiy'" in problem.message
    assert problem.hint == "did you mean 'quantity'?"
    assert where(problem) == ("bot.yaml", 10, 14)
    assert not problem.warning


def test_template_that_does_not_compile(tmp_path):
    problem = only(problems_of(tmp_path, with_steps('      - say: "{{ quantity "\n')), "line 1")
    assert where(problem) == ("bot.yaml", 8, 14)
    assert problem.hint == "check the {{ }} and {% %}"


def test_unknown_name_in_a_condition(tmp_path):
    steps = "      - if: quantiy > 2\n        then:\n          - say: many\n"
    problem = only(problems_of(tmp_path, with_steps(steps)), "unknown name")
    assert problem.hint == "did you mean 'quantity'?"
    assert where(problem) == ("bot.yaml", 8, 9)


@pytest.mark.parametrize(
    ("condition", "fragment"),
    [
        ('"quantity >"', "does not parse"),
        ("\"__import__('os')\"", "only these functions can be called"),
        ('"quantity.__class__"', "private attribute"),
        ('"quantity ** 2 > 4"', "Pow is not allowed"),
    ],
)
def test_condition_that_does_not_parse(tmp_path, condition, fragment):
    steps = f"      - if: {condition}\n        then:\n          - say: hi\n"
    problem = only(problems_of(tmp_path, with_steps(steps)), fragment)
    assert where(problem) == ("bot.yaml", 8, 9)
    assert not problem.warning


def test_unreachable_step_after_end_is_a_warning(tmp_path):
    bot_dir = write_bot(
        tmp_path / "bot", with_steps("      - say: hi\n      - end\n      - say: never\n")
    )
    bot, problems = read_bot(bot_dir)
    assert bot is not None  # a warning does not stop the bot
    problem = only(problems + check_bot(bot), "can never run")
    assert problem.warning
    assert where(problem) == ("bot.yaml", 10, 9)
    assert "unreachable" in problem.hint


def test_flow_that_can_never_end(tmp_path):
    steps = "      - ask: quantity\n        text: How many?\n      - repeat: start\n"
    problem = only(problems_of(tmp_path, with_steps(steps)), "can never end")
    assert not problem.warning
    assert "'start'" in problem.message
    assert where(problem) == ("bot.yaml", 7, 5)
    assert "way out" in problem.hint


def test_flow_with_a_conditional_repeat_can_end(tmp_path):
    steps = (
        "      - ask: quantity\n        text: How many?\n"
        "      - if: quantity < 3\n        then:\n          - repeat: start\n"
    )
    assert problems_of(tmp_path, with_steps(steps)) == []


def test_trigger_phrase_claimed_by_two_flows(tmp_path):
    text = HEAD + (
        "flows:\n"
        "  start:\n    steps:\n      - say: hi\n"
        "  one:\n    triggers: [hello there]\n    steps:\n      - say: one\n"
        "  two:\n    triggers: [Hello there]\n    steps:\n      - say: two\n"
    )
    problem = only(problems_of(tmp_path, text), "claimed by")
    assert "'hello there'" in problem.message
    assert "'one'" in problem.message
    assert "'two'" in problem.message
    assert where(problem) == ("bot.yaml", 14, 5)
    assert not problem.warning


def test_more_than_three_buttons_is_a_warning(tmp_path):
    steps = "      - say: Pick one\n        buttons: [a, b, c, d]\n"
    problems = problems_of(tmp_path, with_steps(steps))
    problem = only(problems, "reply buttons")
    assert problem.warning
    assert "4 reply buttons" in problem.message
    assert "max 3" in problem.message
    assert where(problem) == ("bot.yaml", 8, 9)
    assert errors(problems) == []


def test_three_buttons_are_fine(tmp_path):
    assert (
        problems_of(tmp_path, with_steps("      - say: Pick\n        buttons: [a, b, c]\n")) == []
    )


def test_long_button_title_is_a_warning(tmp_path):
    steps = "      - say: Pick one\n        buttons: [A very long button title]\n"
    problems = problems_of(tmp_path, with_steps(steps))
    problem = only(problems, "longer than 20 characters")
    assert problem.warning
    assert "'A very long button title'" in problem.message
    assert errors(problems) == []


def test_button_title_of_exactly_20_characters_is_fine(tmp_path):
    steps = "      - say: Pick one\n        buttons: [Twenty characters!!!]\n"
    assert problems_of(tmp_path, with_steps(steps)) == []


def test_unknown_currency(tmp_path):
    text = with_steps("      - say: hi\n", head=HEAD.replace("GBP", "XYZ"))
    problem = only(problems_of(tmp_path, text), "unknown currency")
    assert "'XYZ'" in problem.message
    assert "ISO 4217" in problem.message
    assert where(problem) == ("bot.yaml", 2, 56)


def test_currency_not_in_the_schema_pattern(tmp_path):
    text = with_steps("      - say: hi\n", head=HEAD.replace("GBP", "pounds"))
    problem = only(problems_of(tmp_path, text), "business.currency")
    assert where(problem) == ("bot.yaml", 2, 56)


def test_unknown_time_zone(tmp_path):
    text = with_steps("      - say: hi\n", head=HEAD.replace("Europe/London", "Europe/Londn"))
    problem = only(problems_of(tmp_path, text), "unknown time zone")
    assert "'Europe/Londn'" in problem.message
    assert "IANA" in problem.hint
    assert where(problem) == ("bot.yaml", 2, 71)


def test_untranslated_text_in_a_two_language_bot_is_a_warning(tmp_path):
    head = HEAD.replace("languages: [en]", "languages: [en, de]")
    problems = problems_of(tmp_path, with_steps("      - say: Hello there friend\n", head=head))
    problem = only(problems, "not translated")
    assert problem.warning
    assert "de" in problem.message
    assert "{de: ..., en: ...}" in problem.hint
    assert where(problem) == ("bot.yaml", 8, 14)
    assert errors(problems) == []


def test_missing_translation_in_a_per_language_text_is_a_warning(tmp_path):
    head = HEAD.replace("languages: [en]", "languages: [en, de]")
    steps = "      - say: {en: Hello there friend}\n"
    problem = only(problems_of(tmp_path, with_steps(steps, head=head)), "missing translation")
    assert problem.warning
    assert problem.message.endswith("de")


def test_several_problems_in_one_file_are_all_reported(tmp_path):
    steps = (
        "      - ask: quantty\n        text: How many?\n"  # line 8
        "      - say: '{{ quantiy }}'\n"  # line 10
        "      - goto: strat\n"  # line 11
        "      - say: never\n"  # line 12
    )
    problems = problems_of(tmp_path, with_steps(steps))
    assert where(only(problems, "unknown slot")) == ("bot.yaml", 8, 9)
    assert where(only(problems, "unknown name")) == ("bot.yaml", 10, 14)
    assert where(only(problems, "unknown flow")) == ("bot.yaml", 11, 9)
    assert where(only(problems, "can never run")) == ("bot.yaml", 12, 9)
    assert len(errors(problems)) == 3


def test_several_schema_problems_are_all_reported(tmp_path):
    head = HEAD.replace("max: 5", "max: five").replace("Europe/London", "Europe/Londn")
    text = head + "flow:\n  start:\n    steps: []\n"
    problems = problems_of(tmp_path, text)
    assert where(only(problems, "is not of type")) == ("bot.yaml", 4, 37)
    assert where(only(problems, "'flow' was unexpected")) == ("bot.yaml", 5, 1)


def test_problems_in_several_files_are_all_reported_with_their_file(tmp_path):
    broken_main = TINY.replace("max: 5", "max: five")
    extra = "flows:\n  extra:\n    stepz:\n      - say: hi\n"
    problems = problems_of(tmp_path, broken_main, extra=extra)
    assert where(only(problems, "is not of type")) == ("bot.yaml", 4, 37)
    assert where(only(problems, "'stepz' was unexpected")) == ("extra.yaml", 3, 5)


def test_a_flow_defined_in_two_files(tmp_path):
    extra = "flows:\n  start:\n    steps:\n      - say: again\n"
    problem = only(problems_of(tmp_path, TINY, extra=extra), "defined twice")
    assert where(problem) == ("extra.yaml", 2, 3)
    assert "bot.yaml:6" in problem.hint


def test_checker_problems_point_into_flow_files(tmp_path):
    extra = "flows:\n  extra:\n    steps:\n      - goto: strat\n"
    problem = only(problems_of(tmp_path, TINY, extra=extra), "unknown flow")
    assert where(problem) == ("extra.yaml", 4, 9)


def test_missing_name_and_business(tmp_path):
    problems = problems_of(tmp_path, "flows:\n  start:\n    steps:\n      - say: hi\n")
    assert {p.message for p in problems} >= {
        "bot.yaml needs a 'name' section",
        "bot.yaml needs a 'business' section",
    }


def test_a_folder_without_bot_yaml(tmp_path):
    bot, problems = read_bot(tmp_path)
    assert bot is None
    assert only(problems, "no bot.yaml here").hint == "point at a bot folder such as bots/pizza"


def test_a_missing_path(tmp_path):
    bot, problems = read_bot(tmp_path / "missing")
    assert bot is None
    assert errors(problems)


def test_a_list_instead_of_a_mapping(tmp_path):
    problem = only(problems_of(tmp_path, "- a\n- b\n"), "must be a mapping")
    assert where(problem) == ("bot.yaml", 1, 1)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(os.urandom(1_000_000), id="1MB-random-bytes"),
        pytest.param(
            "".join(random.Random(7).choices("ab:{}[]-,&*!|>'\" \n\t#%@`", k=10**6)),
            id="1MB-yaml-punctuation",
        ),
        pytest.param(("x: " + "y" * 999_997).encode(), id="1MB-one-line"),
        pytest.param(bytes(range(256)) * 8, id="binary"),
        pytest.param(b"\x00\x01\x02name: tiny\n", id="control-characters"),
        pytest.param("name: tiny\n".encode("utf-16"), id="utf-16"),
        pytest.param("name: tüny\n".encode("latin-1"), id="latin-1"),
        pytest.param(b"- a\n- b\n", id="a-list"),
        pytest.param(b"just words", id="a-scalar"),
        pytest.param(b"a: " + b"x" * 2_100_000, id="over-2MB"),
    ],
)
def test_garbage_is_reported_not_raised(tmp_path, content):
    bot, problems = read_bot(write_bot(tmp_path / "bot", content))
    assert bot is None
    assert errors(problems)
    for problem in errors(problems):
        assert problem.pos.file.endswith("bot.yaml")
        assert problem.pos.line >= 1
        assert problem.pos.column >= 1


@pytest.mark.parametrize("content", ["", "\n\n  \n", "# nothing here\n", "---\n", "~\n"])
def test_an_empty_file_does_not_crash(tmp_path, content):
    bot, _problems = read_bot(write_bot(tmp_path / "bot", content))
    assert bot is None


def test_an_empty_file_is_reported(tmp_path):
    _bot, problems = read_bot(write_bot(tmp_path / "bot", ""))
    assert errors(problems)


def test_an_absurd_price_is_a_problem_not_a_crash(tmp_path):
    text = TINY + "catalog:\n  items:\n    x: {name: X, price: 99999999999999999999999999999}\n"
    _bot, problems = read_bot(write_bot(tmp_path / "bot", text))
    assert errors(problems)


def test_very_deep_yaml_is_a_problem_not_a_crash(tmp_path):
    text = TINY + "constants:\n  x: " + "[" * 1000 + "]" * 1000 + "\n"
    _bot, problems = read_bot(write_bot(tmp_path / "bot", text))
    assert errors(problems)


def test_very_deep_condition_is_a_problem_not_a_crash(tmp_path):
    steps = '      - if: "' + "-" * 498 + '1"\n        then:\n          - say: hi\n'
    read_bot(write_bot(tmp_path / "bot", with_steps(steps)))


def test_problems_print_as_file_line_column(tmp_path):
    folder = write_bot(tmp_path / "bot", with_steps("      - goto: strat\n"))
    problem = only(all_problems(folder), "unknown flow")
    assert str(problem) == (
        f"{folder / 'bot.yaml'}:8:9: error: unknown flow 'strat' (did you mean 'start'?)"
    )


# Edits a valid bot at random and checks that reading and checking it never raises.
SNIPPETS = [
    ":",
    "- ",
    "{",
    "}",
    "[",
    "]",
    "'",
    '"',
    "\n",
    "  ",
    "#",
    "&a ",
    "*a",
    "!!",
    "{{ ",
    " }}",
    "{% if %}",
    "goto: ",
    "repeat: start",
    "end",
    "ask: ",
    "say: ",
    "if: ",
    "x",
    "0",
    "1.5",
    "-",
    "null",
    "true",
]


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=len(TINY)),
            st.integers(min_value=0, max_value=5),
            st.sampled_from(SNIPPETS) | st.text(max_size=5),
        ),
        min_size=1,
        max_size=4,
    )
)
@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_random_edits_of_a_valid_bot_never_raise(tmp_path, edits):
    text = TINY
    for at, cut, insert in edits:
        at = min(at, len(text))
        text = text[:at] + insert + text[at + cut :]
    folder = write_bot(tmp_path / "fuzz", text)
    bot, problems = read_bot(folder)
    if bot is not None:
        problems = problems + check_bot(bot)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.message


def test_unknown_text_reference_gets_a_did_you_mean(tmp_path):
    text = with_steps('      - say: "{{ texts.clsed }}"\n', extra="texts:\n  closed: Closed.\n")
    problem = only(problems_of(tmp_path, text), "unknown text 'clsed'")
    assert problem.hint == "did you mean 'closed'?"
    assert where(problem) == ("bot.yaml", 10, 14)


def test_a_built_in_name_cannot_be_a_slot(tmp_path):
    text = with_steps("      - ask: cart\n        text: Which?\n", extra="")
    text = text.replace("slots:\n", "slots:\n  cart: {type: text}\n")
    problem = only(problems_of(tmp_path, text), "'cart' is a built-in name")
    assert not problem.warning


def test_business_in_a_flows_file_is_refused(tmp_path):
    extra = "business: {name: Y, locale: en-GB, currency: GBP, timezone: Europe/London}\n"
    problem = only(problems_of(tmp_path, TINY, more=extra), "'business' belongs in bot.yaml")
    assert where(problem) == ("more.yaml", 1, 1)
