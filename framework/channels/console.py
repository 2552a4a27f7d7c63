"""`theke chat`: talk to a bot in the terminal, or through a pipe for scripts.

Buttons are shown numbered; typing the number presses the button (its payload is sent).
On a terminal there is a `> ` prompt; through a pipe only the bot's lines are printed. A
run-time flow error shows its reason after the apology: `[flow error in flow 'order': …]`.

Payments are simulated (no provider is reached from a terminal): a pay step shows a link
`https://pay.example/...`, and lines starting with `/` play the world outside the chat:
`/paid`, `/failed`, `/expired` (the payment's outcome), `/order accepted` (the business acts)
and `/wait 25m` (time passes; due reminders and expiries fire).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, TextIO

from framework.actions.blocking import BlockingActions
from framework.actions.performing import BotActions
from framework.flows.engine import StepResult
from framework.flows.events import Button, Message, Reply
from framework.flows.model import Bot
from framework.flows.session import Session, new_session
from framework.testing.flow_errors import flow_error_notes
from framework.testing.till import Till

__all__ = ["chat", "format_reply"]


def format_reply(reply: Reply) -> str:
    lines = [reply.text] if reply.text else []
    if reply.image:
        lines.append(f"[image: {reply.image}]")
    if reply.link:
        lines.append(f"[{reply.link.title}: {reply.link.url}]")
    if reply.list_button:
        lines.append(f"[{reply.list_button}]")
    lines += [f"  {number}) {button.title}" for number, button in enumerate(reply.buttons, 1)]
    return "\n".join(lines)


def _pressed(text: str, buttons: list[Button]) -> Message | None:
    stripped = text.strip()
    if stripped.isdigit() and 1 <= int(stripped) <= len(buttons):
        button = buttons[int(stripped) - 1]
        return Message(button.title, datetime.now(), payload=button.payload)
    return None


_WORLD = {
    "/paid": {"payment": "paid"},
    "/failed": {"payment": "failed"},
    "/expired": {"payment": "expired"},
}
_WORLD_HELP = "simulated: /paid, /failed, /expired, /order accepted, /wait 25m"


def _outside(till: Till, session: Session, text: str, out: TextIO) -> StepResult:
    command, _, argument = text.strip().partition(" ")
    turn: dict[str, Any] | None = _WORLD.get(command)
    if command == "/order" and argument:
        turn = {"order": argument.strip()}
    elif command == "/wait" and argument:
        turn = {"wait": argument.strip()}
    try:
        result = till.outside(session, turn) if turn is not None else None
    except ValueError as error:
        out.write(f"[{error}]\n")
        return StepResult(session, [])
    if result is None:
        out.write(f"[{_WORLD_HELP}]\n")
        return StepResult(session, [])
    return result


def chat(
    bot: Bot,
    lines: Iterable[str],
    out: TextIO,
    *,
    clock: Callable[[], datetime],
    lang: str | None = None,
    prompt: bool = False,
) -> None:
    """Read customer lines until the input ends; the clock gives each message its time."""
    actions = BlockingActions(BotActions.of(bot), bot.name, "console", "console")
    try:
        _converse(bot, lines, out, Till(bot, clock(), actions), clock, lang, prompt)
    finally:
        actions.close()


def _converse(
    bot: Bot,
    lines: Iterable[str],
    out: TextIO,
    till: Till,
    clock: Callable[[], datetime],
    lang: str | None,
    prompt: bool,
) -> None:
    session, waited = new_session(bot, lang=lang), timedelta()
    buttons: list[Button] = []
    if prompt:
        out.write(f"{bot.business.name} — type a message, a button's number, or Ctrl-D to quit\n> ")
        out.flush()
    for line in lines:
        text = line.rstrip("\n")
        till.now = clock() + waited
        if text.startswith("/"):
            result = _outside(till, session, text, out)
            waited = till.now - clock()
        else:
            pressed = _pressed(text, buttons)
            now = till.now
            message = Message(pressed.text, now, pressed.payload) if pressed else Message(text, now)
            result = till.step(session, message)
        session = result.session
        replies = result.replies
        buttons = [button for reply in replies for button in reply.buttons]
        for reply in replies:
            out.write(format_reply(reply) + "\n")
        for note in flow_error_notes(result.effects):  # the author's view; the customer's
            out.write(note + "\n")  # is the apology above
        if prompt:
            out.write("> ")
        out.flush()
