"""The `theke` command: check, chat, test and graph bots."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from framework.errors import ThekeError
from framework.flows.checker import check_bot
from framework.flows.problems import BotDefinitionError
from framework.flows.reader import load_bot, read_bot

__all__ = ["main"]


def _check(args: argparse.Namespace) -> int:
    bot, problems = read_bot(args.path)
    if bot is not None:
        problems = problems + check_bot(bot)
    for problem in problems:
        print(problem)
    errors = sum(not problem.warning for problem in problems)
    warnings = len(problems) - errors
    print(f"{args.path}: {errors} error(s), {warnings} warning(s)")
    return 1 if errors or (args.strict and warnings) else 0


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
    from framework.flows.testing import ConversationFailure, load_tests, run_test

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
    from framework.flows.graph import render_svg, to_dot, to_mermaid  # only this command needs it

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
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="report every problem of a bot")
    check.add_argument("path")
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
    return parser


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
        print(f"theke: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
