"""The words that point at one of several lines without saying which (which_line.py), and the
gate of one_of_several.py that skips a message without any of them."""

from framework.flows.one_of_several import _ONE
from framework.flows.which_line import _ONE_OF_THEM, one_of_them


def test_every_pointer_says_one_so_the_gate_never_skips_one() -> None:
    assert all(_ONE & set(pointer) for pointer in _ONE_OF_THEM)


def test_the_first_pointer_of_the_list_wins() -> None:
    words = ["put", "olives", "on", "one", "of", "them"]
    assert one_of_them(words) == (3, 6)  # "one of them", not "on one"
    assert one_of_them(["bei", "einer", "bitte", "noch", "zwiebeln"]) == (0, 2)
    assert one_of_them(["zwei", "große", "salami"]) is None
