"""The `consent:` step as a flow author writes it and a customer answers it: the question with
yes/no buttons, the answer understood as every yes/no answer, the ledger keeping the words
shown (rendered, in the customer's language), the channel, the flow and the time; a no kept as
a decline that grants nothing; double opt-in's confirmation asked by the step itself; the slot
yes only when the ledger holds the grant; and what `theke check` says at the step's line.

The conversation is driven as every driver drives it (the engine, then the built-in consent
desk answering its requests) on the reference ledger in memory; the same desk on SQLite
through the served app is tests/consents/test_consent_step_served.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from framework.actions.performing import BotActions, Where
from framework.consents.service import Consents
from framework.flows import Message, load_bot, new_session, step
from framework.flows.events import ActionRequest, Event, Record, Reply
from framework.flows.model import Bot
from framework.flows.requests import Request, answer_requests_async
from framework.flows.session import Session
from framework.stores.consents import GRANTED, PENDING, WITHDRAWN, Consent
from framework.stores.memory.consents import MemoryConsents
from tests.flows.test_reader_errors import errors, problems_of, where, write_bot

NOW = datetime(2026, 12, 7, 18, 30, tzinfo=ZoneInfo("Europe/Berlin"))
QUESTION_DE = "Darf Café Kranz dir hier Angebote schicken?"
QUESTION_EN = "May Café Kranz send you offers here?"
CONFIRM_DE = "Bitte bestätige: Café Kranz schickt dir hier Angebote. Antworte JA."
HEAD = """\
name: cafe
business: {name: Café Kranz, locale: de-DE, languages: [de, en], currency: EUR,
           timezone: Europe/Berlin}
"""
BOT = (
    HEAD
    + f"""\
consents:
  double_opt_in: [marketing]
  confirm_within: 24h
slots:
  topic: {{type: text}}
texts:
  offers_question: {{de: "{QUESTION_DE}", en: "{QUESTION_EN}"}}
flows:
  offers:
    triggers: [angebote, offers]
    steps:
      - consent:
          purpose: marketing
          text: "{{{{ texts.offers_question }}}}"
          confirm: {{de: "{CONFIRM_DE}", en: "Please confirm: Café Kranz sends you offers."}}
          save: offers
      - if: "offers"
        then: [{{end: "Danke, bestätigt."}}]
      - end: "Keine Angebote."
  news:
    triggers: [neuigkeiten, news]
    steps:
      - set: {{topic: "{{{{ message }}}}"}}
      - consent:
          purpose: "notify:{{{{ topic }}}}"
          text: {{de: "Darf {{{{ business.name }}}} dir zu {{{{ topic }}}} schreiben?",
                 en: "May {{{{ business.name }}}} write to you about {{{{ topic }}}}?"}}
        on_error:
          - end: "Das ging gerade nicht."
      - end: "Stand: {{{{ consent }}}}"
