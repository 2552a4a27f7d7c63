"""Contacts: what a bot knows of each customer (framework/stores/contacts.py), listed and
shown to the business (`theke contacts list|show`); export and erasure are framework/privacy/."""

__all__: list[str] = []
