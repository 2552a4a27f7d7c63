"""The names a flow may use are written twice: the checker knows them (to flag a misspelt
name) and a turn provides them. A name added to one and forgotten in the other fails here."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import yaml

from framework.flows import load_bot, new_session
from framework.flows.language.checker import BUILTIN_NAMES, TEXT_EXTRAS
from framework.flows.templates import Template
from framework.flows.turn import Turn

PIZZA = Path(__file__).resolve().parents[2] / "bots" / "pizza"
LITERALS = {"true", "false", "none", "loop"}
"""Names the checker allows that are no scope entries: literals, and Jinja's loop variable."""


def test_the_checker_knows_exactly_the_names_a_turn_provides() -> None:
    bot = load_bot(PIZZA)
    turn = Turn(bot, new_session(bot), datetime(2026, 11, 27, 18, 0, tzinfo=UTC))
    provided = set(turn.scope()) - set(bot.constants) - set(bot.slots)
    assert provided == BUILTIN_NAMES - LITERALS


def test_the_checker_knows_every_name_a_built_in_text_is_given() -> None:
    """A bot that rewords a built-in text may use the names Theke passes to it (`{{ prices }}`
    in catalog_prices, `{{ reply }}` in ticket_answered) without `theke check` refusing them."""
    defaults = yaml.safe_load(
        resources.files("framework.flows.language").joinpath("defaults.yaml").read_text()
    )
    used: set[str] = set()
    for text in defaults["texts"].values():
        for source in text.values() if isinstance(text, dict) else [text]:
            used |= Template(str(source)).names
    assert used <= BUILTIN_NAMES | TEXT_EXTRAS


def test_menu_gives_texts_the_catalog_as_it_is_now() -> None:
    """`menu` in a knowledge answer: items by tag (all of them, or none of them), one item's
    price, an option group's choices; sold-out items left out."""
    bot = load_bot(PIZZA)
    turn = Turn(bot, new_session(bot, lang="en"), datetime(2026, 11, 27, 18, 0, tzinfo=UTC))
    said = Template(
        "{{ menu.tagged('pizza', 'vegetarian') }} | {{ menu.untagged('pizza') }} | "
        "{{ menu.item('tonno').price | money }} | {{ menu.options('size') }} | "
        "{{ menu.items | length }}"
    ).render(turn.scope())
    assert said == (
        "Margherita, Funghi, Quattro Formaggi, Vegetaria | Cola 0,33 l, Cola Zero 0,33 l, "
        "Fanta 0,33 l, Water 0.5 l, Beer 0.5 l | €10.50 | Small, Medium, Large | 15"
    )


def test_business_day_asked_is_the_day_the_message_names_with_its_hours() -> None:
    bot = load_bot(PIZZA)
    friday = datetime(2026, 12, 18, 18, 0, tzinfo=UTC)
    said = []
    for heard in ("und morgen?", "habt ihr an Heiligabend offen?", "wann habt ihr offen?"):
        turn = Turn(bot, new_session(bot), friday)
        turn.heard = heard
        said.append(
            Template(
                "{% set day = business.day_asked %}{% if day %}{{ day.name }} {{ day.open }} "
                "{{ day.holiday }} {{ day.hours }}{% else %}none{% endif %}"
            ).render(turn.scope())
        )
    assert said == ["Samstag True False 12:00–23:30", "Donnerstag False True", "none"]
