"""Money and, later, payment providers."""

from framework.payments.money import Money, currency_digits, format_money

__all__ = ["Money", "currency_digits", "format_money"]
