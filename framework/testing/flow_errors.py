"""What the author of a bot sees of a run-time flow error in `theke chat` and `theke test`.

The customer gets only the apology (the `error` text); the engine adds a `flow_error` record
with the reason, which the runtime logs. The author's tools show that reason beside the
apology, one line each: `[flow error in flow 'order': …]`.
"""

from __future__ import annotations

from collections.abc import Iterable

from framework.flows.events import Effect, Record

__all__ = ["flow_error_notes"]


def flow_error_notes(effects: Iterable[Effect]) -> list[str]:
    """A line for each flow error among a turn's effects (none: an empty list)."""
    notes = []
    for effect in effects:
        if isinstance(effect, Record) and effect.name == "flow_error":
            flow = effect.data.get("flow")
            where = f" in flow {flow!r}" if flow else ""
            notes.append(f"[flow error{where}: {effect.data.get('error')}]")
    return notes
