"""Menu words as a voice input heard them (phonetics.py): the Cologne phonetics, and which
words a dictated message has written as the menu's."""

import pytest

from framework.flows.understanding.phonetics import SoundIndex, cologne


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("Müller-Lüdenscheidt", "65752682"),  # the examples of the algorithm's literature
        ("Wikipedia", "3412"),
        ("Breschnew", "17863"),
        ("Margherita", "67472"),
        ("Margarete", "67472"),
        ("Jalapeños", "05168"),
        ("", ""),
        ("1234", ""),
    ],
)
def test_the_cologne_code(word: str, code: str) -> None:
    assert cologne(word) == code


MENU = SoundIndex(
    [
        *((("margherita",), "margherita"), (("margarita",), "margherita")),
        *((("diavola",), "diavola"), (("jalapenos",), "jalapenos"), (("fanta",), "fanta")),
        *((("prosciutto",), "prosciutto"), (("ham",), "prosciutto"), (("cola",), "cola")),
    ]
)


def test_words_that_sound_like_the_menu_are_written_as_it() -> None:
    heard = MENU.heard("zwo Pizza Margarete, eine Dia Vola mit extra Hallo Penjos, ne Proschutto")
    assert heard == "zwo Pizza margherita, eine Dia Vola mit extra jalapenos, ne prosciutto"


def test_everyday_words_of_a_menu_word_s_sound_stay_as_heard() -> None:
    """Short codes are shared by everyday words ("want" and "Fanta", "eine" and "ham"), and a
    long code needs the letters alike too."""
    assert MENU.heard("I want eine Pizza") == "I want eine Pizza"
    assert MENU.heard("ich hab keine Kohle") == "ich hab keine Kohle"
    assert MENU.heard("eine Cola") == "eine Cola"  # a menu word itself
