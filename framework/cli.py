"""The `theke` command: check, chat, test and graph bots, run them, and handle orders."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from framework import __version__
from framework.errors import ThekeError
from framework.flows.language.checker import check_bot
from framework.flows.language.problems import BotDefinitionError, Problem
from framework.flows.language.reader import load_bot, read_bot
from framework.terminal import printable
from framework.workspace import read_workspace

__all__ = ["main"]


def _bot_problems(path: str | Path) -> list[Problem]:
    from framework.actions.checking import action_problems  # imports the bot's own modules

    bot, problems = read_bot(path)
    return problems + check_bot(bot) + action_problems(bot) if bot is not None else problems


def _new(args: argparse.Namespace) -> int:
    from framework.scaffold import new_bot

    folder = Path(args.folder)
    for path in new_bot(folder, args.kind):
        print(f"wrote {path}")
    print(f"next: theke check {folder} · theke test {folder} · theke chat {folder}")
    return 0


def _check(args: argparse.Namespace) -> int:
    """A bot folder, or a workspace (flows.yaml, the current folder by default) and its bots."""
    target = Path(args.path) if args.path else Path.cwd()
    if (target / "bot.yaml").is_file() or target.name == "bot.yaml":
        problems = _bot_problems(target)
    else:
        workspace, problems = read_workspace(target)
        for bot in workspace.bots if workspace else ():
            problems = problems + _bot_problems(bot)
    for problem in problems:
        print(problem)
    errors = sum(not problem.warning for problem in problems)
    warnings = len(problems) - errors
    print(f"{args.path or target}: {errors} error(s), {warnings} warning(s)")
    return 1 if errors or (args.strict and warnings) else 0


def _run(args: argparse.Namespace) -> int:
    from framework.serve import serve, supervise  # the server's imports only when serving

    workspace, problems = read_workspace(args.path)
    if workspace is None:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    workspace = workspace.with_overrides(host=args.host, port=args.port, store=args.store)
    if args.debug:
        workspace = workspace.with_overrides(debug=True, log_level="debug")
    if args.workers > 1:
        forwarded = [a for a in (args.path,) if a] + _forwarded(args)
        return supervise(workspace, args.workers, forwarded)
    serve(workspace, now=args.now, reuse_port=args.reuse_port)
    return 0


def _forwarded(args: argparse.Namespace) -> list[str]:
    options = {"--host": args.host, "--port": args.port, "--store": args.store, "--now": args.now}
    flags = [f for name, value in options.items() if value is not None for f in (name, str(value))]
    return flags + (["--debug"] if args.debug else [])


def _clock(fixed: str | None) -> Callable[[], datetime]:
    if fixed is None:
        return lambda: datetime.now().astimezone()
    moment = datetime.fromisoformat(fixed)
    if moment.tzinfo is None:
        raise ThekeError("--now needs a UTC offset, e.g. 2026-11-27T19:00+01:00")
    return lambda: moment


def _chat(args: argparse.Namespace) -> int:
    from framework.channels.console import chat  # commands import what they need: fast `check`

    bot = load_bot(args.path)
    try:
        clock = _clock(args.now)
    except ValueError:
        raise ThekeError(f"--now {args.now!r} is not an ISO date-time") from None
    chat(bot, sys.stdin, sys.stdout, clock=clock, lang=args.lang, prompt=sys.stdin.isatty())
    return 0


def _test(args: argparse.Namespace) -> int:
    from framework.testing.conversations import ConversationFailure, load_tests, run_test

    root = Path(args.path)
    bot = load_bot(root)
    files = sorted((root / "tests").glob("*.yaml"))
    failed = passed = 0
    for file in files:
        for test in load_tests(file):
            try:
                run_test(bot, test)
            except ConversationFailure as failure:
                failed += 1
                print(f"✗ {test.name}\n{failure}\n")
            else:
                passed += 1
                if args.verbose:
                    print(f"✓ {test.name}")
    print(f"{root}: {passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


def _graph(args: argparse.Namespace) -> int:
    from framework.flows.language.graph import (  # only this command needs it
        render_svg,
        to_dot,
        to_mermaid,
    )

    bot = load_bot(args.path)
    if args.format == "mermaid":
        print(to_mermaid(bot, args.lang))
        return 0
    dot = to_dot(bot, args.lang)
    if args.format == "dot":
        print(dot)
        return 0
    svg = render_svg(dot)
    if svg is None:
        raise ThekeError("SVG needs Graphviz's `dot`: install graphviz, or use --format mermaid")
    output = Path(args.output or f"{bot.name}.svg")
    output.write_bytes(svg)
    print(f"wrote {output}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="theke", description="Conversational commerce bots")
    parser.add_argument("--version", action="version", version=f"theke {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("new", help="write a small working bot to start from")
    new.add_argument("folder")
    new.add_argument("--kind", default="ordering", help="the kind of bot (ordering)")
    new.set_defaults(run=_new)
    check = commands.add_parser("check", help="report every problem of a bot or workspace")
    check.add_argument("path", nargs="?", help="a bot folder or flows.yaml (default: here)")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.set_defaults(run=_check)
    talk = commands.add_parser("chat", help="talk to a bot in the terminal")
    talk.add_argument("path")
    talk.add_argument("--lang", help="start in this language (e.g. en)")
    talk.add_argument("--now", help="a fixed clock, e.g. 2026-11-27T19:00+01:00")
    talk.set_defaults(run=_chat)
    test = commands.add_parser("test", help="run a bot's conversation tests")
    test.add_argument("path")
    test.add_argument("-v", "--verbose", action="store_true")
    test.set_defaults(run=_test)
    graph = commands.add_parser("graph", help="draw a bot's flows")
    graph.add_argument("path")
    graph.add_argument("--format", choices=["mermaid", "dot", "svg"], default="mermaid")
    graph.add_argument("--lang")
    graph.add_argument("-o", "--output", help="SVG file to write")
    graph.set_defaults(run=_graph)
    run = commands.add_parser("run", help="serve the workspace (or one bot) over HTTP")
    run.add_argument("path", nargs="?", help="flows.yaml, its folder, or a bot folder")
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    run.add_argument(
        "--store",
        help="memory://, sqlite:///file, redis://host:port/db or redis+cluster://host:port[,host:port]",
    )
    run.add_argument("--workers", type=int, default=1, help="processes sharing a Redis store")
    run.add_argument("--now", help="start the clock at this time (demos and tests)")
    run.add_argument("--debug", action="store_true", help="log message texts (never in production)")
    run.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    run.set_defaults(run=_run)
    orders = commands.add_parser("orders", help="list and act on orders (accept, deliver, ...)")
    orders.add_argument("action", choices=["list", "show", *ORDER_ACTIONS])
    orders.add_argument("number", nargs="?", help="the order number, e.g. 1001")
    orders.add_argument("amount", nargs="?", help="refund: how much (default: all that is left)")
    orders.add_argument("-w", "--workspace", help="flows.yaml or its folder (default: here)")
    orders.add_argument("--bot", help="the bot (needed when the workspace serves several)")
    orders.add_argument("--status", help="list: only these statuses, e.g. paid,accepted")
    orders.add_argument("--limit", type=int, default=20, help="list: how many (newest first)")
    orders.add_argument("--json", action="store_true", help="print JSON")
    orders.set_defaults(run=_orders)
    events = commands.add_parser("events", help="business events never delivered: list, retry")
    events.add_argument("action", choices=["list", "retry"])
    events.add_argument("keys", nargs="*", help="retry: the keys `theke events list` shows")
    events.add_argument("--all", action="store_true", help="retry: every undeliverable event")
    events.add_argument("-w", "--workspace", help="flows.yaml or its folder (default: here)")
    events.add_argument("--limit", type=int, default=20, help="list: how many (latest first)")
    events.add_argument("--json", action="store_true", help="print JSON")
    events.set_defaults(run=_events)
    tickets = commands.add_parser("tickets", help="list, show, answer and move support tickets")
    tickets.add_argument("action", choices=TICKET_ACTIONS)
    tickets.add_argument("number", nargs="?", help="the ticket number, e.g. 1001")
    tickets.add_argument("text", nargs="*", help="reply, note: what to write")
    tickets.add_argument("--agent", help="reply, note, pending, solve, close: who does it")
    tickets.add_argument("-w", "--workspace", help="flows.yaml or its folder (default: here)")
    tickets.add_argument("--bot", help="the bot (needed when the workspace serves several)")
    tickets.add_argument("--status", help="list: only these statuses, e.g. open,pending")
    tickets.add_argument("--limit", type=int, default=20, help="list: how many (newest first)")
    tickets.add_argument("--json", action="store_true", help="print JSON")
    tickets.set_defaults(run=_tickets)
    bookings = commands.add_parser("bookings", help="list, show, move and cancel bookings")
    bookings.add_argument("action", choices=BOOKING_ACTIONS)
    bookings.add_argument("number", nargs="?", help="the booking number, e.g. 1001")
    bookings.add_argument("--agent", help="cancel, move, no-show: who does it")
    bookings.add_argument("--note", help="cancel: why, told to the customer")
    bookings.add_argument("--start", help="move: the new start, e.g. 2026-12-05T15:00")
    bookings.add_argument("--staff", help="list: only theirs; move: to them")
    bookings.add_argument("--from", dest="since", help="list: from this day (default today)")
    bookings.add_argument("--days", type=int, default=7, help="list: how many days (default 7)")
    bookings.add_argument("--status", help="list: only these statuses, e.g. confirmed,held")
    bookings.add_argument("--limit", type=int, default=50, help="list: how many (by start)")
    bookings.add_argument("-w", "--workspace", help="flows.yaml or its folder (default: here)")
    bookings.add_argument("--bot", help="the bot (needed when the workspace serves several)")
    bookings.add_argument("--json", action="store_true", help="print JSON")
    bookings.set_defaults(run=_bookings)
    contacts = commands.add_parser("contacts", help="list, show, export or erase customers")
    contacts.add_argument("action", choices=("list", "show", "export", "delete"))
    contacts.add_argument("key", nargs="?", help="the conversation: bot:channel:customer")
    contacts.add_argument("--yes", action="store_true", help="delete: yes, erase it for good")
    contacts.add_argument("--tag", action="append", help="list: only those with this tag")
    contacts.add_argument("--lang", help="list: only those the bot speaks this language with")
    contacts.add_argument("--channel", help="list: only those on this channel")
    contacts.add_argument("--after", help="list: the next page, after this conversation")
    contacts.add_argument("--limit", type=int, default=50, help="list: how many (default 50)")
    contacts.add_argument("--bot", help="list: the bot (needed when the workspace serves several)")
    contacts.add_argument("-w", "--workspace", help="flows.yaml or its folder (default: here)")
    contacts.add_argument("--json", action="store_true", help="print JSON")
    contacts.set_defaults(run=_contacts)
    broadcast = commands.add_parser("broadcast", help="marketing to the customers who opted in")
    broadcast.add_argument("action", choices=("create", "preview", "status", *BROADCAST_ACTIONS))
    broadcast.add_argument("id", nargs="?", help="the broadcast's id (all but create)")
    broadcast.add_argument("--text", help="create: the bot's text to send")
    broadcast.add_argument("--value", action="append", help="create: name=value for the text")
    broadcast.add_argument("--purpose", default="marketing", help="create: or notify:TOPIC")
    broadcast.add_argument("--lang", default="", help="create: only who agreed in this language")
    broadcast.add_argument(
        "--segment",
        help="create: which holders: a saved segment's name, YAML or JSON, or @FILE "
        "(docs/broadcasts.md)",
    )
    broadcast.add_argument(
        "--at", help="send: when it starts, e.g. '2026-12-10 09:00' (the bot's time zone)"
    )
    broadcast.add_argument(
        "--whatsapp-template",
        help="create: the approved WhatsApp template it goes as, YAML or JSON, or @FILE "
        "(docs/broadcasts.md)",
    )
    broadcast.add_argument("-w", "--workspace", help="flows.yaml or its folder (default: here)")
    broadcast.add_argument("--bot", help="create: the bot (when the workspace serves several)")
    broadcast.add_argument("--json", action="store_true", help="print JSON")
    broadcast.set_defaults(run=_broadcast)
    notify = commands.add_parser("notify", help="tell the customers following a topic (notify API)")
    notify.add_argument("--topic", required=True, help="e.g. flight:SA1234:2026-12-10")
    notify.add_argument("--text", required=True, help="one of the bot's texts, e.g. flight_delayed")
    notify.add_argument("--value", action="append", help="name=value for the text (repeatable)")
    notify.add_argument("--key", required=True, help="the event's id: the same key notifies once")
    notify.add_argument(
        "--whatsapp-template",
        help="the approved WhatsApp utility template it goes as outside the 24-hour window, "
        "YAML or JSON, or @FILE (docs/contacts.md)",
    )
    notify.add_argument("--bot", help="the bot (needed when the workspace serves several)")
    notify.add_argument("-w", "--workspace", help="flows.yaml or its folder (default: here)")
    notify.add_argument("--json", action="store_true", help="print JSON")
    notify.set_defaults(run=_notify)
    consents = commands.add_parser("consents", help="import consents given elsewhere")
    consents.add_argument("action", choices=("import",))
    consents.add_argument("file", help="CSV or JSON lines: channel, address, purpose, text, …")
    consents.add_argument("--format", choices=("csv", "jsonl"), help="else the file's ending")
    consents.add_argument("--bot", help="the bot (needed when the workspace serves several)")
    consents.add_argument("-w", "--workspace", help="flows.yaml or its folder (default: here)")
    consents.add_argument("--json", action="store_true", help="print JSON: every row's outcome")
    consents.set_defaults(run=_consents)
    segments = commands.add_parser("segments", help="a bot's segments, kept by name")
    segments.add_argument("action", choices=SEGMENT_ACTIONS)
    segments.add_argument("name", nargs="?", help="the segment's name (all but list)")
    segments.add_argument("--definition", help="save: YAML or JSON, or @FILE (docs/broadcasts.md)")
    segments.add_argument("--description", default="", help="save: what it is for (200 at most)")
    segments.add_argument("--purpose", default="marketing", help="preview: or notify:TOPIC")
    segments.add_argument("--bot", help="the bot (needed when the workspace serves several)")
    segments.add_argument("-w", "--workspace", help="flows.yaml or its folder (default: here)")
    segments.add_argument("--json", action="store_true", help="print JSON")
    segments.set_defaults(run=_segments)
    handoffs = commands.add_parser("handoffs", help="a person takes conversations over")
    handoffs.add_argument("action", choices=HANDOFF_ACTIONS)
    handoffs.add_argument("session", nargs="?", help="the conversation, as `list` shows it")
    handoffs.add_argument(
        "text",
        nargs="*",
        help="say: the text; set: slot=value pairs; cart: add ITEM [OPTION…] [QUANTITY], "
        "quantity LINE N or remove LINE (none: show the cart)",
    )
    handoffs.add_argument("--agent", help="who takes part (all but list, and cart without words)")
    handoffs.add_argument("-w", "--workspace", help="flows.yaml or its folder (default: here)")
    handoffs.add_argument("--bot", help="the bot (needed when the workspace serves several)")
    handoffs.add_argument("--json", action="store_true", help="list: print JSON")
    handoffs.set_defaults(run=_handoffs)
    agents = commands.add_parser("agents", help="the people who sign in to the agent inbox")
    agents.add_argument("action", choices=AGENT_ACTIONS)
    agents.add_argument("name", nargs="?", help="the agent's name, e.g. anna or anna@shop.de")
    agents.add_argument("--display", default="", help='add: the name the inbox shows ("Anna S.")')
    agents.add_argument("--bots", default="", help="add: only these bots, e.g. pc_support,pizza")
    agents.add_argument("--admin", action="store_true", help="add: an admin, not an agent")
    agents.add_argument(
        "--password-stdin", action="store_true", help="add, password: read it from stdin"
    )
    agents.add_argument("-w", "--workspace", help="flows.yaml or its folder (default: here)")
    agents.add_argument("--json", action="store_true", help="list: print JSON")
    agents.set_defaults(run=_agents)
    channels = commands.add_parser("channels", help="connect messengers (Telegram set-webhook)")
    channels.add_argument("messenger", choices=["telegram"])
    channels.add_argument("action", choices=["set-webhook"])
    channels.add_argument("--url", required=True, help="the server's public https:// address")
    channels.add_argument("-w", "--workspace", help="flows.yaml or its folder (default: here)")
    channels.set_defaults(run=_channels)
    return parser


ORDER_ACTIONS = ("accept", "dispatch", "deliver", "cancel", "refund")


def _orders(args: argparse.Namespace) -> int:
    from framework.payments.cli import run_orders

    return run_orders(args)


def _events(args: argparse.Namespace) -> int:
    from framework.events.cli import run_events

    return run_events(args)


TICKET_ACTIONS = ("list", "show", "reply", "note", "pending", "solve", "close")


def _tickets(args: argparse.Namespace) -> int:
    from framework.support.tickets_cli import run_tickets

    return run_tickets(args)


BOOKING_ACTIONS = ("list", "show", "cancel", "move", "no-show")


def _bookings(args: argparse.Namespace) -> int:
    from framework.reception.cli import run_bookings

    return run_bookings(args)


def _contacts(args: argparse.Namespace) -> int:
    if args.action in ("list", "show"):
        from framework.contacts.cli import run_contacts_view

        return run_contacts_view(args)
    from framework.privacy.cli import run_contacts

    return run_contacts(args)


HANDOFF_ACTIONS = ("list", "claim", "say", "set", "cart", "release", "return", "close")


BROADCAST_ACTIONS = ("send", "pause", "resume", "cancel")


def _broadcast(args: argparse.Namespace) -> int:
    from framework.outreach.broadcasts_cli import run_broadcast

    return run_broadcast(args)


def _notify(args: argparse.Namespace) -> int:
    from framework.outreach.notify_cli import run_notify

    return run_notify(args)


def _consents(args: argparse.Namespace) -> int:
    from framework.consents.intake_cli import run_consents

    return run_consents(args)


SEGMENT_ACTIONS = ("list", "show", "save", "delete", "preview")


def _segments(args: argparse.Namespace) -> int:
    from framework.outreach.segments_cli import run_segments

    return run_segments(args)


def _handoffs(args: argparse.Namespace) -> int:
    from framework.support.handoffs_cli import run_handoffs

    return run_handoffs(args)


AGENT_ACTIONS = ("add", "remove", "list", "password", "disable", "enable")


def _agents(args: argparse.Namespace) -> int:
    from framework.support.agents_cli import run_agents

    return run_agents(args)


def _channels(args: argparse.Namespace) -> int:
    from framework.channels.cli import run_channels

    return run_channels(args)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except BotDefinitionError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    except (ThekeError, OSError) as error:
        print(f"theke: {printable(error, 1000)}", file=sys.stderr)  # it may quote stored text
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
