"""Consent: what a customer agreed to hear from a business, asked in the chat, taken back with
one word (STOP), and honoured by everything that writes first (notifications, broadcasts)."""

__all__: list[str] = []
