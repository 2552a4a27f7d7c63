"""The embedded default: one SQLite file under the workspace, one process."""

__all__: list[str] = []
