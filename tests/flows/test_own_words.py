"""`theke check` warns about each bot phrase that says a built-in command phrase, naming both
(the conversations in bots/desk/tests/own_words.yaml show that the bot's phrase wins)."""

from __future__ import annotations

from pathlib import Path

from framework.flows.language.checker import check_bot
from framework.flows.language.reader import load_bot

DESK = Path(__file__).parent / "bots" / "desk"


def test_each_overlap_with_a_command_phrase_is_a_warning_naming_both() -> None:
    problems = check_bot(load_bot(DESK))
    assert all(problem.warning for problem in problems)
    assert sorted(problem.message for problem in problems) == [
        "the choice 'human' of slot 'contact', 'human', says the built-in 'human' command"
        " phrase 'human': the bot's phrase wins there",
        "the knowledge phrase of 'not_helped', \"didn't help\", says the built-in 'help'"
        " command phrase 'help': the bot's phrase wins there",
        "the knowledge phrase of 'not_helped', 'did not help', says the built-in 'help'"
        " command phrase 'help': the bot's phrase wins there",
        "the trigger of flow 'cancel_appointment', 'cancel my appointment', says the built-in"
        " 'cancel' command phrase 'cancel': the bot's phrase wins there",
        "the trigger of flow 'cancel_appointment', 'termin stornieren', says the built-in"
        " 'cancel' command phrase 'stornieren': the bot's phrase wins there",
    ]


def test_a_bot_without_overlaps_gets_no_warning(tmp_path: Path) -> None:
    (tmp_path / "bot.yaml").write_text(
        (DESK / "bot.yaml")
        .read_text(encoding="utf-8")
        .replace("human: {name", "phone: {name")
        .replace(
            "termin stornieren, termin absagen], en: [cancel my appointment]",
            "termin absagen], en: [move my appointment]",
        )
        .replace("[didn't help, did not help]", "[no use]"),
        encoding="utf-8",
    )
    assert check_bot(load_bot(tmp_path)) == []
