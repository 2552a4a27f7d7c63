"""The bill: lines, fees, discounts and tax in integer minor units, and what Stripe is sent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from framework.bill import BillError, BillLine, Discount, TaxRule, make_bill
from framework.errors import MoneyError
from framework.payments.stripe_checkout import stripe_amount

VAT = TaxRule(Decimal(19))


def item(name: str, quantity: int, unit: int, rate: int | None = None) -> BillLine:
    return BillLine("item", name, quantity, unit, None if rate is None else Decimal(rate))


def test_tax_is_rounded_once_per_rate_on_the_total() -> None:
    """The documented rule: 3 × €0.99 at 19 % added on top is 0.56 (per line it would be
    0.57)."""
    bill = make_bill("EUR", [item("Gum", 3, 99)], [], [], TaxRule(Decimal(19), included=False))
    assert bill.taxes == ({"rate": "19", "included": False, "amount": 56},)
    assert bill.total == 297 + 56


def test_included_tax_is_shown_not_added() -> None:
    bill = make_bill("EUR", [item("Pizza", 2, 1250, 7), item("Cola", 1, 250)], [], [], VAT)
    assert bill.total == 2750
    assert bill.taxes == (
        {"rate": "7", "included": True, "amount": 164},  # 25.00 × 7/107 = 1.6355
        {"rate": "19", "included": True, "amount": 40},  # 2.50 × 19/119 = 0.3992
    )


def test_discounts_come_off_the_goods_never_the_fees() -> None:
    fees = [BillLine("fee", "Lieferung", 1, 250)]
    percent = Discount("PIZZA10", percent=Decimal(10))
    bill = make_bill("EUR", [item("Pizza", 2, 1250, 7)], fees, [percent], VAT)
    assert [line.total for line in bill.lines] == [2500, 250, -250]
    assert bill.total == 2500
    huge = Discount("Gutschein", amount=10_000)
    bill = make_bill("EUR", [item("Pizza", 1, 850)], fees, [huge], VAT)
    assert bill.total == 250  # the discount stops at the goods' price; delivery is still paid


def test_a_discount_is_shared_between_tax_rates_exactly() -> None:
    goods = [item("Pizza", 1, 1000, 7), item("Wein", 1, 1000, 19), item("Wasser", 1, 1000, 19)]
    bill = make_bill("EUR", goods, [], [Discount("Rabatt", amount=100)], VAT)
    # 100 shared 1:2 → 33 and 67 (largest remainder), then tax per rate on what is left
    assert bill.taxes == (
        {"rate": "7", "included": True, "amount": 63},  # 967 × 7/107 = 63.26
        {"rate": "19", "included": True, "amount": 309},  # 1933 × 19/119 = 308.6
    )
    assert bill.total == 2900


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([item("Pizza", 0, 850)], "quantity"),
        ([item("Pizza", -1, 850)], "quantity"),
        ([item("Pizza", 100, 850)], "quantity"),
        ([item("Pizza", 1, -850)], "negative"),
        ([item("Pizza", 1, 850, 100)], "tax rate"),
        ([item("Luft", 1, 0)], "nothing to pay"),
        ([], "nothing to pay"),
    ],
)
def test_bills_that_cannot_be_charged_are_refused(lines: list[BillLine], message: str) -> None:
    with pytest.raises(BillError, match=message):
        make_bill("EUR", lines, [], [], VAT)


@pytest.mark.parametrize(
    "discount",
    [Discount("x", percent=Decimal(0)), Discount("x", percent=Decimal(150)), Discount("x", -5)],
)
def test_impossible_discounts_are_refused(discount: Discount) -> None:
    with pytest.raises(BillError):
        make_bill("EUR", [item("Pizza", 1, 850)], [], [discount], VAT)


def test_an_unknown_currency_is_refused() -> None:
    with pytest.raises(MoneyError, match="unknown currency"):
        make_bill("XXY", [item("Pizza", 1, 850)], [], [], VAT)


@given(
    st.lists(
        st.tuples(st.integers(1, 99), st.integers(0, 100_000), st.sampled_from([None, 0, 7, 19])),
        min_size=1,
        max_size=8,
    ),
    st.lists(st.integers(0, 5_000), max_size=3),
    st.lists(st.one_of(st.integers(0, 50_000), st.decimals(1, 100, places=2)), max_size=3),
    st.booleans(),
)
def test_the_total_is_always_the_sum_of_the_lines(
    goods: list[tuple[int, int, int | None]],
    fee_units: list[int],
    offs: list[int | Decimal],
    included: bool,
) -> None:
    items = [item(f"i{n}", q, u, r) for n, (q, u, r) in enumerate(goods)]
    fees = [BillLine("fee", f"f{n}", 1, unit) for n, unit in enumerate(fee_units)]
    discounts = [
        Discount("d", percent=off) if isinstance(off, Decimal) else Discount("d", amount=off)
        for off in offs
    ]
    goods_total = sum(line.total for line in items)
    try:
        bill = make_bill("EUR", items, fees, discounts, TaxRule(Decimal(19), included))
    except BillError as error:  # valid lines: refused only when nothing is left to pay,
        assert "nothing to pay" in str(error)  # which a fee (never discounted) rules out
        assert sum(fee_units) == 0
        return
    assert bill.total == sum(line.total for line in bill.lines) + bill.tax_added
    assert bill.total > 0
    assert 0 <= -sum(line.total for line in bill.lines if line.kind == "discount") <= goods_total
    assert all(int(str(tax["amount"])) >= 0 for tax in bill.taxes)


@pytest.mark.parametrize(
    ("minor", "currency", "expected"),
    [
        (1999, "EUR", 1999),
        (1500, "JPY", 1500),  # zero-decimal: major units
        (5120, "KWD", 5120),  # three-decimal, last digit 0
        (1235, "HUF", 123500),  # Babel has no minor unit for HUF, Stripe has two
        (1000, "ISK", 100000),
    ],
)
def test_stripe_amounts_follow_stripes_own_table(minor: int, currency: str, expected: int) -> None:
    assert stripe_amount(minor, currency) == expected


def test_amounts_stripe_cannot_charge_exactly_are_refused_not_rounded() -> None:
    with pytest.raises(MoneyError, match=r"steps of 0\.010"):
        stripe_amount(5124, "KWD")
