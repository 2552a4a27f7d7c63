"""Existing Rasa actions in a Theke flow: the same conversation whether bot.yaml runs them
in-process (`actions: {rasa: …}`) or calls a real rasa-sdk action server (`rasa_server:`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from framework.actions.blocking import BlockingActions
from framework.actions.performing import BotActions
from framework.flows import Message, load_bot, new_session
from framework.flows.model import Bot
from framework.testing.till import Till
from tests.actions.rasa_server import SAMPLE, action_server

NOW = datetime(2026, 12, 4, 19, 0, tzinfo=ZoneInfo("Europe/Berlin"))

BOT = """
name: quotes
business: {{name: Quotes, locale: en-GB, languages: [en], currency: EUR,
            timezone: Europe/Berlin}}
actions:
  {source}
slots:
  item: {{type: text}}
  quantity: {{type: integer}}
  amount_cents: {{type: integer}}
texts:
  human: {{en: "A person will take over."}}
flows:
  quote:
    triggers: [quote]
    steps:
      - ask: item
        text: Which pizza?
      - ask: quantity
        text: How many?
      - action: action_quote_price
        on_error:
          - say: No price right now.
      - say: "Noted: {{{{ amount_cents }}}} cents."
  checkout:
    steps:
      - say: At the checkout.
  pay:
    triggers: [pay]
    steps:
      - action: action_checkout
      - say: Back from the checkout.
  order:
    triggers: [how many]
    steps:
      - ask: quantity
        text: How many?
        validate: validate_order
      - say: "{{{{ quantity }}}} it is."
  refused:
    triggers: [refuse]
    steps:
      - action: action_refuse
        on_error:
          - say: The action refused.
"""

CONVERSATION = ["quote", "salami", "2", "pay", "refuse", "how many", "25", "3"]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with action_server() as url:
        yield url


def bot_with(folder: Path, source: str) -> Bot:
    folder.mkdir()
    (folder / "bot.yaml").write_text(BOT.format(source=source), encoding="utf-8")
    return load_bot(folder)


def transcript(bot: Bot) -> list[list[str]]:
    actions = BlockingActions(BotActions.of(bot), bot.name, "u1", "rest")
    till, session, said = Till(bot, NOW, actions), new_session(bot), []
    try:
        for text in CONVERSATION:
            result = till.step(session, Message(text, NOW))
            session = result.session
            said.append([reply.text for reply in result.replies])
    finally:
        actions.close()
    return said


def test_in_process_and_remote_rasa_actions_give_the_same_conversation(
    tmp_path: Path, server: str
) -> None:
    local = transcript(bot_with(tmp_path / "local", f"rasa: {SAMPLE}"))
    remote = transcript(
        bot_with(
            tmp_path / "remote",
            f"rasa_server: {{url: '{server}', actions: [action_quote_price, action_checkout,"
            " action_refuse, validate_order]}",
        )
    )
    assert local == remote
    assert local == [
        ["Which pizza?"],
        ["How many?"],
        ["2x salami: 19.00 EUR", "", "", "Noted: 1900 cents."],  # text, image, json_message
        ["A person will take over.", "At the checkout.", "Back from the checkout."],
        ["The action refused."],
        ["How many?"],
        ["We bake at most 20 at a time.", "How many?"],
        ["3 it is."],
    ]
