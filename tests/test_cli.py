"""The `theke` command as a user runs it: exit codes and what it prints."""

import io
import re
import sys
from pathlib import Path

import pytest

import framework
from framework.cli import main

PIZZA = Path(__file__).resolve().parents[1] / "bots" / "pizza"
OPEN_NOW = "2026-11-27T19:00+01:00"  # a Friday evening: the pizzeria is open

TINY = """\
name: tiny
business: {name: Tiny, locale: en-GB, languages: [en], currency: GBP, timezone: Europe/London}
slots:
  quantity: {type: integer, min: 1, max: 5}
flows:
  start:
    steps:
      - ask: quantity
        text: How many?
      - say: "You said {{ quantity }}"
"""
POSITION = re.compile(r"bot\.yaml:(\d+):(\d+): error: ")


def make_bot(tmp_path: Path, text: str = TINY, tests: str | None = None) -> Path:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "bot.yaml").write_text(text, encoding="utf-8")
    if tests is not None:
        (folder / "tests").mkdir()
        (folder / "tests" / "conversation.yaml").write_text(tests, encoding="utf-8")
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def chat(capsys, monkeypatch, folder: Path, lines: str, *options: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    return run(capsys, "chat", str(folder), *options)


def test_check_the_pizza_bot(capsys):
    code, out, _ = run(capsys, "check", str(PIZZA))
    assert code == 0
    # five intended overlaps with built-in command phrases: "löschen" in the cart menu removes
    # a line, "telefonisch bestellen" asks for the phone number, "wait time" asks how long
    # delivery takes, "bist du ein Mensch?" / "are you human?" ask who is writing (the bot's
    # words win there; "wait" and "Mensch" alone are the built-in commands)
    assert "the choice 'remove' of slot 'change', 'löschen', says the built-in" in out
    assert "'telefonisch bestellen', says the built-in 'human' command phrase" in out
    assert "'wait time', says the built-in 'wait' command phrase 'wait'" in out
    assert "'bist du ein mensch', says the built-in 'human' command phrase" in out
    assert "'are you human', says the built-in 'human' command phrase" in out
    assert out.strip().endswith("0 error(s), 5 warning(s)")


def test_check_a_valid_bot(capsys, tmp_path):
    code, out, _ = run(capsys, "check", str(make_bot(tmp_path)))
    assert code == 0
    assert "0 error(s)" in out


def test_check_a_broken_bot_prints_file_line_column(capsys, tmp_path):
    broken = TINY.replace("ask: quantity", "ask: quantty").replace("{{ quantity }}", "{{ qty }}")
    code, out, _ = run(capsys, "check", str(make_bot(tmp_path, broken)))
    assert code == 1
    positions = [tuple(map(int, m.groups())) for m in POSITION.finditer(out)]
    assert (8, 9) in positions  # the ask of an unknown slot
    assert (10, 14) in positions  # the unknown name in the text
    assert "did you mean 'quantity'?" in out
    assert "2 error(s), 0 warning(s)" in out


def test_check_a_yaml_syntax_error(capsys, tmp_path):
    code, out, _ = run(capsys, "check", str(make_bot(tmp_path, TINY + "  oops: [\n")))
    assert code == 1
    assert POSITION.search(out)
    assert "YAML syntax" in out


def test_check_warnings_pass_unless_strict(capsys, tmp_path):
    noisy = TINY + "      - say: Pick\n        buttons: [a, b, c, d]\n"
    folder = make_bot(tmp_path, noisy)
    code, out, _ = run(capsys, "check", str(folder))
    assert code == 0
    assert "warning: 4 reply buttons" in out
    assert "0 error(s), 1 warning(s)" in out
    code, _, _ = run(capsys, "check", "--strict", str(folder))
    assert code == 1


def test_check_a_missing_path(capsys, tmp_path):
    code, out, err = run(capsys, "check", str(tmp_path / "no-such-bot"))
    assert code == 1
    assert "no bot.yaml or flows.yaml here" in out + err


def test_check_an_empty_bot_file_fails(capsys, tmp_path):
    code, _, _ = run(capsys, "check", str(make_bot(tmp_path, "")))
    assert code == 1


def test_test_the_pizza_bot(capsys):
    code, out, _ = run(capsys, "test", str(PIZZA))
    assert code == 0
    assert re.search(r"[1-9]\d* passed, 0 failed", out)


PASSING = """\
tests:
  - name: asks and answers
    turns:
      - user: hello
        bot: ["How many?"]
      - user: "3"
        bot: [You said 3]
        slots: {quantity: 3}
"""


def test_test_reports_failures_with_a_transcript(capsys, tmp_path):
    failing = PASSING.replace("You said 3", "You said 4")
    code, out, _ = run(capsys, "test", str(make_bot(tmp_path, tests=failing)))
    assert code == 1
    assert "✗ asks and answers" in out
    assert "You said 3" in out  # what the bot really said
    assert "0 passed, 1 failed" in out


def test_test_passes(capsys, tmp_path):
    code, out, _ = run(capsys, "test", "-v", str(make_bot(tmp_path, tests=PASSING)))
    assert code == 0
    assert "✓ asks and answers" in out
    assert "1 passed, 0 failed" in out


def test_test_without_any_test_fails(capsys, tmp_path):
    code, out, _ = run(capsys, "test", str(make_bot(tmp_path)))
    assert code == 1
    assert "0 passed, 0 failed" in out


def test_test_on_a_broken_bot_lists_its_problems(capsys, tmp_path):
    folder = make_bot(tmp_path, TINY.replace("ask: quantity", "ask: quantty"), tests=PASSING)
    code, _, err = run(capsys, "test", str(folder))
    assert code == 1
    assert "unknown slot 'quantty'" in err


def test_chat_through_a_pipe(capsys, monkeypatch):
    lines = "2 große Salami und eine Cola\n1\n"
    code, out, _ = chat(capsys, monkeypatch, PIZZA, lines, "--now", OPEN_NOW)
    assert code == 0
    assert "Extras dazu?" in out  # the answer to the first line
    assert "  1) Keine Extras" in out  # buttons are numbered
    assert "Summe" in out  # "1" pressed "Keine Extras", so the cart summary follows
    assert "2× Salami (Groß)" in out
    assert ">" not in out.splitlines()[0]  # no prompt through a pipe


def test_chat_simulates_the_payment_and_the_business(capsys, monkeypatch):
    order = "2 große Salami und eine Cola\nkeine\nnein\nabholen\nja\n"
    world = "/paid\n/order accepted\n/order nope\n/refund\n/wait soon\n"
    code, out, _ = chat(capsys, monkeypatch, PIZZA, order + world, "--now", OPEN_NOW)
    assert code == 0
    assert "[Jetzt bezahlen: https://pay.example/order-1]" in out
    assert "Danke, bezahlt! Deine Bestellung Nr. 1001" in out
    assert "Deine Bestellung Nr. 1001 wurde angenommen" in out
    assert "[order: an order that is accepted cannot become nope]" in out
    assert "[simulated: /paid, /failed, /expired, /order accepted, /wait 25m]" in out
    assert "[wait: 'soon' is not a duration such as 25m]" in out


def test_chat_in_english(capsys, monkeypatch):
    lines = "two large salami and a coke\n"
    code, out, _ = chat(capsys, monkeypatch, PIZZA, lines, "--now", OPEN_NOW, "--lang", "en")
    assert code == 0
    assert "For the Salami: any extras?" in out


def test_chat_with_an_empty_input_says_nothing(capsys, monkeypatch):
    code, out, _ = chat(capsys, monkeypatch, PIZZA, "", "--now", OPEN_NOW)
    assert code == 0
    assert out == ""


def test_chat_with_now_without_offset_fails_clearly(capsys, monkeypatch):
    code, out, err = chat(capsys, monkeypatch, PIZZA, "hallo\n", "--now", "2026-11-27T19:00")
    assert code == 1
    assert "--now needs a UTC offset" in err
    assert out == ""


def test_chat_with_a_now_that_is_no_date_fails_clearly(capsys, monkeypatch):
    code, _, err = chat(capsys, monkeypatch, PIZZA, "hallo\n", "--now", "tomorrow")
    assert code == 1
    assert "is not an ISO date-time" in err


def test_chat_with_a_broken_bot_lists_its_problems(capsys, monkeypatch, tmp_path):
    folder = make_bot(tmp_path, TINY.replace("goto", "x").replace("ask: quantity", "ask: qty"))
    code, out, err = chat(capsys, monkeypatch, folder, "hallo\n")
    assert code == 1
    assert "unknown slot 'qty'" in err
    assert out == ""


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    assert "usage: theke" in capsys.readouterr().err


def test_test_with_a_malformed_test_file_names_the_file(capsys, tmp_path):
    folder = make_bot(tmp_path, tests="tests:\n  - name: x\n    turns: [\n")
    code, _, err = run(capsys, "test", str(folder))
    assert code == 1
    assert "conversation.yaml: cannot read the tests" in err


def test_theke_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"theke {framework.__version__}"
