"""The order every benchmark runs: several items at once, a correction, delivery (42,50 €)."""

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
