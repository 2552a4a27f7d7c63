""" "The same" between commas is read as its item (same_as.py): the part left of it holds no
words, and what reads the parts after it must take that (it raised IndexError, which the
customer met as the apology for an error)."""

from pathlib import Path

import pytest

from framework.flows import load_bot
from framework.flows.understanding.extract import extract_mentions
from framework.flows.understanding.lexicon import lexicon_for

PIZZA = Path(__file__).resolve().parents[3] / "bots" / "pizza"


@pytest.mark.parametrize(
    ("text", "item", "size"),
    [
        ("a Salami, the same, small", "salami", "small"),
        ("zwei Margherita, das Gleiche, klein mit Oliven", "margherita", "small"),
    ],
)
def test_the_same_between_commas_reads_its_item(text: str, item: str, size: str) -> None:
    bot = load_bot(PIZZA)
    slots = [bot.slots[name] for name in sorted(bot.flows["order"].asks)]
    mentions = extract_mentions(text, slots, lexicon_for(bot), None)
    assert mentions and all(mention.get("item") == item for mention in mentions)
    assert mentions[-1].get("size") == size
