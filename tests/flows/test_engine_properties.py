"""Whatever customers type, the pizza bot's sessions stay valid, JSON and unmutated."""

import copy
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.flows.engine import MAX_MESSAGE_CHARS, step
from framework.flows.events import (
    ConsentChange,
    HandoffRequest,
    Message,
    PaymentRequest,
    Record,
    Remember,
    Reply,
    SetTimer,
)
from framework.flows.language.reader import load_bot
from framework.flows.session import new_session, session_problems
from framework.testing.till import Till

PIZZA = Path(__file__).resolve().parents[2] / "bots" / "pizza"
NOW = datetime(2026, 11, 27, 19, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # a Friday, open

PHRASES = [
    "2 große Salami und eine Cola",
    "eine Margherita",
    "3 kleine Funghi mit extra Käse",
    "ich möchte bestellen",
    "bestellen",
    "ja",
    "nein",
    "keine",
    "klein",
    "groß",
    "abbrechen",
    "von vorne",
    "hilfe",
    "Mitarbeiter",
    "stopp",
    "doch lieber groß",
    "make it 3",
    "liefern",
    "abholen",
    "Weserstraße 12, 12047 Berlin",
    "wann habt ihr offen",
    "speisekarte",
    "warenkorb",
    "entfernen",
    "english please",
    "deutsch bitte",
    "two large pepperoni and a coke",
    "yes",
    "no",
    "cancel",
    "Limonade",
    "eine Pizza Hawaii, groß, mit Schinken und Oliven",
    "1",
    "2",
    "3",
    "20",
    "21",
    "0",
    "-1",
    "1000000000000000000000",
]
ODD = [
    "🍕🍕🍕",
    "2 🍕 bitte",
    "مرحبا، أريد بيتزا",
    "שלום",
    "\u202eazzip\u202c",
    "\u200b",
    "\x00",
    "{{ 7*7 }}",
    "{% for x in range(10**9) %}x{% endfor %}",
    "'; DROP TABLE orders; --",
    "Salami " * 600,
    "x" * (MAX_MESSAGE_CHARS + 1),
    "9" * 5000,
    "1e999999",
    "١٢",
]
BUTTON = "<press a button>"

messages = st.one_of(
    st.sampled_from(PHRASES),
    st.sampled_from(ODD),
    st.text(max_size=60),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.just(BUTTON),
)


@pytest.fixture(scope="module")
def pizza():
    return load_bot(PIZZA)


def message_for(text: str, last: list[Reply], choice: int) -> Message:
    buttons = [button for reply in last for button in reply.buttons]
    if text == BUTTON and buttons:
        button = buttons[choice % len(buttons)]
        return Message(button.title, NOW, payload=button.payload)
    return Message("" if text == BUTTON else text, NOW)


def assert_sane_step(bot, session, message, till=None):
    """One step (through a till, when given, which answers payment requests as the runtime
    does) that leaves the given session alone and returns a valid one."""
    before = copy.deepcopy(session)
    result = till.step(session, message) if till else step(bot, session, message)
    assert session == before, "step mutated the session it was given"
    new = result.session
    assert session_problems(new) == []
    assert json.loads(json.dumps(new)) == new
    for effect in result.effects:
        assert isinstance(
            effect,
            Reply | Record | Remember | SetTimer | PaymentRequest | HandoffRequest | ConsentChange,
        )
        if isinstance(effect, PaymentRequest) and effect.bill is not None:
            lines = effect.bill.lines
            assert effect.bill.total == sum(line.total for line in lines) + effect.bill.tax_added
            assert effect.bill.total > 0
        if isinstance(effect, Reply):
            assert "Traceback" not in effect.text
            assert 'File "' not in effect.text
            assert effect.text.strip() or effect.buttons
        if isinstance(effect, Record):
            assert effect.name != "flow_error", effect.data
    return result


@given(
    st.lists(st.tuples(messages, st.integers(min_value=0, max_value=20)), min_size=1, max_size=12)
)
@settings(max_examples=150, deadline=None, database=None)
def test_random_conversations_keep_the_session_valid(pizza, conversation):
    session, till = new_session(pizza), Till(pizza, NOW)
    last: list[Reply] = []
    for text, choice in conversation:
        result = assert_sane_step(pizza, session, message_for(text, last, choice), till)
        assert result.replies, f"no reply to {text[:40]!r}"
        session, last = result.session, result.replies


@given(
    st.sampled_from(["de", "en"]),
    st.lists(st.sampled_from(PHRASES), min_size=1, max_size=15),
)
@settings(max_examples=150, deadline=None, database=None)
def test_realistic_conversations_keep_the_session_valid(pizza, lang, phrases):
    session = new_session(pizza, lang=lang)
    for text in phrases:
        session = assert_sane_step(pizza, session, Message(text, NOW)).session
    assert session["turns"] == len(phrases)


def start_an_order(bot):
    session = new_session(bot)
    result = step(bot, session, Message("2 große Salami und eine Cola", NOW))
    assert result.session["stack"], "the order flow should be waiting for an answer"
    assert result.session["slots"]
    return result.session


def test_a_huge_message_gets_a_polite_reply_and_changes_nothing(pizza):
    session = start_an_order(pizza)
    result = step(pizza, session, Message("x" * 1_000_000, NOW))
    texts = [reply.text for reply in result.replies]
    assert any("zu lang" in text for text in texts), texts
    assert result.session["slots"] == session["slots"]
    assert result.session["stack"] == session["stack"]
    assert result.session["cart"] == session["cart"]
    assert result.session["turns"] == session["turns"] + 1


def test_a_message_just_over_the_limit_is_refused_in_english_too(pizza):
    session = new_session(pizza, lang="en")
    result = step(pizza, session, Message("a" * (MAX_MESSAGE_CHARS + 1), NOW))
    assert any("too long" in reply.text for reply in result.replies)


def test_a_message_at_the_limit_is_not_refused(pizza):
    session = new_session(pizza)
    result = step(pizza, session, Message("a" * MAX_MESSAGE_CHARS, NOW))
    assert not any("zu lang" in reply.text for reply in result.replies)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_an_empty_message_gets_a_reply(pizza, text):
    result = step(pizza, new_session(pizza), Message(text, NOW))
    assert any("keine Nachricht" in reply.text for reply in result.replies)


def test_an_empty_message_in_an_order_keeps_the_order(pizza):
    session = start_an_order(pizza)
    result = step(pizza, session, Message("", NOW))
    assert result.replies
    assert result.session["slots"] == session["slots"]
    assert result.session["cart"] == session["cart"]


def test_template_syntax_typed_by_a_customer_stays_text(pizza):
    session = start_an_order(pizza)
    for text in ["keine", "nein", "liefern", "{{ 7*7 }} Straße 12, 12047 Berlin"]:
        session = assert_sane_step(pizza, session, Message(text, NOW)).session
    till = Till(pizza, NOW)
    session = till.step(session, Message("ja", NOW)).session
    result = till.outside(session, {"payment": "paid"})
    assert result is not None
    confirmation = result.replies[0].text
    assert "Danke, bezahlt!" in confirmation
    assert "an {{ 7*7 }} Straße 12, 12047 Berlin" in confirmation
