"""A run-time flow error shows its reason to the author in `theke chat` and `theke test`; the
customer's reply stays the apology."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from framework.cli import main

BOT = """\
name: tiny
business: {name: Tiny, locale: en-GB, languages: [en], currency: GBP, timezone: Europe/London}
catalog:
  items:
    tea: {name: Tea, price: 2.00}
slots:
  quantity: {type: integer, min: 0, max: 5}
flows:
  start:
    steps:
      - ask: quantity
        text: How many?
      - say: "Per cup {{ 10 / quantity }}"
      - cart.add: {item: tea, quantity: "{{ quantity - 10 }}"}
      - say: done
"""
TESTS = """\
tests:
  - name: two teas
    turns:
      - user: hi
      - user: "2"
        bot: [done]
"""
APOLOGY = "Sorry, something went wrong on our side. Please try again."


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "bot.yaml").write_text(BOT, encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "teas.yaml").write_text(TESTS, encoding="utf-8")
    return tmp_path


def chat(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, folder: Path, lines: str
) -> str:
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    assert main(["chat", str(folder)]) == 0
    return capsys.readouterr().out


def test_chat_shows_a_failing_template_after_the_apology(capsys, monkeypatch, folder) -> None:
    out = chat(capsys, monkeypatch, folder, "hi\n0\n")
    assert out.splitlines()[1:] == [
        APOLOGY,
        "[flow error in flow 'start': the text 'Per cup {{ 10 / quantity }}' failed:"
        " division by zero]",
    ]


def test_chat_shows_a_bad_cart_value(capsys, monkeypatch, folder) -> None:
    out = chat(capsys, monkeypatch, folder, "hi\n2\n")
    assert out.splitlines()[1:] == [
        APOLOGY,
        "[flow error in flow 'start': the quantity -8 is outside 0..99]",
    ]


def test_a_failing_test_shows_the_reason_in_its_transcript(capsys, folder) -> None:
    assert main(["test", str(folder)]) == 1
    out = capsys.readouterr().out
    assert f"  {APOLOGY}\n  [flow error in flow 'start': the quantity -8 is outside 0..99]\n" in out
