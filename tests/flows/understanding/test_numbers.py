import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.flows.understanding.numbers import parse_number, word_to_number

PROPERTIES = settings(database=None, deadline=None)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("0", 0),
        ("7", 7),
        ("42", 42),
        ("9999", 9999),
        ("007", 7),
        ("1x", 1),
        ("2x", 2),
        ("null", 0),
        ("zero", 0),
        ("ein", 1),
        ("eine", 1),
        ("einen", 1),
        ("einem", 1),
        ("einer", 1),
        ("eins", 1),
        ("one", 1),
        ("a", 1),
        ("an", 1),
        ("zwei", 2),
        ("zwo", 2),
        ("two", 2),
        ("fünf", 5),
        ("fuenf", 5),
        ("zwölf", 12),
        ("zwoelf", 12),
        ("twelve", 12),
        ("elf", 11),
        ("dreizehn", 13),
        ("sechzehn", 16),
        ("siebzehn", 17),
        ("nineteen", 19),
        ("zwanzig", 20),
        ("dreißig", 30),
        ("dreissig", 30),
        ("ninety", 90),
        ("einundzwanzig", 21),
        ("dreiundvierzig", 43),
        ("zweiundneunzig", 92),
        ("twenty-one", 21),
        ("twentyone", 21),
        ("forty-two", 42),
        ("hundert", 100),
        ("hundred", 100),
        ("einhundert", 100),
        ("zweihundertfünfzig", 250),
        ("hunderteins", 101),
        ("tausendundeins", 1001),
        ("dutzend", 12),
        ("dozen", 12),
    ],
)
def test_word_to_number_reads_digits_and_words(token: str, expected: int) -> None:
    assert word_to_number(token) == expected


@pytest.mark.parametrize(
    "token",
    [
        "",
        "10000",
        "-1",
        "1.5",
        "paar",
        "beide",
        "both",
        "erste",
        "first",
        "pizza",
        "und",
        "-",
        "x",
        "hunderta",
        "tausendund",
        "einundeins",
        "twentytwenty",
        "🍕",
        "zwei" * 20,
    ],
)
def test_word_to_number_rejects_other_tokens(token: str) -> None:
    assert word_to_number(token) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", Decimal(3)),
        ("drei", Decimal(3)),
        ("Drei!", Decimal(3)),
        ("three please", Decimal(3)),
        ("3 stück", Decimal(3)),
        ("3 Stück bitte", Decimal(3)),
        ("2x", Decimal(2)),
        ("2,5", Decimal("2.5")),
        ("2.5", Decimal("2.5")),
        ("-4", Decimal(-4)),
        ("\u22124", Decimal(-4)),
        ("1.000", Decimal(1000)),
        ("1,000", Decimal(1000)),
        ("1.000,50", Decimal("1000.50")),
        ("1,000.5", Decimal("1000.5")),
        ("0.500", Decimal("0.5")),
        ("1.5", Decimal("1.5")),
        ("twenty one", Decimal(21)),
        ("twenty-one", Decimal(21)),
        ("einundzwanzig", Decimal(21)),
        ("one hundred and five", Decimal(105)),
        ("two thousand three hundred", Decimal(2300)),
        ("a dozen", Decimal(12)),
        ("zwei dutzend", Decimal(24)),
        ("eine", Decimal(1)),
        ("4 personen", Decimal(4)),
        ("we are 4 people", Decimal(4)),
        ("ungefähr 20", Decimal(20)),
        ("drei (3)", Decimal(3)),
        ("3.", Decimal(3)),
        ("  7  ", Decimal(7)),
        ("zero", Decimal(0)),
    ],
)
def test_parse_number_reads_number_answers(text: str, expected: Decimal) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "a",
        "bitte",
        "3 pizzas and 2 colas",
        "2 oder 3",
        "3-4",
        "one two",
        "twenty twenty",
        "ein paar",
        "eine pizza",
        "1.2.3",
        "🍕🍕",
        "3" * 201,
    ],
)
def test_parse_number_rejects_other_messages(text: str) -> None:
    assert parse_number(text) is None


def test_parse_number_keeps_integers_exact() -> None:
    value = parse_number("9999")
    assert value == Decimal(9999)
    assert value is not None and value.as_tuple().exponent == 0


@PROPERTIES
@given(st.integers(min_value=0, max_value=9999))
def test_every_number_up_to_9999_round_trips(number: int) -> None:
    assert word_to_number(str(number)) == number
    assert parse_number(str(number)) == number


@PROPERTIES
@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=99))
def test_decimal_comma_and_point_agree(whole: int, cents: int) -> None:
    expected = Decimal(f"{whole}.{cents:02d}")
    assert parse_number(f"{whole},{cents:02d}") == expected
    assert parse_number(f"{whole}.{cents:02d}") == expected


@PROPERTIES
@given(st.text())
def test_word_to_number_never_raises(text: str) -> None:
    result = word_to_number(text)
    assert result is None or (isinstance(result, int) and 0 <= result <= 9999)


@PROPERTIES
@given(st.text())
def test_parse_number_never_raises(text: str) -> None:
    assert isinstance(parse_number(text), Decimal | None)


@PROPERTIES
@given(st.text(min_size=1, max_size=20))
def test_huge_input_is_rejected_quickly(seed: str) -> None:
    huge = seed * (1_000_000 // len(seed) + 1)
    started = time.perf_counter()
    assert parse_number(huge) is None
    assert word_to_number(huge) is None
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "1" * 200,
        "1." * 100,
        "-" * 200,
        "a " * 100,
        "twenty " * 28,
        "\u0661\u0662\u0663",
        "\u202e3\u202c",
        "🍕" * 200,
    ],
)
def test_awkward_short_inputs_are_fast(text: str) -> None:
    started = time.perf_counter()
    parse_number(text)
    assert time.perf_counter() - started < 0.1
