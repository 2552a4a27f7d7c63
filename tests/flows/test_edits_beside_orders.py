"""An edit of the cart and a new item in one message, in every order and with every way of
joining them a chat shows ("and", ", and", a dash, a full stop, an emoji between sentences):
the edit changes its line and the new item is ordered — never a second pizza, never an edit
or an item dropped. Each edit and each addition also holds alone elsewhere; here they are
combined, as customers combine them ("eine Fanta und die Salami doch groß", "make the Salami
large — and two beers as well")."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from framework.flows.engine import step
from framework.flows.events import Message
from framework.flows.language.reader import load_bot
from framework.flows.session import Session, new_session

PIZZA = Path(__file__).resolve().parents[2] / "bots" / "pizza"
NOW = datetime(2026, 11, 27, 19, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # a Friday, open
START = {
    "de": "eine mittlere Salami mit Oliven und zwei Cola",
    "en": "a medium Salami with olives and two Cokes",
}
"""The order before the message: a medium Salami with olives and two Colas."""

Cart = dict[str, tuple[str, int, dict[str, list[str]]]]
Change = Callable[[Cart], None]


def _size(size: str) -> Change:
    def change(cart: Cart) -> None:
        item, count, options = cart["salami"]
        cart["salami"] = (item, count, {**options, "size": [size]})

    return change


def _extras(extras: list[str]) -> Change:
    def change(cart: Cart) -> None:
        item, count, options = cart["salami"]
        cart["salami"] = (item, count, {**options, "extras": extras})

    return change


def _one_cola(cart: Cart) -> None:
    cart["cola"] = ("cola", 1, {})


def _funghi(cart: Cart) -> None:
    _, count, options = cart.pop("salami")
    cart["funghi"] = ("funghi", count, options)


def _added(item: str, count: int) -> Change:
    def change(cart: Cart) -> None:
        cart[item] = (item, count, {})

    return change


EDITS: dict[str, list[tuple[str, Change]]] = {
    "de": [
        ("die Salami doch groß", _size("large")),
        ("doch lieber groß", _size("large")),
        ("die Salami bitte klein", _size("small")),
        ("die Salami ohne Oliven", _extras([])),
        ("auf die Salami noch Zwiebeln", _extras(["olives", "onions"])),
        ("nur eine Cola", _one_cola),
        ("statt der Salami lieber eine Funghi", _funghi),
        ("mach die Salami groß", _size("large")),
    ],
    "en": [
        ("make the Salami large", _size("large")),
        ("actually large", _size("large")),
        ("the salami small please", _size("small")),
        ("no olives on the salami", _extras([])),
        ("add onions to the salami", _extras(["olives", "onions"])),
        ("just one Coke", _one_cola),
        ("a Funghi instead of the Salami", _funghi),
        ("the salami large after all", _size("large")),
    ],
}
ADDITIONS: dict[str, list[tuple[str, Change]]] = {
    "de": [
        ("eine Fanta", _added("fanta", 1)),
        ("noch zwei Bier", _added("beer", 2)),
        ("ein Wasser dazu", _added("water", 1)),
    ],
    "en": [
        ("a Fanta", _added("fanta", 1)),
        ("two beers as well", _added("beer", 2)),
        ("also a water", _added("water", 1)),
    ],
}
JOINS = {
    "de": [". Und ", " und ", ", und ", " — ", " 😅 Und ", ". "],
    "en": [". And ", " and ", ", and ", " — ", " 😅 And ", ". "],
}


@pytest.fixture(scope="module")
def pizza():
    return load_bot(PIZZA)


def _cart(session: Session) -> list[tuple[str, int, list[tuple[str, list[str]]]]]:
    return sorted(
        (line["item"], line["quantity"], sorted((g, c) for g, c in line["options"].items() if c))
        for line in session["cart"]["lines"]
    )


def _expected(edit: Change, addition: Change) -> list[tuple[str, int, list[tuple[str, list[str]]]]]:
    cart: Cart = {
        "salami": ("salami", 1, {"size": ["medium"], "extras": ["olives"]}),
        "cola": ("cola", 2, {}),
    }
    edit(cart)
    addition(cart)
    return sorted(
        (item, count, sorted((g, c) for g, c in options.items() if c))
        for item, count, options in cart.values()
    )


def _joined(first: str, join: str, second: str) -> str:
    return first + join + (second[0].upper() + second[1:] if join == ". " else second)


@pytest.mark.parametrize(
    ("lang", "edit"),
    [(lang, edit) for lang, edits in EDITS.items() for edit in edits],
    ids=lambda value: value[0] if isinstance(value, tuple) else value,
)
def test_an_edit_and_a_new_item_in_one_message(pizza, lang, edit) -> None:
    said, change = edit
    started = step(pizza, new_session(pizza, lang=lang), Message(START[lang], NOW)).session
    wrong = []
    for (added, addition), join in itertools.product(ADDITIONS[lang], JOINS[lang]):
        for text in (_joined(said, join, added), _joined(added, join, said)):
            cart = _cart(step(pizza, started, Message(text, NOW)).session)
            if cart != _expected(change, addition):
                wrong.append(f"{text!r}: {cart}")
    assert not wrong, "\n".join(wrong)