"""
)


@dataclass
class Chat:
    """One customer's conversation with the bot, its requests answered by the built-in desks
    on `consents` (the ledger), as the runtime answers them."""

    bot: Bot
    consents: Consents = field(default_factory=lambda: Consents(MemoryConsents()))
    session: Session | None = None
    now: datetime = NOW

    async def say(self, text: str, payload: str | None = None) -> list[Reply]:
        if self.session is None:
            self.session = new_session(self.bot, lang="de")
        actions = BotActions.of(self.bot, consents=self.consents)
        where = Where(self.bot.name, "ada", "telegram", "request-1")

        async def perform(request: Request) -> Event:
            if not isinstance(request, ActionRequest):
                raise AssertionError(f"a consent step asks for actions only, not {request}")
            return await actions.perform(request, where)

        first = step(self.bot, self.session, Message(text, self.now, payload=payload))
        result = await answer_requests_async(self.bot, first, perform)
        self.session = result.session
        self.records = [e for e in result.effects if isinstance(e, Record)]
        return [e for e in result.effects if isinstance(e, Reply)]

    async def said(self, text: str) -> list[str]:
        return [reply.text for reply in await self.say(text)]

    async def ledger(self) -> list[Consent]:
        return await self.consents.store.history("cafe", "cafe:telegram:ada")

    async def holders(self, purpose: str) -> list[str]:
        return [h.conversation for h in await self.consents.store.holders("cafe", purpose)]


def chat(tmp_path: Path, text: str = BOT) -> Chat:
    return Chat(load_bot(write_bot(tmp_path / "bot", text)))


async def test_a_yes_to_a_notification_grants_it_with_the_words_shown(tmp_path: Path) -> None:
    cafe = chat(tmp_path)
    [asked] = await cafe.say("neuigkeiten")
    assert asked.text == "Darf Café Kranz dir zu neuigkeiten schreiben?"
    assert [(b.title, b.payload) for b in asked.buttons] == [("Ja", "yes"), ("Nein", "no")]
    assert await cafe.said("ja, gerne") == ["Stand: True"]
    [granted] = await cafe.ledger()
    assert (granted.purpose, granted.state, granted.text) == (
        "notify:neuigkeiten",
        GRANTED,
        "Darf Café Kranz dir zu neuigkeiten schreiben?",
    )
    assert (granted.channel, granted.source, granted.at, granted.lang) == (
        "telegram",
        "flow:news",
        NOW.timestamp(),
        "de",
    )
    assert await cafe.holders("notify:neuigkeiten") == ["cafe:telegram:ada"]


async def test_a_no_is_kept_as_a_decline_and_grants_nothing(tmp_path: Path) -> None:
    cafe = chat(tmp_path)
    await cafe.say("neuigkeiten")
    assert await cafe.said("nein danke") == ["Stand: False"]
    [declined] = await cafe.ledger()
    assert (declined.state, declined.text, declined.source) == (
        WITHDRAWN,
        "Darf Café Kranz dir zu neuigkeiten schreiben?",
        "flow:news",
    )
    assert await cafe.holders("notify:neuigkeiten") == []


async def test_a_no_ends_what_was_held(tmp_path: Path) -> None:
    cafe = chat(tmp_path)
    await cafe.say("neuigkeiten")
    await cafe.say("ja")
    await cafe.say("neuigkeiten")
    await cafe.say("nö")
    assert [entry.state for entry in await cafe.ledger()] == [GRANTED, WITHDRAWN]
    assert await cafe.holders("notify:neuigkeiten") == []


async def test_the_button_and_unclear_answers_are_understood_as_yes_no_questions_are(
    tmp_path: Path,
) -> None:
    cafe = chat(tmp_path)
    await cafe.say("neuigkeiten")
    [reprompt] = await cafe.said("vielleicht")
    assert "ja oder nein" in reprompt.lower()
    assert await cafe.ledger() == []  # nothing kept for an answer that is none
    assert [r.text for r in await cafe.say("Ja", payload="yes")] == ["Stand: True"]
    assert [entry.state for entry in await cafe.ledger()] == [GRANTED]


async def test_no_answer_after_the_attempts_keeps_nothing_and_the_flow_goes_on(
    tmp_path: Path,
) -> None:
    cafe = chat(tmp_path)
    await cafe.say("neuigkeiten")
    await cafe.say("vielleicht")
    await cafe.say("keine Ahnung")
    assert await cafe.said("hm") == ["Stand:"]  # the slot holds nothing
    assert await cafe.ledger() == []


async def test_double_opt_in_asks_the_confirmation_and_keeps_both(tmp_path: Path) -> None:
    cafe = chat(tmp_path)
    assert await cafe.said("angebote") == [QUESTION_DE]
    assert await cafe.said("ja") == [CONFIRM_DE]
    [pending] = await cafe.ledger()
    assert (pending.state, pending.text) == (PENDING, QUESTION_DE)
    assert await cafe.holders("marketing") == []  # a yes alone makes nobody a holder
    cafe.now = NOW + timedelta(minutes=3)
    assert await cafe.said("JA") == ["Danke, bestätigt."]
    granted = (await cafe.ledger())[-1]
    assert (granted.state, granted.text, granted.asked) == (GRANTED, CONFIRM_DE, QUESTION_DE)
    assert (granted.at, granted.asked_at) == (cafe.now.timestamp(), NOW.timestamp())
    assert await cafe.holders("marketing") == ["cafe:telegram:ada"]


async def test_no_at_the_confirmation_declines_it(tmp_path: Path) -> None:
    cafe = chat(tmp_path)
    await cafe.say("angebote")
    await cafe.say("ja")
    assert await cafe.said("nein") == ["Keine Angebote."]
    assert [(e.state, e.text) for e in await cafe.ledger()] == [
        (PENDING, QUESTION_DE),
        (WITHDRAWN, CONFIRM_DE),
    ]
    assert await cafe.holders("marketing") == []


async def test_a_confirmation_too_late_grants_nothing(tmp_path: Path) -> None:
    cafe = chat(tmp_path)
    await cafe.say("angebote")
    await cafe.say("ja")
    cafe.now = NOW + timedelta(hours=25)
    assert await cafe.said("JA") == ["Keine Angebote."]
    assert [e.state for e in await cafe.ledger()] == [PENDING]
    assert await cafe.holders("marketing") == []


async def test_a_no_at_the_question_asks_no_confirmation(tmp_path: Path) -> None:
    cafe = chat(tmp_path)
    await cafe.say("angebote")
    assert await cafe.said("nein") == ["Keine Angebote."]
    assert [e.state for e in await cafe.ledger()] == [WITHDRAWN]


async def test_the_words_kept_are_those_of_the_customers_language(tmp_path: Path) -> None:
    cafe = chat(tmp_path)
    cafe.session = new_session(cafe.bot, lang="en")
    assert await cafe.said("offers") == [QUESTION_EN]
    await cafe.say("yes")
    [pending] = await cafe.ledger()
    assert (pending.text, pending.lang) == (QUESTION_EN, "en")


async def test_a_ledger_that_refuses_runs_on_error_and_grants_nothing(tmp_path: Path) -> None:
    cafe = chat(tmp_path)
    await cafe.say("news ü")  # "notify:news ü" is no purpose: the ledger refuses it
    assert await cafe.said("yes") == ["Das ging gerade nicht."]
    assert any(r.name == "action_failed" for r in cafe.records)
    assert await cafe.ledger() == []


def test_theke_check_says_what_is_wrong_at_the_step(tmp_path: Path) -> None:
    steps = """\
