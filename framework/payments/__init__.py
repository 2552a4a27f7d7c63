"""Payments: the provider protocol and its providers (the offline sandbox, Stripe Checkout,
Telegram invoices), orders and what the business does with them, and their HTTP routes.
`Payments` (service.py) is where orders, providers and conversations meet; money and bills
are domain values of their own (`framework.money`, `framework.bill`)."""

__all__: list[str] = []
