"""Exact money: integer minor units plus an ISO 4217 currency.

Decimals exist only at the edges: parsing a price from a bot file, formatting for a customer.
Babel knows each currency's number of minor digits (JPY 0, EUR 2, KWD 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, DecimalException, InvalidOperation
from functools import lru_cache

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision, list_currencies

from framework.errors import MoneyError

__all__ = ["Money", "currency_digits", "format_minor", "format_money"]


@lru_cache(maxsize=1)
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


@lru_cache(maxsize=64)
def currency_digits(currency: str) -> int:
    """Minor digits of an ISO 4217 currency; raises MoneyError for an unknown code."""
    if currency not in _known_currencies():
        raise MoneyError(f"unknown currency {currency!r}: use an ISO 4217 code such as 'EUR'")
    return int(get_currency_precision(currency))


@dataclass(frozen=True, slots=True, eq=False)
class Money:
    """An amount in minor units (cents) of one currency.

    It equals and orders against Money of its currency and against plain numbers, read in
    major units (`cart.total == 15` in a condition).
    """

    minor: int
    currency: str

    @classmethod
    def parse(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Turn a decimal amount in major units into Money, rounding half up to the minor unit."""
        text = str(amount)
        try:
            value = Decimal(text) if "_" not in text else Decimal("NaN")
        except InvalidOperation:
            raise MoneyError(f"{amount!r} is not an amount: write it like 8.50") from None
        if not value.is_finite():
            raise MoneyError(f"{amount!r} is not a finite amount")
        digits = currency_digits(currency)
        try:
            minor = (value * (10**digits)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        except DecimalException:
            raise MoneyError(f"{amount!r} is too large an amount") from None
        return cls(int(minor), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @property
    def amount(self) -> Decimal:
        """The amount in major units, exact."""
        return _major(self.minor, self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int) or isinstance(factor, bool):
            return NotImplemented
        return Money(self.minor * factor, self.currency)

    __rmul__ = __mul__

    def _compare_key(self, other: object) -> tuple[Decimal, Decimal]:
        """Money compares with Money of its currency, or with a plain number in major units."""
        if isinstance(other, Money):
            self._same(other)
            return Decimal(self.minor), Decimal(other.minor)
        if isinstance(other, int | Decimal) and not isinstance(other, bool):
            return self.amount, Decimal(other)
        raise MoneyError(f"cannot compare money with {type(other).__name__}")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Money):
            return (self.minor, self.currency) == (other.minor, other.currency)
        if isinstance(other, int | Decimal) and not isinstance(other, bool):
            return self.amount == Decimal(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.minor, self.currency))

    def __lt__(self, other: object) -> bool:
        left, right = self._compare_key(other)
        return left < right

    def __le__(self, other: object) -> bool:
        left, right = self._compare_key(other)
        return left <= right

    def __gt__(self, other: object) -> bool:
        left, right = self._compare_key(other)
        return left > right

    def __ge__(self, other: object) -> bool:
        left, right = self._compare_key(other)
        return left >= right

    def to_json(self) -> dict[str, int | str]:
        return {"minor": self.minor, "currency": self.currency}


@lru_cache(maxsize=32)
def _locale(tag: str) -> Locale:
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


def format_money(money: Money, locale: str) -> str:
    """'23,00 €' in de-DE, '€23.00' in en: Babel's CLDR rules, never hand-written formats."""
    return format_minor(money.minor, money.currency, locale)


@lru_cache(maxsize=4096)
def format_minor(minor: int, currency: str, locale: str) -> str:
    """`format_money` of an amount in minor units, kept by plain values (a key of Money would
    be hashed and compared by Python methods)."""
    return str(format_currency(_major(minor, currency), currency, locale=_locale(locale)))


def _major(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-currency_digits(currency))