slots:
  size: {type: text}
flows:
  start:
    steps:
      - consent:
          purpose: "werbung"
          text: {de: "Angebote per Chat?", en: "Offers from Café Kranz?"}
          save: size
      - consent:
          purpose: marketing
          text: "Darf {{ business.name }} dir schreiben?"
consents: {double_opt_in: true}
"""
    found = problems_of(tmp_path, HEAD + steps)
    assert [(where(p)[1:], p.message[:60]) for p in errors(found)] == [
        ((10, 11), "consent: 'werbung' is not a purpose: marketing, or notify:<t"),
        ((9, 9), "consent: the slot 'size' is a text slot, not yes_no"),
    ]
    warnings = [(where(p)[1:], p.message) for p in found if p.warning]
    assert ((11, 17), "consent: the words shown do not name the business ('Café Kranz'; de)") in (
        warnings
    )
    [double] = [p for p in found if "double opt-in" in p.message]
    assert where(double)[1:] == (13, 9)  # the second step: the first's purpose is none


def test_the_schema_refuses_a_step_without_its_words_and_unknown_keys(tmp_path: Path) -> None:
    steps = """\
flows:
  start:
    steps:
      - consent: {purpose: marketing}
      - consent: {purpose: marketing, text: "Café Kranz?", purpse: x}
"""
    found = errors(problems_of(tmp_path, HEAD + steps))
    assert len(found) == 2
    assert "text" in found[0].message and "purpse" in found[1].message
