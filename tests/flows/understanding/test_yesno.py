import time
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.flows.understanding.yesno import parse_yes_no

PROPERTIES = settings(database=None, deadline=None)

YES = [
    "ja",
    "jo",
    "jap",
    "jawohl",
    "klar",
    "gerne",
    "gern",
    "genau",
    "richtig",
    "passt",
    "ok",
    "okay",
    "stimmt",
    "sicher",
    "natürlich",
    "natuerlich",
    "ja bitte",
    "yes",
    "yeah",
    "yep",
    "yup",
    "sure",
    "of course",
    "correct",
    "right",
    "y",
    "doch",
    "na klar",
    "auf jeden fall",
    "no problem",
    "kein problem",
    "why not",
]
NO = [
    "nein",
    "nö",
    "noe",
    "nee",
    "ne",
    "nope",
    "no",
    "nah",
    "n",
    "auf keinen fall",
    "no thanks",
    "no thank you",
    "nein danke",
    "lieber nicht",
    "not really",
    "nicht wirklich",
    "stimmt nicht",
    "of course not",
    "falsch",
]


@pytest.mark.parametrize("text", YES)
def test_yes_words(text: str) -> None:
    assert parse_yes_no(text) is True


@pytest.mark.parametrize("text", NO)
def test_no_words(text: str) -> None:
    assert parse_yes_no(text) is False


@pytest.mark.parametrize("text", YES)
def test_yes_survives_case_and_punctuation(text: str) -> None:
    assert parse_yes_no(f"  {text.upper()}!!! ") is True
    assert parse_yes_no(f"{text.capitalize()}.") is True


@pytest.mark.parametrize("text", NO)
def test_no_survives_case_and_punctuation(text: str) -> None:
    assert parse_yes_no(f"{text.upper()}?!") is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("👍", True),
        ("👍🏽", True),
        ("✅", True),
        ("👎", False),
        ("❌", False),
        ("yes please 👍", True),
        ("Ja, gerne!", True),
        ("Jaaaa", True),
        ("neeein", False),
        ("nooo", False),
        ("Ja, aber ohne Zwiebeln", True),
        ("nein, das war's", False),
        ("ne danke", False),
        ("yes, that's right", True),
        ("no, I changed my mind", False),
    ],
)
def test_emoji_stretching_and_trailing_words(text: str, expected: bool) -> None:
    assert parse_yes_no(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "?",
        "pizza",
        "danke",
        "nicht ja",
        "ja nicht",
        "nicht so gern",
        "not sure",
        "ja nein",
        "yes and no",
        "ja 👎",
        "👍👎",
        "vielleicht",
        "maybe",
        "keine ahnung",
        "no idea",
        "weiß nicht",
        "ne pizza",
        "ich hätte gerne eine große Pizza mit extra Käse",
        "ja " * 101,
    ],
)
def test_unclear_messages(text: str) -> None:
    assert parse_yes_no(text) is None


@PROPERTIES
@given(st.text())
def test_any_text_gives_a_bool_or_none(text: str) -> None:
    assert parse_yes_no(text) in (True, False, None)


def test_yes_and_no_together_are_unclear() -> None:
    for yes, no in product(YES, NO):
        assert parse_yes_no(f"{yes}, aber {no}") is None, (yes, no)
        assert parse_yes_no(f"{no} {yes}") is None, (yes, no)


@PROPERTIES
@given(st.text(min_size=1, max_size=20))
def test_huge_input_is_rejected_quickly(seed: str) -> None:
    huge = seed * (1_000_000 // len(seed) + 1)
    started = time.perf_counter()
    assert parse_yes_no(huge) is None
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "a" * 200,
        "ja" * 100,
        "👍" * 200,
        "\u202b\u0646\u0639\u0645\u202c",
        "\u05db\u05df",
        "'" * 200,
    ],
)
def test_awkward_short_inputs_are_fast(text: str) -> None:
    started = time.perf_counter()
    assert parse_yes_no(text) in (True, False, None)
    assert time.perf_counter() - started < 0.1


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("Yes, please do. Thank you kindly, you have been most helpful.", True),
        ("Nein. Danke für alles, war sehr nett hier.", False),
        ("Ja, bitte buchen Sie das verbindlich. Mit freundlichen Grüßen, Heinrich Wolters", True),
        ("Ja. Aber nein, lieber nicht.", None),  # a second sentence that says no again
        ("Yes. No wait.", None),
    ],
)
def test_a_yes_or_no_followed_by_courtesy(text: str, verdict: bool | None) -> None:
    assert parse_yes_no(text) is verdict
