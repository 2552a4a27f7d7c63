"""The reference stores: plain data in one process's memory (also the test double)."""

__all__: list[str] = []
