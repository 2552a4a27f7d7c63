"""Stores on a Redis server (or Redis Cluster): any worker on any machine takes any turn."""

__all__: list[str] = []
