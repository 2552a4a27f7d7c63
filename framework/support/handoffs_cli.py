"""`theke handoffs`: a person takes conversations over, from the terminal.

    theke handoffs list [--json]                       the queue (oldest first) and who holds what
    theke handoffs claim SESSION --agent NAME          take one over (one agent wins a race)
    theke handoffs say SESSION TEXT --agent NAME       write to the customer, on their channel
    theke handoffs set SESSION slot=value… --agent NAME  correct what the bot goes on with
    theke handoffs cart SESSION                        the cart as it is now, a numbered line each
    theke handoffs cart SESSION add ITEM [OPTION…] [QUANTITY] --agent NAME   e.g. add salami large 2
    theke handoffs cart SESSION quantity LINE N --agent NAME               a line's quantity
    theke handoffs cart SESSION remove LINE --agent NAME                   take a line out
    theke handoffs release SESSION --agent NAME        back to the front of the queue
    theke handoffs return|close SESSION --agent NAME   back to the bot (the flow goes on) or end

SESSION is the conversation as `list` shows it (bot:channel:customer). It opens the workspace's
stores (the same SQLite file or Redis the server uses); what the customer should hear goes into
their conversation's inbox, where the running server tells them. A cart change the catalog or
the cart cannot take is refused, saying why, and nothing is sent (cart_changes.py).
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from framework.errors import BadRequest, ThekeError
from framework.flows import Bot, load_bot
from framework.handoffs.service import Handoffs
from framework.stores.handoffs import CLOSED, RETURNED, Handoff, HandoffError
from framework.stores.opening import open_handoffs, open_store
from framework.stores.session_store import Store
from framework.support.cart_changes import agent_changes_cart, cart_lines
from framework.terminal import ascii_json, local_time, printable
from framework.workspace import Workspace, served_bot_name, workspace_for_command

__all__ = ["run_handoffs"]

ENDINGS = {"return": RETURNED, "close": CLOSED}


def run_handoffs(args: argparse.Namespace) -> int:
    return asyncio.run(_handoffs(workspace_for_command(args.workspace), args))


async def _handoffs(workspace: Workspace, args: argparse.Namespace) -> int:
    served = _served(workspace, args.bot) if args.action == "cart" else None
    bot = served.name if served is not None else served_bot_name(workspace, args.bot)
    store = await open_handoffs(workspace.store, workspace.root)
    sessions = await open_store(workspace.store, workspace.limits, workspace.root)
    handoffs = Handoffs(store, sessions.enqueue)
    try:
        if args.action == "list":
            queued, held = await store.queue(bot), await store.held(bot)
            _print_list(queued + held, args.json)
            return 0
        if served is not None:
            await _cart(handoffs, sessions, served, args)
            return 0
        await _act(handoffs, bot, args)
        return 0
    except (HandoffError, BadRequest) as error:
        raise ThekeError(str(error)) from None
    finally:
        await sessions.close()
        await store.close()


async def _act(handoffs: Handoffs, bot: str, args: argparse.Namespace) -> None:
    if not args.session:
        raise ThekeError(f"{args.action} needs the conversation, as `theke handoffs list` shows it")
    if not args.agent:
        raise ThekeError(f"{args.action} needs --agent NAME: who takes part")
    session, agent = args.session, args.agent
    if args.action == "claim":
        _print(await handoffs.claim(bot, session, agent))
    elif args.action == "say":
        text = " ".join(args.text).strip()
        if not text:
            raise ThekeError(
                "say needs the text, e.g. `theke handoffs say SESSION Hallo! --agent anna`"
            )
        await handoffs.say(bot, session, agent, text)
        print("sent")
    elif args.action == "set":
        await handoffs.change(bot, session, agent, _assignments(args.text))
        print("set")
    elif args.action == "release":
        _print(await handoffs.release(bot, session, agent))
    else:
        _print(await handoffs.end(bot, session, agent, ENDINGS[args.action]))


async def _cart(handoffs: Handoffs, sessions: Store, bot: Bot, args: argparse.Namespace) -> None:
    if not args.session:
        raise ThekeError("cart needs the conversation, as `theke handoffs list` shows it")
    if not args.text:
        lines = await cart_lines(sessions, bot, args.session)
        print("\n".join(map(printable, lines)) if lines else "the cart is empty")
        return
    if not args.agent:
        raise ThekeError("cart needs --agent NAME: who changes it")
    change = _cart_change(args.text)
    print(await agent_changes_cart(handoffs, sessions, bot, args.session, args.agent, change))


CART_USAGE = (
    "cart takes `add ITEM [OPTION…] [QUANTITY]`, `quantity LINE N` or `remove LINE`, e.g. "
    "`theke handoffs cart SESSION add salami large 2 --agent anna`"
)


def _cart_change(words: list[str]) -> dict[str, Any]:
    """The change the words name, as JSON (checked by cart_changes.py)."""
    verb, rest = words[0], words[1:]
    if verb == "add" and rest:
        counts = [word for word in rest[1:] if word.isascii() and word.isdigit()]
        options = [word for word in rest[1:] if word not in counts]
        if len(counts) <= 1:
            quantity = counts[0] if counts else 1
            return {"add": {"item": rest[0], "options": options, "quantity": quantity}}
    elif verb == "quantity" and len(rest) == 2:
        return {"line": rest[0], "quantity": rest[1]}
    elif verb == "remove" and len(rest) == 1:
        return {"remove": rest[0]}
    raise ThekeError(CART_USAGE)


def _served(workspace: Workspace, name: str | None) -> Bot:
    """The bot's definition, as served_bot_name picks it: its catalog prices and checks a cart
    change (each bot loaded once)."""
    bots = {bot.name: bot for bot in map(load_bot, workspace.bots)}
    if name is None and len(bots) == 1:
        return next(iter(bots.values()))
    if name not in bots:
        raise ThekeError(f"--bot is one of: {', '.join(sorted(bots))}")
    return bots[name]


def _assignments(words: list[str]) -> dict[str, str]:
    pairs = [word.partition("=") for word in words]
    if not pairs or any(not name or not sep for name, sep, _value in pairs):
        raise ThekeError("set needs slot=value pairs, e.g. `theke handoffs set SESSION size=large`")
    return {name: value for name, _sep, value in pairs}


def _print(handoff: Handoff) -> None:
    who = f" by {printable(handoff.agent)}" if handoff.agent else ""
    print(f"{printable(handoff.session)}: {printable(handoff.state)}{who}")


def _print_list(found: list[Handoff], as_json: bool) -> None:
    if as_json:
        print(ascii_json([handoff.to_json() for handoff in found]))
        return
    if not found:
        print("nobody waits for a person")
    for handoff in found:
        who = printable(handoff.agent) if handoff.agent else "-"
        print(
            f"{printable(handoff.state):<8} {local_time(handoff.requested_at)}  {who:<16} "
            f"{printable(handoff.session, 60)}  {printable(handoff.reason, 60)}"
        )
