"""An item is in the cart as soon as it is named whole (flows/named_lines.py): shown between
turns while the ordering flow still asks about it, taken out while a turn runs, so that every
turn reads the order in progress as before and the flow's `cart.add` makes it final."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from framework.flows import Message, load_bot, new_session, step
from framework.flows.cart import CartError
from framework.flows.cart_change import CartChange, change_cart
from framework.flows.events import Event, Timer
from framework.flows.model import Bot
from framework.flows.session import Session

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 27, 19, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # a Friday: open


@pytest.fixture(scope="module")
def pizza() -> Bot:
    return load_bot(ROOT / "bots" / "pizza")


def played(bot: Bot, *events: Event) -> Session:
    session = new_session(bot)
    for event in events:
        session = step(bot, session, event).session
    return session


def lines(session: Session) -> list[tuple[int, str, int, int]]:
    return [
        (line["id"], line["item"], line["quantity"], line.get("early", 0))
        for line in session["cart"]["lines"]
    ]


def test_the_lines_named_whole_are_shown_as_early_units_of_the_cart(pizza: Bot) -> None:
    session = played(pizza, Message("eine große Salami ohne Extras", NOW))
    session = step(pizza, session, Message("noch eine große Salami und eine Cola", NOW)).session
    assert session["stack"][-1]["wait"] == "extras"
    # one more of the Salami's line (same item and size), and the cola as a line of its own
    assert lines(session) == [(1, "salami", 2, 1), (2, "cola", 1, 1)]
    assert session["cart"]["next_line"] == 2  # the cola's number is not taken yet


def test_a_turn_that_changes_nothing_shows_the_same_cart(pizza: Bot) -> None:
    session = played(pizza, Message("2 große Margherita", NOW))
    before = session["cart"]
    reminded = step(pizza, session, Timer("reminder", NOW + timedelta(hours=1))).session
    assert reminded["cart"] == before


def test_the_flows_cart_add_makes_the_early_line_final_without_doubling(pizza: Bot) -> None:
    session = played(pizza, Message("2 große Margherita", NOW), Message("keine", NOW))
    assert lines(session) == [(1, "margherita", 2, 0)]
    assert session["stack"][-1]["wait"] == "more"


def test_a_bot_whose_item_flow_adds_nothing_to_the_cart_shows_nothing() -> None:
    studio = load_bot(ROOT / "bots" / "nail_studio")
    session = played(studio, Message("Ich hätte gern eine Maniküre", NOW))
    assert session["stack"] and session["cart"]["lines"] == []


def test_a_person_cannot_change_a_line_the_bot_is_still_asking_about(pizza: Bot) -> None:
    session = played(pizza, Message("2 große Margherita", NOW))
    with pytest.raises(CartError, match="still being ordered"):
        change_cart(pizza, session, CartChange(line=1, quantity=1), "anna")
