"""Actions replaced by fixed results in a conversation test, by name:

```yaml
tests:
  - name: the kitchen is slow tonight
    actions:
      delivery_estimate: {slots: {minutes: 75}}
      check_address: {say: "Wir liefern nicht in die Altstadt.", start: pickup}
      stock: {error: the warehouse does not answer}      # the step's on_error block runs
```
"""

from __future__ import annotations

from typing import Any

from framework.action_calls import ActionOutcome, OutgoingMessage
from framework.errors import FlowError

__all__ = ["ActionOutcome", "fixed_actions"]

KEYS = frozenset({"slots", "say", "start", "error"})


def fixed_actions(raw: Any, where: str) -> dict[str, ActionOutcome | str]:
    """The `actions:` of a test: name → its outcome, or the error text of a failed call."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise FlowError(f"{where}: 'actions' maps action names to results")
    return {str(name): _result(spec, f"{where}: actions.{name}") for name, spec in raw.items()}


def _result(spec: Any, where: str) -> ActionOutcome | str:
    if not isinstance(spec, dict) or not spec.keys() <= KEYS:
        raise FlowError(f"{where}: give slots, say, start or error")
    if "error" in spec:
        return str(spec["error"])
    slots = spec.get("slots") or {}
    if not isinstance(slots, dict):
        raise FlowError(f"{where}: slots maps slot names to values")
    said = spec.get("say") or []
    texts = [said] if isinstance(said, str) else list(said)
    start = spec.get("start")
    return ActionOutcome(
        slots={str(name): value for name, value in slots.items()},
        messages=tuple(OutgoingMessage(str(text)) for text in texts),
        start=None if start is None else str(start),
    )
