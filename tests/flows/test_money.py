"""Money: exact minor units, half-up rounding, per-currency digits and CLDR formatting."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.errors import MoneyError
from framework.money import Money, currency_digits, format_money

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("0.005", "EUR", 1),
        ("2.675", "EUR", 268),
        ("2.665", "EUR", 267),
        ("0.004", "EUR", 0),
        ("-0.005", "EUR", -1),
        ("8.50", "EUR", 850),
        (Decimal("8.5"), "EUR", 850),
        (12, "EUR", 1200),
        ("1000", "JPY", 1000),
        ("1.5", "JPY", 2),
        ("0.4", "JPY", 0),
        ("1.234", "KWD", 1234),
        ("1.2345", "KWD", 1235),
        ("0.0005", "BHD", 1),
    ],
)
def test_parse_rounds_half_up_to_the_minor_unit(amount, currency, minor):
    assert Money.parse(amount, currency) == Money(minor, currency)


def test_parse_of_a_float_string_is_exact_not_binary():
    # 2.675 is 2.67499999... as a binary float; a price must still round to 2.68.
    assert Money.parse(str(2.675), "EUR").minor == 268


@pytest.mark.parametrize(("currency", "digits"), [("EUR", 2), ("JPY", 0), ("KWD", 3), ("BHD", 3)])
def test_currency_digits(currency, digits):
    assert currency_digits(currency) == digits


def test_amount_is_exact_in_major_units():
    assert Money(850, "EUR").amount == Decimal("8.50")
    assert Money(1000, "JPY").amount == Decimal(1000)
    assert Money(1234, "KWD").amount == Decimal("1.234")


@pytest.mark.parametrize("currency", ["XYZ", "eur", "EURO", ""])
def test_unknown_currency_is_a_money_error(currency):
    with pytest.raises(MoneyError):
        Money.parse("1", currency)
    with pytest.raises(MoneyError):
        currency_digits(currency)


@pytest.mark.parametrize(
    "amount", ["NaN", "nan", "sNaN", "Infinity", "-Infinity", "inf", "abc", "", "8,50", "1.2.3"]
)
def test_not_an_amount_is_a_money_error(amount):
    with pytest.raises(MoneyError):
        Money.parse(amount, "EUR")


@pytest.mark.parametrize("amount", ["1e26", "9" * 40, "1e999999999999"])
def test_an_absurdly_large_amount_is_a_money_error(amount):
    with pytest.raises(MoneyError):
        Money.parse(amount, "EUR")


# Without exponents and at most 20 characters, so that no amount exceeds Decimal's precision
# (that case is the test above).
@given(st.text(alphabet=st.characters(exclude_characters="eE"), max_size=20))
@settings(max_examples=300, deadline=None, database=None)
def test_parse_of_any_short_text_is_money_or_money_error(text):
    try:
        money = Money.parse(text, "EUR")
    except MoneyError:
        return
    assert isinstance(money.minor, int)


def test_arithmetic_in_one_currency():
    a, b = Money(850, "EUR"), Money(250, "EUR")
    assert a + b == Money(1100, "EUR")
    assert a - b == Money(600, "EUR")
    assert a * 3 == Money(2550, "EUR")
    assert 3 * a == Money(2550, "EUR")
    assert Money.zero("EUR") + a == a


def test_multiplying_by_a_non_integer_is_refused():
    with pytest.raises(TypeError):
        Money(100, "EUR") * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money(100, "EUR") * True


@pytest.mark.parametrize(
    "operation",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
)
def test_mixing_currencies_is_a_money_error(operation):
    with pytest.raises(MoneyError, match="EUR and USD"):
        operation(Money(100, "EUR"), Money(100, "USD"))


def test_money_of_different_currencies_is_never_equal():
    assert Money(100, "EUR") != Money(100, "USD")


def test_comparisons_with_numbers_are_in_major_units():
    price = Money(850, "EUR")
    assert price < 9
    assert price > 8
    assert price <= Decimal("8.50")
    assert price >= Decimal("8.5")
    assert not price < Decimal("8.50")
    assert not price > 850  # 850 means 850 euros, not cents
    assert Money(1000, "JPY") >= 1000
    assert Money(1234, "KWD") > Decimal("1.233")


def test_comparisons_with_other_types_are_money_errors():
    for other in (8.5, "8.50", True, None):
        with pytest.raises(MoneyError):
            _ = Money(850, "EUR") < other


def test_equality_with_a_number_agrees_with_ordering():
    price = Money(850, "EUR")
    assert price == Decimal("8.50")


def test_format_german():
    assert format_money(Money(2300, "EUR"), "de-DE") == f"23,00{NBSP}€"
    assert format_money(Money(123456, "EUR"), "de-DE") == f"1.234,56{NBSP}€"


def test_format_english():
    assert format_money(Money(2300, "EUR"), "en") == "€23.00"
    assert format_money(Money(2300, "GBP"), "en-GB") == "£23.00"


def test_format_zero_decimal_currency():
    assert format_money(Money(1000, "JPY"), "en") == "¥1,000"


def test_format_three_decimal_currency_keeps_its_digits():
    assert format_money(Money(1234, "KWD"), "en").endswith("1.234")


def test_format_with_an_unknown_locale_falls_back_to_english():
    assert format_money(Money(2300, "EUR"), "xx-YY") == "€23.00"
