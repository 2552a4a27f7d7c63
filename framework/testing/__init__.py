"""The tools flow authors test with: `theke test` (YAML conversation tests), the simulated
world outside the chat that `theke test` and `theke chat` share (payments, the business,
time: `till.py`), and the pytest plugin that collects the conversation tests."""

__all__: list[str] = []
