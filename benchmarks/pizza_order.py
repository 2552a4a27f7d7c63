"""The order every benchmark runs: several items at once, a correction, delivery (42,50 €).

The last message confirms the order, and the flow's pay step asks for the payment: the order
ends waiting for it (the cart is cleared only once it is paid).
"""

from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bots" / "pizza"
OPEN_AT = "2026-11-27T19:00+01:00"
"""A Friday evening: the pizzeria is open."""
ORDER = (
    "2 große Salami und eine Cola",
    "keine",
    "ja, eine Margherita mit extra Käse",
    "mittel",
    "doch lieber groß",
    "nein",
    "liefern",
    "Weserstraße 5, 12047 Berlin",
    "ja",
)
TOTAL = "42,50"
TOTAL_MINOR = 4250
"""The same total in cents, as the bill of the payment request carries it."""
