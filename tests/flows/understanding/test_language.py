import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.flows.understanding.language import guess_language, requested_language

PROPERTIES = settings(database=None, deadline=None)
BOTH = ("de", "en")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ich möchte eine Pizza Salami", "de"),
        ("ich moechte eine pizza", "de"),
        ("Hätte gerne noch eine Cola", "de"),
        ("Eine Pizza mit Salami und ohne Zwiebeln bitte", "de"),
        ("Wann ist der Tisch frei?", "de"),
        ("Können wir um 8 kommen?", "de"),
        ("I would like a pizza", "en"),
        ("I'd like a large pizza please", "en"),
        ("Can I get some fries with that?", "en"),
        ("a pizza without onions and with extra cheese", "en"),
        ("Could we have the table at 8?", "en"),
        # one marker is enough when the other language has none: follow the first words
        ("Pizza Salami bitte", "de"),
        ("Margherita please", "en"),
        ("two small ones", "en"),
        ("please", "en"),
    ],
)
def test_guess_language_when_clear(text: str, expected: str) -> None:
    assert guess_language(text, BOTH) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ok",
        "pizza",
        "salami",
        "Pizza Salami",
        "Margherita, Tonno, Hawaii",
        "12",
        "👍",
        "ich want the pizza",
        "\u05e9\u05dc\u05d5\u05dd",
    ],
)
def test_guess_language_when_unsure(text: str) -> None:
    assert guess_language(text, BOTH) is None


@pytest.mark.parametrize(
    ("text", "candidates", "expected"),
    [
        ("Ich möchte eine Pizza", ["de"], "de"),
        ("Ich möchte eine Pizza", ["en"], None),
        ("I would like a pizza", ["de"], None),
        ("I would like a pizza", ["en", "fr"], "en"),
        ("I would like a pizza", [], None),
        ("Ich möchte eine Pizza", ("fr", "it"), None),
    ],
)
def test_guess_language_only_returns_candidates(
    text: str, candidates: list[str], expected: str | None
) -> None:
    assert guess_language(text, candidates) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("english please", "en"),
        ("English, please!", "en"),
        ("in english", "en"),
        ("speak english", "en"),
        ("Do you speak English?", "en"),
        ("auf englisch", "en"),
        ("Englisch bitte", "en"),
        ("kannst du englisch sprechen?", "en"),
        ("english", "en"),
        ("can we speak german", "de"),
        ("auf deutsch", "de"),
        ("Auf Deutsch bitte", "de"),
        ("deutsch bitte", "de"),
        ("german please", "de"),
        ("Können wir Deutsch sprechen?", "de"),
        ("switch to german", "de"),
    ],
)
def test_requested_language(text: str, expected: str) -> None:
    assert requested_language(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "please",
        "bitte",
        "hallo",
        "I don't speak german",
        "the german beer",
        "ein deutsches Bier",
        "deutsch oder englisch",
        "english or german",
        "Is the chef german?",
        "I would like a pizza",
        "english " * 30,
    ],
)
def test_requested_language_ignores_other_messages(text: str) -> None:
    assert requested_language(text) is None


@PROPERTIES
@given(st.text(), st.lists(st.sampled_from(["de", "en", "fr"]), max_size=3))
def test_guess_is_a_candidate_or_none(text: str, candidates: list[str]) -> None:
    result = guess_language(text, candidates)
    assert result is None or result in candidates


@PROPERTIES
@given(st.text())
def test_requested_language_never_raises(text: str) -> None:
    assert requested_language(text) in ("de", "en", None)


@PROPERTIES
@given(st.text(min_size=1, max_size=20))
def test_huge_input_is_quick(seed: str) -> None:
    huge = seed * (1_000_000 // len(seed) + 1)
    started = time.perf_counter()
    assert guess_language(huge, BOTH) in ("de", "en", None)
    assert requested_language(huge) is None
    assert time.perf_counter() - started < 0.5


def test_huge_german_text_is_still_recognised() -> None:
    assert guess_language("ich möchte eine pizza " * 50_000, BOTH) == "de"


def test_a_bots_own_words_tell_the_language() -> None:
    """Names only one of a bot's languages uses ("Klein" / "Small") count as markers."""
    own = {"de": frozenset({"klein", "groß"}), "en": frozenset({"small", "large"})}
    assert guess_language("2 small", BOTH) is None
    assert guess_language("2 small", BOTH, own) == "en"
    assert guess_language("eine klein", BOTH, own) == "de"
