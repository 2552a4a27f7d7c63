"""What `theke check` says about a bot's actions: sources that cannot be loaded (a Python file
that does not import, rasa-sdk not installed) and steps that call an action no source has.

Apart from the flow checker because it runs the business's code (importing its modules).
"""

from __future__ import annotations

from framework.action_calls import ActionError
from framework.actions.performing import BotActions, action_steps
from framework.bookings.plan import BookingPlanError
from framework.flows.language.problems import Problem
from framework.flows.model import Bot, Position
from framework.secrets import SecretError

__all__ = ["action_problems"]


def action_problems(bot: Bot) -> list[Problem]:
    calls = action_steps(bot)
    if not calls:
        return []
    try:
        known, own = BotActions.of(bot).names(), BotActions.own(bot).names()
    except BookingPlanError as error:
        return [Problem(Position(str(error.file), 1, 1), problem) for problem in error.problems]
    except (ActionError, SecretError) as error:
        where = Position(bot.files[0] if bot.files else bot.name, 1, 1)
        return [Problem(where, f"actions: {error}", "the bot's action steps cannot run")]
    built_in = ", ".join(sorted(known - own))
    return [
        Problem(
            step.pos,
            f"no action {step.action!r} in the bot's actions",
            f"known: {', '.join(sorted(own)) or 'none'}; built in: {built_in};"
            " see actions: in bot.yaml",
        )
        for step in calls
        if step.action not in known
    ]
