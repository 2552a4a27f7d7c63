"""A person changes the cart of a conversation they hold (flows/cart_change.py, applied by the
handoff's `changed` news): items added with their options at the catalog's prices, a line's
quantity, a line removed; back with the bot, the order summary shows it. What the catalog or
the cart cannot take is refused and recorded, the customer hears nothing of it and nothing
changes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from framework.flows import Message, Record, load_bot, step
from framework.flows.cart import CartError
from framework.flows.cart_change import CartChange, change_cart
from framework.flows.events import Effect, HandoffNews
from framework.flows.model import Bot
from framework.flows.session import Session, copy_session, new_session

PIZZA = Path(__file__).resolve().parents[2] / "bots" / "pizza"
NOW = datetime(2026, 11, 27, 19, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # a Friday: open


@pytest.fixture(scope="module")
def bot() -> Bot:
    return load_bot(PIZZA)


def said(bot: Bot, session: Session, *events: Any) -> tuple[Session, list[str], list[Effect]]:
    replies: list[str] = []
    effects: list[Effect] = []
    for event in events:
        result = step(bot, session, event)
        session = result.session
        replies += [reply.text for reply in result.replies]
        effects += result.effects
    return session, replies, effects


@pytest.fixture
def held(bot: Bot) -> Session:
    """Two large salami in the cart, the bot asking for more; anna holds the conversation."""
    session, _, _ = said(
        bot,
        new_session(bot),
        Message("2 große Salami ohne extras", NOW),
        Message("Mitarbeiter", NOW),
        HandoffNews("claimed", NOW, "anna"),
    )
    return session


def changed(bot: Bot, session: Session, cart: dict[str, Any]) -> tuple[Session, list[Effect]]:
    session, replies, effects = said(bot, session, HandoffNews("changed", NOW, "anna", cart=cart))
    assert replies == []  # the customer hears nothing of the person's work
    return session, effects


def records(effects: list[Effect]) -> dict[str, dict[str, Any]]:
    return {effect.name: dict(effect.data) for effect in effects if isinstance(effect, Record)}


def test_the_persons_changes_are_priced_by_the_catalog_and_the_summary_shows_them(
    bot: Bot, held: Session
) -> None:
    add = {"item": "margherita", "options": ["medium", "cheese", "olives"], "quantity": 2}
    session, effects = changed(bot, held, {"add": add})
    assert "handoff_cart_changed" in records(effects)
    session, _ = changed(bot, session, {"add": {"item": "cola", "quantity": "3"}})
    session, _ = changed(bot, session, {"line": 1, "quantity": 1})
    session, _ = changed(bot, session, {"remove": 3})
    lines = session["cart"]["lines"]
    assert [(line["id"], line["item"], line["quantity"], line["unit"]) for line in lines] == [
        (1, "salami", 1, 1250),  # 9.50 + large 3.00
        (2, "margherita", 2, 1200),  # 8.50 + medium 1.50 + cheese 1.00 + olives 1.00
    ]
    assert lines[1]["options"] == {"size": ["medium"], "extras": ["cheese", "olives"]}
    assert lines[1]["source"] == {"agent": "anna"}
    session, replies, _ = said(bot, session, HandoffNews("returned", NOW, "anna"))
    assert replies == [
        "Du schreibst wieder mit dem Bot.",
        "1× Salami (Groß) – 12,50\xa0€\n"
        "2× Margherita (Mittel, Extra Käse, Oliven) – 24,00\xa0€\n"
        "Summe: 36,50\xa0€\n\nNoch etwas dazu?",
    ]
    session, replies, _ = said(bot, session, Message("nein", NOW), Message("abholen", NOW))
    assert "Summe: 36,50\xa0€" in replies[-1]  # the bill goes on from the person's cart


def test_the_same_item_and_options_again_go_into_its_line(bot: Bot, held: Session) -> None:
    session, _ = changed(bot, held, {"add": {"item": "salami", "options": ["large"]}})
    assert [(line["id"], line["quantity"]) for line in session["cart"]["lines"]] == [(1, 3)]
    too_many = {"add": {"item": "salami", "options": ["large"], "quantity": 97}}
    again, effects = changed(bot, session, too_many)
    assert records(effects)["handoff_cart_refused"]["reason"] == (
        "line 1 has 3 already: at most 99"
    )
    assert again["cart"] == session["cart"]


REFUSED = [
    (
        {"add": {"item": "salamy"}},
        "'salamy' is not an item of the catalog (did you mean 'salami'?)",
    ),
    ({"add": {"item": "lemonade"}}, "'lemonade' is not available"),
    (
        {"add": {"item": "salami", "options": ["huge"]}},
        "'huge' is not an option of 'salami': size: small, medium, large; "
        "extras: cheese, mushrooms, olives, onions, jalapenos, ham",
    ),
    ({"add": {"item": "cola", "options": ["large"]}}, "'large' is not an option of 'cola'"),
    (
        {"add": {"item": "salami"}},
        "'salami' takes one size (small, medium, large), not none",
    ),
    (
        {"add": {"item": "salami", "options": ["large", "small"]}},
        "'salami' takes one size (small, medium, large), not both large and small",
    ),
    (
        {
            "add": {
                "item": "salami",
                "options": [
                    "small",
                    *["cheese", "mushrooms", "olives", "onions", "ham", "jalapenos"],
                ],
            }
        },
        "'salami' takes at most 5 extras, not 6",
    ),
    ({"add": {"item": "cola", "quantity": 0}}, "the quantity must be from 1 to 99, not 0"),
    ({"add": {"item": "cola", "quantity": 100}}, "the quantity must be from 1 to 99, not 100"),
    ({"add": {"item": "cola", "quantity": "2.5"}}, "the quantity must be a whole number"),
    ({"add": {"item": "cola", "quantity": True}}, "the quantity must be a whole number"),
    ({"line": 7, "quantity": 1}, "the cart has no line 7 (its lines: 1)"),
    ({"line": 1, "quantity": -1}, "the quantity must be from 1 to 99, not -1"),
    ({"remove": "one"}, "the line must be a whole number"),
    ({"remove": 1, "line": 1}, "a cart change is"),
    ({"add": {"item": "cola", "colour": "red"}}, "add is an object"),
]


@pytest.mark.parametrize(("cart", "reason"), REFUSED)
def test_what_the_catalog_or_the_cart_cannot_take_is_refused_and_changes_nothing(
    bot: Bot, held: Session, cart: dict[str, Any], reason: str
) -> None:
    session, effects = changed(bot, held, cart)
    assert records(effects)["handoff_cart_refused"]["reason"].startswith(reason)
    assert session["cart"] == held["cart"]
    with pytest.raises(CartError):  # the caller's dry run refuses alike
        change_cart(bot, copy_session(held), CartChange.read(cart), "anna")


def test_no_change_while_the_customer_pays_for_the_cart(bot: Bot, held: Session) -> None:
    paying = copy_session(held)
    paying["stack"][-1]["wait"] = "$pay"
    paying["stack"][-1]["pay"] = {"order": "o-1", "expires_at": "2026-11-27T19:30:00+01:00"}
    session, effects = changed(bot, paying, {"add": {"item": "cola"}})
    assert records(effects)["handoff_cart_refused"]["reason"].startswith(
        "the customer is paying for an order made from this cart"
    )
    assert session["cart"] == held["cart"]


def test_news_after_the_hand_back_changes_nothing(bot: Bot, held: Session) -> None:
    session, _, _ = said(bot, held, HandoffNews("returned", NOW, "anna"))
    after, effects = changed(bot, session, {"add": {"item": "cola"}})
    assert after["cart"] == session["cart"] and "handoff_news_ignored" in records(effects)


@pytest.mark.parametrize(
    "change",
    [
        CartChange("salami", ("large", "cheese"), 2),
        CartChange(line=3, quantity=1),
        CartChange(line=3, remove=True),
    ],
)
def test_a_change_travels_as_json(change: CartChange) -> None:
    assert CartChange.read(change.to_json()) == change
