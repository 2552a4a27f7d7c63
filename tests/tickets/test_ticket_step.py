"""The `ticket:` step as a flow author uses it: in `theke test` (tickets in memory) and in the
served app (the deployment's store), where a retried message opens no second ticket and the
ticket knows its conversation, the customer's channel and what the flow collected."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from framework.flows import load_bot
from framework.flows.language.problems import BotDefinitionError
from framework.testing.conversations import load_tests, review_test
from framework.tickets.web import TICKETS
from tests.served import served

NOON = 1796036400.0  # 2026-11-30 12:00 UTC

BOT = """
name: helpdesk
business: {name: Help, locale: en-GB, languages: [en], currency: EUR, timezone: Europe/Berlin}
slots:
  device: {type: text}
  contact: {type: text}
  ticket_number: {type: text}
  ticket_status: {type: text}
  ticket_reply: {type: text}
flows:
  broken:
    triggers: [broken]
    steps:
      - ask: device
        text: Which device?
      - if: "not reachable"
        then:
          - ask: contact
            text: How can we reach you?
      - ticket:
          subject: "{{ device }} is broken"
          category: hardware
          priority: high
          contact: "{{ contact }}"
          save: ticket_number
      - say: "Ticket {{ ticket_number }} is open."
  status:
    triggers: [how is my ticket]
    steps:
      - ask: ticket_number
        text: Which ticket?
      - action: ticket.status
        args: {number: "{{ ticket_number }}"}
        save: {status: ticket_status, reply: ticket_reply}
        on_error:
          - end: "I find no ticket {{ ticket_number }} of yours."
      - say: "Ticket {{ ticket_number }}: {{ ticket_status }}. {{ ticket_reply }}"
"""

TESTS = """
tests:
  - name: a ticket gets the first number and the customer hears it
    turns:
      - user: broken
      - user: my laptop
        bot: ["How can we reach you?"]
      - user: ada@example.com
        bot: [Ticket 1001 is open.]
        slots: {ticket_number: "1001"}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    bot = tmp_path / "helpdesk"
    (bot / "tests").mkdir(parents=True)
    (bot / "bot.yaml").write_text(BOT, encoding="utf-8")
    (bot / "tests" / "tickets.yaml").write_text(TESTS, encoding="utf-8")
    return bot


def test_a_conversation_test_opens_a_ticket_in_memory(folder: Path) -> None:
    bot = load_bot(folder)
    [test] = load_tests(folder / "tests" / "tickets.yaml")
    review = review_test(bot, test)
    assert review.passed, review.problems


def test_a_ticket_without_subject_or_saving_into_an_unknown_slot_is_refused(
    folder: Path,
) -> None:
    for wrong, named in (
        (('subject: "{{ device }} is broken"', "category: x"), "subject"),
        (("save: ticket_number", "save: nummer"), "nummer"),
    ):
        (folder / "bot.yaml").write_text(BOT.replace(*wrong), encoding="utf-8")
        with pytest.raises(BotDefinitionError) as refused:
            load_bot(folder)
        assert named in str(refused.value)


@pytest.fixture
async def desk(folder: Path) -> AsyncIterator[TestClient]:
    async with served(folder, BOT, NOON) as client:
        yield client


async def say(client: TestClient, sender: str, text: str, message_id: str) -> list[str]:
    body = {"sender": sender, "message": text, "message_id": message_id}
    response = await client.post("/webhooks/rest/webhook", json=body)
    assert response.status == 200, await response.text()
    return [reply["text"] for reply in await response.json()]


async def test_a_served_ticket_knows_its_conversation_and_a_retry_opens_no_second(
    desk: TestClient,
) -> None:
    await say(desk, "ada", "broken", "m1")
    await say(desk, "ada", "my laptop", "m2")
    assert await say(desk, "ada", "ada@example.com", "m3") == ["Ticket 1001 is open."]
    assert await say(desk, "ada", "ada@example.com", "m3") == ["Ticket 1001 is open."]
    await say(desk, "bo", "broken", "b1")
    await say(desk, "bo", "desktop", "b2")
    assert await say(desk, "bo", "bo@example.com", "b3") == ["Ticket 1002 is open."]

    store = desk.server.app[TICKETS].store
    ticket = await store.get("helpdesk", 1001)
    assert ticket is not None
    assert (ticket.subject, ticket.category, ticket.priority, ticket.status) == (
        "my laptop is broken",
        "hardware",
        "high",
        "open",
    )
    assert ticket.conversation == "helpdesk:rest:ada"
    assert ticket.contact == {"channel": "rest", "id": "ada", "given": "ada@example.com"}
    assert ticket.slots["device"] == "my laptop"
    assert [t.number for t in await store.list("helpdesk")] == [1002, 1001]
