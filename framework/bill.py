"""The bill of a payment request: lines, fees, discounts and tax, in integer minor units.

Rounding rule (docs/flows.md, "Tax"): tax is computed once per tax rate on the total of that
rate's lines after discounts, rounded half up to the minor unit — not per line. Prices include
tax by default (EU); with `included: false` the tax is added on top. Discounts apply to the
goods, never to fees, and are shared out between the tax rates in proportion to their goods
(largest remainder, so the shares add up to the discount exactly). The total always equals the
sum of the lines plus any tax added on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from framework.errors import MoneyError
from framework.money import currency_digits

__all__ = ["MAX_QUANTITY", "Bill", "BillError", "BillLine", "Discount", "TaxRule", "make_bill"]

MAX_QUANTITY = 99


class BillError(MoneyError):
    """A bill that cannot be charged: nothing to pay, a negative price, a bad quantity."""


@dataclass(frozen=True, slots=True)
class TaxRule:
    rate: Decimal
    """Percent, e.g. Decimal(19)."""
    included: bool = True


@dataclass(frozen=True, slots=True)
class BillLine:
    kind: str
    """"item", "fee" or "discount"."""
    name: str
    quantity: int
    unit: int
    rate: Decimal | None = None
    """The line's tax rate in percent; None: the bill's default rate."""

    @property
    def total(self) -> int:
        return self.quantity * self.unit

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "name": self.name,
            "quantity": self.quantity,
            "unit": self.unit,
            "total": self.total,
        }


@dataclass(frozen=True, slots=True)
class Discount:
    name: str
    amount: int | None = None
    """A fixed amount off the goods (minor units)..."""
    percent: Decimal | None = None
    """...or a percentage of the goods, rounded half up."""


@dataclass(frozen=True, slots=True)
class Bill:
    currency: str
    lines: tuple[BillLine, ...]
    taxes: tuple[dict[str, object], ...]
    """`{"rate": "19", "included": True, "amount": 123}` per tax rate."""
    total: int

    @property
    def tax_added(self) -> int:
        return sum(int(str(tax["amount"])) for tax in self.taxes if not tax["included"])


def make_bill(
    currency: str,
    items: list[BillLine],
    fees: list[BillLine],
    discounts: list[Discount],
    tax: TaxRule,
) -> Bill:
    currency_digits(currency)  # an unknown currency is refused here, before anything is charged
    for line in (*items, *fees):
        _check_line(line)
    goods = sum(line.total for line in items)
    discount_lines = _discount_lines(goods, discounts)
    off = -sum(line.total for line in discount_lines)
    taxes = _taxes(items, fees, off, tax)
    lines = (*items, *fees, *discount_lines)
    total = sum(line.total for line in lines) + sum(
        int(str(t["amount"])) for t in taxes if not t["included"]
    )
    if total <= 0:
        raise BillError("the bill comes to nothing: there is nothing to pay")
    return Bill(currency, lines, taxes, total)


def _check_line(line: BillLine) -> None:
    if not isinstance(line.quantity, int) or not 1 <= line.quantity <= MAX_QUANTITY:
        raise BillError(f"{line.name!r}: the quantity must be a whole number 1..{MAX_QUANTITY}")
    if line.unit < 0:
        raise BillError(f"{line.name!r}: a price cannot be negative")
    if line.rate is not None and not Decimal(0) <= line.rate < Decimal(100):
        raise BillError(f"{line.name!r}: a tax rate is a percentage from 0 to 100")


def _discount_lines(goods: int, discounts: list[Discount]) -> list[BillLine]:
    """Each discount as a negative line; together never more than the goods cost."""
    lines, left = [], goods
    for discount in discounts:
        if discount.percent is not None:
            if not Decimal(0) < discount.percent <= Decimal(100):
                raise BillError(f"{discount.name!r}: a percentage from 0 to 100")
            wanted = _round(Decimal(goods) * discount.percent / 100)
        else:
            wanted = discount.amount or 0
            if wanted < 0:
                raise BillError(f"{discount.name!r}: a discount cannot be negative")
        off = min(wanted, left)
        left -= off
        if off:
            lines.append(BillLine("discount", discount.name, 1, -off))
    return lines


def _round(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _taxes(
    items: list[BillLine], fees: list[BillLine], off: int, tax: TaxRule
) -> tuple[dict[str, object], ...]:
    goods_by_rate: dict[Decimal, int] = {}
    for line in items:
        rate = tax.rate if line.rate is None else line.rate
        goods_by_rate[rate] = goods_by_rate.get(rate, 0) + line.total
    shares = _share(off, goods_by_rate)
    base = {rate: goods - shares[rate] for rate, goods in goods_by_rate.items()}
    for line in fees:
        rate = tax.rate if line.rate is None else line.rate
        base[rate] = base.get(rate, 0) + line.total
    taxes = []
    for rate in sorted(base):
        if rate == 0:
            continue
        divisor = 100 + rate if tax.included else Decimal(100)
        amount = _round(Decimal(base[rate]) * rate / divisor)
        taxes.append({"rate": str(rate), "included": tax.included, "amount": amount})
    return tuple(taxes)


def _share(off: int, weights: dict[Decimal, int]) -> dict[Decimal, int]:
    """Split `off` in proportion to `weights`, exactly (largest remainder)."""
    total = sum(weights.values())
    if not off or not total:
        return dict.fromkeys(weights, 0)
    exact = {rate: Decimal(off) * weight / total for rate, weight in weights.items()}
    shares = {rate: int(value) for rate, value in exact.items()}
    rest = off - sum(shares.values())
    by_remainder = sorted(exact, key=lambda rate: exact[rate] - shares[rate], reverse=True)
    for rate in by_remainder[:rest]:
        shares[rate] += 1
    return shares
