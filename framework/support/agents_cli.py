"""`theke agents`: the people who sign in to the agent inbox, from the terminal.

    theke agents add NAME [--display "Anna S."] [--bots pc_support,pizza] [--admin]
    theke agents remove NAME                     the account goes, its sessions end
    theke agents list [--json]
    theke agents password NAME                   a new password: every session of it ends
    theke agents disable|enable NAME             a disabled agent cannot sign in

`add` and `password` ask for the password twice on the terminal, never echoed; scripts pipe it
in with `--password-stdin` (one line: a trailing newline is not part of it). It opens the
workspace's store (the same SQLite file or Redis the server uses); agents are the workspace's,
not a bot's (--bots limits one to some bots).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
import time

from framework.errors import ThekeError
from framework.stores import agent_rules as rules
from framework.stores.agents import ADMIN, AGENT, Agent, AgentError, AgentStore
from framework.stores.opening import StoreURL, open_agents
from framework.terminal import ascii_json, local_time, printable
from framework.workspace import Workspace, workspace_for_command

__all__ = ["run_agents"]

STDIN_MOST = 64 * 1024
"""Characters --password-stdin reads at most (the store says when a password is too long)."""


def run_agents(args: argparse.Namespace) -> int:
    return asyncio.run(_agents(workspace_for_command(args.workspace), args))


async def _agents(workspace: Workspace, args: argparse.Namespace) -> int:
    if StoreURL.parse(workspace.store).kind == "memory":
        raise ThekeError(
            "the workspace keeps its state in memory://, where agents would be gone when this "
            "command ends; set `store:` in flows.yaml to sqlite:///state.db or redis://..."
        )
    if args.action != "list" and not args.name:
        raise ThekeError(
            f"{args.action} needs the agent's name, e.g. `theke agents {args.action} anna`"
        )
    new = _new_agent(workspace, args) if args.action == "add" else None
    store = await open_agents(workspace.store, workspace.root)
    try:
        if args.action == "list":
            _print_list(await store.list(), args.json)
        elif new is not None:
            _print("added", await store.add(new, await _asked(store, args), time.time()))
        elif args.action == "password":
            changed = await store.set_password(args.name, await _asked(store, args))
            _print("new password for", changed, "; every session of it ended")
        else:
            await _change(store, args.action, args.name)
        return 0
    except AgentError as error:
        raise ThekeError(str(error)) from None
    finally:
        await store.close()


async def _asked(store: AgentStore, args: argparse.Namespace) -> str:
    """The password, asked once the name fits (nobody types one twice to hear it is taken)."""
    found = await store.get(args.name)
    if args.action == "add" and found is not None:
        raise rules.exists(args.name)
    if args.action == "password" and found is None:
        raise rules.not_found(args.name)
    return _password(args)


async def _change(store: AgentStore, action: str, name: str) -> None:
    if action == "remove":
        _print("removed", await store.remove(name), "; every session of it ended")
    else:
        _print(f"{action}d", await store.set_disabled(name, action == "disable"))


def _new_agent(workspace: Workspace, args: argparse.Namespace) -> Agent:
    bots = tuple(bot.strip() for bot in args.bots.split(",") if bot.strip())
    if bots:
        from framework.flows.language.reader import load_bot  # only to know the bots' names

        served = sorted(load_bot(path).name for path in workspace.bots)
        unknown = [bot for bot in bots if bot not in served]
        if unknown:
            raise ThekeError(
                f"--bots names {printable(', '.join(unknown), 100)}, which this workspace "
                f"does not serve; it serves {', '.join(served)}"
            )
    role = ADMIN if args.admin else AGENT
    return Agent(name=args.name, display=args.display, bots=bots, role=role)


def _password(args: argparse.Namespace) -> str:
    """The password from stdin (--password-stdin), or asked twice on the terminal."""
    if args.password_stdin:
        text = sys.stdin.read(STDIN_MOST)
        return text.removesuffix("\n").removesuffix("\r")
    if not sys.stdin.isatty():
        raise ThekeError(
            "there is no terminal to ask the password on; pipe it in with --password-stdin"
        )
    first = getpass.getpass(f"Password for {printable(args.name, 64)}: ")
    if getpass.getpass("The same again: ") != first:
        raise ThekeError("the two passwords differ; nothing was changed, try again")
    return first


def _print(what: str, agent: Agent, after: str = "") -> None:
    print(f"{what} {printable(agent.name)} ({_described(agent)}){after}")


def _described(agent: Agent) -> str:
    bots = ", ".join(agent.bots) if agent.bots else "all bots"
    return f"{agent.role}, {bots}{', disabled' if agent.disabled else ''}"


def _print_list(agents: list[Agent], as_json: bool) -> None:
    if as_json:
        print(ascii_json([agent.to_json() for agent in agents]))
        return
    if not agents:
        print("no agents yet: add one with `theke agents add NAME`")
    for agent in agents:
        print(
            f"{printable(agent.name, 64):<24} {printable(agent.display, 40):<20} "
            f"{local_time(agent.created_at)}  {_described(agent)}"
        )
