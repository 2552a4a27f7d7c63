"""`theke chat`: talk to a bot in the terminal, or through a pipe for scripts.

Buttons are shown numbered; typing the number presses the button (its payload is sent).
On a terminal there is a `> ` prompt; through a pipe only the bot's lines are printed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TextIO

from framework.flows.engine import step
from framework.flows.events import Button, Message, Reply
from framework.flows.model import Bot
from framework.flows.session import new_session

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
    session = new_session(bot, lang=lang)
    buttons: list[Button] = []
    if prompt:
        out.write(f"{bot.business.name} — type a message, a button's number, or Ctrl-D to quit\n> ")
        out.flush()
    for line in lines:
        text = line.rstrip("\n")
        now = clock()
        pressed = _pressed(text, buttons)
        message = Message(pressed.text, now, pressed.payload) if pressed else Message(text, now)
        result = step(bot, session, message)
        session = result.session
        replies = result.replies
        buttons = [button for reply in replies for button in reply.buttons]
        for reply in replies:
            out.write(format_reply(reply) + "\n")
        if prompt:
            out.write("> ")
        out.flush()
