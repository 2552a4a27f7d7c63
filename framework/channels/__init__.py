"""Channels: how customers reach a bot (the terminal for now)."""

__all__: list[str] = []
