"""The async shell around the engine: turns (lease, load, step, commit), delivery of replies
through the outbox, timers, the reconciler's loops and metrics. The only room with I/O besides
the stores and channels it drives."""

from framework.runtime.turns import Runtime, TurnTimeout

__all__ = ["Runtime", "TurnTimeout"]
