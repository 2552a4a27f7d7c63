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
        *((("diavola",), "diavola"), (("jalapenos",), "jalapenos")),
        *((("cola", "zero"), "cola_zero"), (("cola",), "cola"), (("kola",), "kola_nuts")),
    ]
)


def test_words_that_sound_like_the_menu_are_written_as_it() -> None:
    heard = MENU.heard("zwo Pizza Margarete, eine Dia Vola mit Hallo Penjos und drei Kohle Zero.")
    assert heard == "zwo Pizza margherita, eine diavola mit jalapenos und drei cola zero."


def test_short_sounds_and_sounds_of_two_things_stay_as_heard() -> None:
    assert MENU.heard("ich hab keine Kohle") == "ich hab keine Kohle"  # 45 alone: too short
    assert MENU.heard("eine Cola") == "eine Cola"  # a menu word itself
