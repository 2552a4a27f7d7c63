"""What the engine reads as a link code, and what never: hostile and look-alike input."""

from __future__ import annotations

import pytest

from framework.flows.link_codes import code_alone, code_in, is_code


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("K7M4QX", ("K7M4QX", False)),
        (" k7m4qx! ", ("K7M4QX", False)),
        ("Code: K7M4QX", ("K7M4QX", True)),
        ("link code k7m4qx.", ("K7M4QX", True)),
        ("Verbindungscode K7M4QX", ("K7M4QX", True)),
    ],
)
def test_codes_are_read_in_any_case(text: str, read: tuple[str, bool]) -> None:
    assert code_alone(text) == read


@pytest.mark.parametrize(
    "text",
    [
        "MARGHE",  # letters only: a word
        "482913",  # digits only
        "ABC123",  # 1 is not in the alphabet
        "K7M4QXZ",  # seven
        "K7M4Q",
        "\u212a7M4QX",  # the Kelvin sign, not K
        "\uff2b7M4QX",  # fullwidth K
        "ß7M4QX",
        "K7M4QX" * 10_000,
        "K7M4QX\x00",
        "Code K7M4QX und noch was",
        "",
    ],
)
def test_look_alikes_and_hostile_text_are_no_code(text: str) -> None:
    assert code_alone(text) is None
    assert not is_code(text)


def test_a_code_among_words_only_when_it_is_the_one() -> None:
    assert code_in("chats verbinden K7M4QX") == "K7M4QX"
    assert code_in("chats verbinden") is None
    assert code_in("K7M4QX oder AB2CD3") is None  # two: neither
    assert code_in("x" * 100_000 + " K7M4QX") is None  # only the start of a message is read
