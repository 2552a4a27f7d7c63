"""The address type: a street with its house number and a postcode, or what is missing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from framework.flows import load_bot
from framework.flows.address_parts import remember_part, with_earlier_part
from framework.flows.session import Frame
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.slot_values import (
    AnswerContext,
    Invalid,
    Valid,
    find_address,
    parse_answer,
)

PIZZA = load_bot(Path(__file__).parents[3] / "bots" / "pizza")


def parse(text: str, lang: str = "de") -> Valid | Invalid:
    context = AnswerContext(PIZZA, lexicon_for(PIZZA), datetime(2026, 11, 27, tzinfo=UTC), lang, [])
    return parse_answer(PIZZA.slots["address"], text, None, context)


@pytest.mark.parametrize(
    "text",
    [
        "Weserstraße 5, 12047 Berlin",
        "liefern an Hauptstr. 3a 12045 Berlin bitte",
        "Karl-Marx-Straße 12, 12043",
        "12047 Berlin, Sonnenallee 100",
        "Am Sudhaus 2 12053",
    ],
)
def test_addresses_with_street_number_and_postcode(text: str) -> None:
    assert parse(text) == Valid(" ".join(text.split()))


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("zu mir nach Hause", "Straße und Hausnummer und die Postleitzahl"),
        ("Weserstraße 5", "die Postleitzahl"),
        ("12047 Berlin", "Straße und Hausnummer"),
        ("Weserstraße, 12047 Berlin", "Straße und Hausnummer"),
    ],
)
def test_what_is_missing_is_said(text: str, missing: str) -> None:
    assert parse(text) == Invalid("incomplete_address", {"missing": missing})


def test_in_english() -> None:
    assert parse("to my place", "en") == Invalid(
        "incomplete_address", {"missing": "the street and house number and the postcode"}
    )


def test_a_shared_location_is_an_address() -> None:
    """Telegram and WhatsApp send a location as its coordinates."""
    assert parse("52.486234, 13.424501") == Valid("52.486234, 13.424501")


@pytest.mark.parametrize(
    ("message", "found"),
    [
        (
            "Flat 4, 3rd floor, Pannierstr 29, 12047 Berlin, bell: Okafor",
            "Pannierstr 29, 12047 Berlin",
        ),
        ("bring it to 12043 Berlin, Karl-Marx-Str. 101 pls", "12043 Berlin, Karl-Marx-Str. 101"),
        ("deliver to 22 Weserstraße, 12047 Berlin", "22 Weserstraße, 12047 Berlin"),
        (
            "ich wohne in der Hermannstraße 145, 12051 Berlin, 3. Stock",
            "Hermannstraße 145, 12051 Berlin",
        ),
        # a street word apart from its name keeps the name, but not the words before it
        ("Deliver to Kienitzer Straße 100, 12049 Berlin", "Kienitzer Straße 100, 12049 Berlin"),
        ("liefern an die karl marx straße 100 12043 berlin", "karl marx straße 100 12043"),
        ("Hallo, wir wohnen Karl Marx Allee 5 10243", "Karl Marx Allee 5 10243"),
    ],
)
def test_the_address_inside_a_longer_message(message: str, found: str) -> None:
    assert find_address(message) == found


@pytest.mark.parametrize(
    ("first", "second", "combined"),
    [
        ("Sonnenallee 50", "12045", "Sonnenallee 50, 12045"),
        ("Weserstraße, 12047 Berlin", "oh sorry, 88", "Weserstraße 88, 12047 Berlin"),
        (
            "to my girlfriend's on Selchower Straße",
            "19, 12049",
            "to my girlfriend's on Selchower Straße 19, 12049",
        ),
    ],
)
def test_an_address_given_in_pieces_is_put_together(first: str, second: str, combined: str) -> None:
    frame: Frame = {"flow": "checkout", "pc": 2, "wait": "address"}
    assert isinstance(parse(first), Invalid)
    remember_part(frame, first)
    assert with_earlier_part(frame, second) == combined
    assert isinstance(parse(combined), Valid)
