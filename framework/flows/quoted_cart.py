"""The cart quoted back with prices, and one change after it: "Also nochmal: 1× Funghi groß
mit Oliven 13,50 €, 1× Prosciutto klein 10,00 €, 2× Cola 5,00 € — nur die Prosciutto bitte
mittel, sonst alles gleich". The quote says what the customer sees, not what they want
changed: only what follows the last price is read as the message (read whole, "nur" made
every quoted line "changed" to its own count, and the Prosciutto stayed small)."""

from __future__ import annotations

import re
from typing import Final

from framework.flows.bot_slots import item_slots, quantity_slots
from framework.flows.session import CartLine
from framework.flows.turn import Turn

__all__ = ["beside_the_quote"]

_PRICE: Final = re.compile(r"(?:€\s*\d+(?:[.,]\d{2})?|\d+(?:[.,]\d{2})?\s*(?:€|eur(?:o)?\b))", re.I)
_QUOTED_PRICES: Final = 2
_LEAD: Final = " \t—–-:;,."


def beside_the_quote(turn: Turn, text: str) -> str | None:
    """What the message says after a quote of the cart (two prices or more, every item it
    names in the cart; or the cart said again with its counts, then "but", "except"), or
    None when it quotes nothing or says nothing after the quote."""
    prices = list(_PRICE.finditer(text))
    if len(prices) < _QUOTED_PRICES and _BUT.search(text) is None:
        return None  # most messages: no quote to read past (and the cart is not built)
    lines = turn.cart_so_far()["lines"]  # with the pizza whose extras are still asked
    if len(prices) < _QUOTED_PRICES or not lines:
        return _after_the_order_said_again(turn, text, lines) if lines else None
    quote, rest = text[: prices[-1].end()], text[prices[-1].end() :].strip(_LEAD)
    if not rest:
        return None
    in_cart = {line["item"] for line in lines}
    named = [m.get(slot) for m in turn.names_for_order(quote) for slot in item_slots(turn.bot)]
    quoted = {str(item) for item in named if item is not None}
    return rest if quoted and quoted <= in_cart else None


_BUT: Final = re.compile(
    r"(?:\s[—–-]|[:;,.])\s*(?:(?:but|except|aber|außer|ausser)\s+|(?=(?:nur|only|just)\s))", re.I
)
"""After the order said again: "but", "except" (left out of what follows), "nur", "only"
(kept: "– nur die Prosciutto bitte groß")."""


def _after_the_order_said_again(turn: Turn, text: str, lines: list[CartLine]) -> str | None:
    """ "Just so I've got it: 2 large Funghi w/ olives, 1 medium Prosciutto, 3 beers — except
    the Prosciutto should be large", "… 1 Bier – nur die Prosciutto bitte groß": what follows
    the order said again (two items or more, each in the cart with the count said), read
    whole it made three of each."""
    found = list(_BUT.finditer(text))
    if not found:
        return None
    quote, rest = text[: found[-1].start()], text[found[-1].end() :].strip()
    counts: dict[str, int] = {}
    for line in lines:
        counts[line["item"]] = counts.get(line["item"], 0) + line["quantity"]
    items, quantities = item_slots(turn.bot), quantity_slots(turn.bot)
    said = [
        (str(m[item]), m.get(quantity))
        for m in turn.names_for_order(quote)
        for item in m.keys() & items  # the view first: a set, as mypyc checks
        for quantity in [next(iter(m.keys() & quantities), "")]
    ]
    agrees = all(item in counts and count in (None, counts[item]) for item, count in said)
    # two lines said, not one item named twice ("on the Quattro Formaggi no extra cheese — it
    # has already four cheeses. Only the mushrooms": an edit, no quote)
    return rest if rest and len(set(said)) >= _QUOTED_PRICES and agrees else None
