"""Channels: how customers reach a bot — REST, the web chat page, the terminal."""

__all__: list[str] = []
