"""Built-in commands said the way people say them: inside sentences, never in an edit of the
order, never when negated."""

from __future__ import annotations

from pathlib import Path

import pytest

from framework.flows import load_bot
from framework.flows.understanding.lexicon import lexicon_for

PIZZA = load_bot(Path(__file__).parents[3] / "bots" / "pizza")


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("abbrechen", "cancel"),
        ("lass mal, ich will doch nichts mehr", "cancel"),
        ("please cancel everything", "cancel"),
        ("ach vergiss es einfach", "cancel"),
        ("nochmal alles neu bitte", "restart"),
        ("can we start over", "restart"),
        ("I want to talk to a real person", "human"),
        ("kann ich euch anrufen?", "human"),
        ("ich will mit jemandem sprechen, nicht mit einem bot", "human"),
        ("STOP", "stop"),
        ("abmelden", "stop"),
        ("unsubscribe", "stop"),
        ("keine Werbung mehr", "stop_messages"),
        ("please stop messaging me", "stop_messages"),
        ("Hört auf, mir zu schreiben!", "stop_messages"),  # over the comma
        ("ich möchte mich abmelden", "stop_messages"),
        ("Bitte STOP, ich will keine Werbung mehr", "stop_messages"),
        ("can you please stop sending me offers?", "stop_messages"),
        ("START", "resume"),
        ("anmelden", "resume"),
        ("resume", "resume"),
    ],
)
def test_commands_in_sentences(text: str, command: str) -> None:
    assert lexicon_for(PIZZA).command(text) == command


@pytest.mark.parametrize(
    "text",
    [
        "die Cola stornieren",  # an edit of the order
        "cancel the coke",
        "nein, nicht abbrechen",
        "don't cancel, I still want it",
        "2 große Salami und eine Cola",
        "ich möchte bestellen",
        "stop, I meant two pizzas",
        "nicht abmelden",
        "ich will mich nicht abmelden",
        "don't stop messaging me",
        "I'd like to stop by later",
    ],
)
def test_no_command(text: str) -> None:
    assert lexicon_for(PIZZA).command(text) is None
