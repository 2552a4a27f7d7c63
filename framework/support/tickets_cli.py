"""`theke tickets`: the business's side of support tickets, from the terminal.

    theke tickets list [--status open,pending] [--limit 20] [--json]
    theke tickets show NUMBER [--json]
    theke tickets reply NUMBER TEXT --agent NAME     the customer reads it on their channel
    theke tickets note NUMBER TEXT --agent NAME      internal, never shown to the customer
    theke tickets pending|solve|close NUMBER --agent NAME

It opens the workspace's stores (the same SQLite file or Redis the server uses) and acts as the
admin API does: the change is kept, the business's webhooks hear of it, and news for the
customer goes into their conversation's inbox, where the running server tells them. Stored
texts are printed through `printable`, `--json` escapes everything outside ASCII.
"""

from __future__ import annotations

import argparse
import asyncio

from framework.errors import ThekeError
from framework.events.setup import open_events
from framework.stores.opening import open_store, open_tickets
from framework.stores.tickets import CLOSED, PENDING, SOLVED, STATUSES, Ticket, TicketError
from framework.terminal import ascii_json, count_option, local_time, printable, status_option
from framework.tickets.service import Tickets
from framework.workspace import Workspace, served_bot_name, workspace_for_command

__all__ = ["run_tickets"]

MOVES = {"pending": PENDING, "solve": SOLVED, "close": CLOSED}
"""The actions that move a ticket (framework/cli.py lists every action for the parser)."""


def run_tickets(args: argparse.Namespace) -> int:
    workspace = workspace_for_command(args.workspace)
    return asyncio.run(_tickets(workspace, args))


async def _tickets(workspace: Workspace, args: argparse.Namespace) -> int:
    bot = served_bot_name(workspace, args.bot)
    store = await open_tickets(workspace.store, workspace.root)
    try:
        if args.action == "list":
            _print_list(
                await store.list(
                    bot,
                    status_option(args.status, STATUSES),
                    None,
                    count_option(args.limit, "--limit", 500),
                )
            )
            return 0
        number = _number(args.number)
        if args.action == "show":
            ticket = await store.get(bot, number)
            if ticket is None:
                raise ThekeError(f"{bot} has no ticket {number}")
        else:
            ticket = await _act(workspace, Tickets(store), bot, number, args)
        print(ascii_json(_json(ticket)) if args.json else _details(ticket))
        return 0
    except TicketError as error:
        raise ThekeError(str(error)) from None
    finally:
        await store.close()


async def _act(
    workspace: Workspace, plain: Tickets, bot: str, number: int, args: argparse.Namespace
) -> Ticket:
    if not args.agent:
        raise ThekeError(f"{args.action} needs --agent NAME: who answers (kept in the history)")
    sessions = await open_store(workspace.store, workspace.limits, workspace.root)
    events = await open_events(workspace)
    tickets = Tickets(plain.store, events.events, sessions.enqueue)
    try:
        if args.action in MOVES:
            return await tickets.move(bot, number, MOVES[args.action], args.agent)
        text = " ".join(args.text).strip()
        if not text:
            raise ThekeError(f"{args.action} needs the text, e.g. `theke tickets reply 1001 …`")
        if args.action == "reply":
            return await tickets.reply(bot, number, args.agent, text)
        return await tickets.note(bot, number, args.agent, text)
    finally:
        await events.close()
        await sessions.close()


def _number(text: str | None) -> int:
    digits = (text or "").lstrip("#")
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 12):
        raise ThekeError("name the ticket by its number, e.g. `theke tickets show 1001`")
    return int(digits)


def _json(ticket: Ticket) -> dict[str, object]:
    return ticket.head_json() | {"history": [event.to_json() for event in ticket.history]}


def _print_list(found: list[Ticket]) -> None:
    if not found:
        print("no tickets")
    for ticket in found:
        print(
            f"{ticket.number:<7} {printable(ticket.status):<8} {printable(ticket.priority):<7} "
            f"{local_time(ticket.updated_at)}  {printable(ticket.subject, 60)}"
        )


def _details(ticket: Ticket) -> str:
    rows = [
        f"Ticket {ticket.number} ({printable(ticket.bot)}) – {printable(ticket.status)}, "
        f"priority {printable(ticket.priority)}",
        f"  {printable(ticket.subject)}",
    ]
    if ticket.category:
        rows.append(f"  category: {printable(ticket.category)}")
    rows += [f"  contact {printable(k)}: {printable(v)}" for k, v in ticket.contact.items()]
    rows += [f"  {printable(k)}: {printable(v)}" for k, v in ticket.slots.items()]
    for event in ticket.history:
        said = printable(event.text, 500) if event.text else ""
        if event.kind == "status" or event.kind == "created":
            said = f"→ {printable(event.to_status)}" + (f" ({said})" if said else "")
        hidden = "" if event.public else " [internal]"
        rows.append(f"  {local_time(event.at)}  {printable(event.by)}{hidden}: {said}")
    return "\n".join(rows)
