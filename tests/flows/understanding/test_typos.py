"""Typing slips (typos.py): one swap or one neighbouring key leads to the menu word; real words
and arbitrary changes do not."""

import pytest

from framework.flows.understanding.matching import PhraseIndex
from framework.flows.understanding.typos import SlipReader

MENU = ["salami", "large", "wasser", "grosse", "macht", "offen", "funghi", "kleine", "keine"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("slaami", "salami"),  # two letters swapped
        ("lrage", "large"),
        ("wasswr", "wasser"),  # w beside e
        ("grpsse", "grosse"),  # p beside o ("grpße", folded)
        ("fubghi", "funghi"),  # b beside n
    ],
)
def test_a_slip_reads_as_the_menu_word(typed: str, meant: str) -> None:
    assert SlipReader(MENU).read(typed) == meant


@pytest.mark.parametrize(
    "typed",
    [
        "lange",  # n and r are far apart: another word, not a slip of "large"
        "nacht",  # a frequent word one key from "macht"
        "often",  # English, one key from "offen"
        "sakano",  # two slips
        "salamis",  # another length: left to the similarity score
        "kxyine",
        "mit",  # too short to guess at
    ],
)
def test_words_and_wider_changes_are_not_slips(typed: str) -> None:
    assert SlipReader(MENU).read(typed) is None


def test_a_slip_of_two_menu_words_reads_as_neither() -> None:
    assert SlipReader(["fanta", "fenta"]).read("fwnta") is None  # w touches a and e


def test_the_phrase_index_finds_items_through_slips() -> None:
    index = PhraseIndex([("salami", "salami"), ("wasser", "water"), ("große", "large")])
    found = index.find_all(["eine", "grpsse", "slaami", "und", "ein", "wasswr"])
    assert [match.value for match in found] == ["large", "salami", "water"]


def test_a_softened_first_consonant_is_a_slip_and_only_the_first() -> None:
    reader = SlipReader(["pizza", "tonno", "kaese"])
    assert reader.read("bizza") == "pizza"
    assert reader.read("donno") == "tonno"
    assert reader.read("gaese") == "kaese"
    assert reader.read("tondo") is None  # n → d inside a word is no dialect's softening


def test_a_word_cut_short_reads_as_the_one_it_begins() -> None:
    index = PhraseIndex(
        [
            *(("jalapeno", "jalapenos"), ("jalapenos", "jalapenos")),
            *(("capricciosa", "capricciosa"), ("halloumi", "halloumi")),
            *(("schinken", "ham"), ("schinkenbrot", "sandwich")),
        ]
    )
    found = index.find_all(["diavola", "mit", "jalap", "und", "capric"])
    assert [match.value for match in found] == ["jalapenos", "capricciosa"]
    assert index.find_all(["schin"]) == []  # begins two words of two values: neither
    assert index.find_all(["hallo"]) == []  # a frequent word is no abbreviation
