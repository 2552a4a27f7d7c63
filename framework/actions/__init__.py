"""Actions: the business's own code, called from a flow's `action:` step.

A bot's actions come from its folder (`actions.py`: async functions registered with
`@action("name")`), from rasa-sdk `Action` classes run in-process, or from a remote Rasa
action server. Each gets the conversation's context (`ActionContext`) and returns what
changes (`ActionOutcome`); the engine applies it. See docs/actions.md.
"""

from framework.action_calls import (
    ActionContext,
    ActionError,
    ActionOutcome,
    ActionRunner,
    OutgoingMessage,
    Reminder,
)
from framework.actions.python_actions import action

__all__ = [
    "ActionContext",
    "ActionError",
    "ActionOutcome",
    "ActionRunner",
    "OutgoingMessage",
    "Reminder",
    "action",
]
