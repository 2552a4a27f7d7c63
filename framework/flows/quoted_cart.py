"""The cart quoted back with prices, and one change after it: "Also nochmal: 1× Funghi groß
mit Oliven 13,50 €, 1× Prosciutto klein 10,00 €, 2× Cola 5,00 € — nur die Prosciutto bitte
mittel, sonst alles gleich". The quote says what the customer sees, not what they want
changed: only what follows the last price is read as the message (read whole, "nur" made
every quoted line "changed" to its own count, and the Prosciutto stayed small)."""

from __future__ import annotations

import re

from framework.flows.bot_slots import item_slots
from framework.flows.turn import Turn

__all__ = ["beside_the_quote"]

_PRICE = re.compile(r"(?:€\s*\d+(?:[.,]\d{2})?|\d+(?:[.,]\d{2})?\s*(?:€|eur(?:o)?\b))", re.I)
_QUOTED_PRICES = 2
_LEAD = " \t—–-:;,."


def beside_the_quote(turn: Turn, text: str) -> str | None:
    """What the message says after a quote of the cart (two prices or more, every item it
    names in the cart), or None when it quotes nothing or says nothing after the quote."""
    prices = list(_PRICE.finditer(text))
    lines = turn.cart_so_far()["lines"]  # with the pizza whose extras are still asked
    if len(prices) < _QUOTED_PRICES or not lines:
        return None
    quote, rest = text[: prices[-1].end()], text[prices[-1].end() :].strip(_LEAD)
    if not rest:
        return None
    in_cart = {line["item"] for line in lines}
    named = [m.get(slot) for m in turn.names_for_order(quote) for slot in item_slots(turn.bot)]
    quoted = {str(item) for item in named if item is not None}
    return rest if quoted and quoted <= in_cart else None
