"""The words that point at one of several lines without saying which (which_line.py), and the
gate of one_of_several.py that skips a message without any of them; the same for the words
that pick the plain one (picked_by_extras.py)."""

from framework.flows.one_of_several import _ONE
from framework.flows.picked_by_extras import _PLAIN_ONE, _PLAIN_WORDS
from framework.flows.which_line import _ONE_OF_THEM, one_of_them


def test_every_pointer_says_one_so_the_gate_never_skips_one() -> None:
    assert all(_ONE & set(pointer) for pointer in _ONE_OF_THEM)


def test_the_first_pointer_of_the_list_wins() -> None:
    words = ["put", "olives", "on", "one", "of", "them"]
    assert one_of_them(words) == (3, 6)  # "one of them", not "on one"
    assert one_of_them(["bei", "einer", "bitte", "noch", "zwiebeln"]) == (0, 2)
    assert one_of_them(["zwei", "große", "salami"]) is None


def test_every_plain_pointer_has_a_gate_word() -> None:
    assert all(_PLAIN_WORDS & set(pointer) for pointer in _PLAIN_ONE)
