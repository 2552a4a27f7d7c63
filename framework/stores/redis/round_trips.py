"""Lua scripts sent to Redis in batched round trips, for the stores that share a client.

The scripts of all calls made while a round trip is under way go out together in the next one
(one pipeline on one connection, one round trip at a time), so calls reach Redis in the order
they were made and under load one round trip serves many calls. Scripts declared announcing
(index entries that must exist before a change and again after it) run once for all their
calls in a round trip, before all the other scripts and again after them: still before and
after each change they announce.

The session store makes one; the order and contact stores opened beside it from the same URL
add their scripts to it, so the pay step's writes ride along with the turns' round trips
instead of taking a connection from the pool each (benchmarks/README.md, 2026-12-05 midday).

On a Redis Cluster (a redis+cluster:// URL) a pipeline is split by node and the nodes answer
in no order with each other, so a round trip that announces is three pipelines, one after
the other: the announcements, the other scripts (each node's in call order, so one session's
in call order), the announcements again. Scripts a node lost are loaded on every node.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from redis.asyncio import RedisCluster
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

from framework.stores.redis.connection import Client, HeldConnection

__all__ = ["Call", "RoundTrips"]

Call = tuple[str, Sequence[str], Sequence[Any]]
"""A script by name, its keys and its arguments."""

Waiting = tuple[Sequence[Call], asyncio.Future[list[Any]]]
"""The calls of one `run` and where their answers go."""


def _merged(announcements: list[Call]) -> list[Call]:
    """Each announcing script once, with the arguments of all its calls (each distinct call's
    once: an enqueue announces its session twice), in order."""
    merged: dict[str, tuple[Sequence[str], dict[tuple[Any, ...], None]]] = {}
    for name, keys, args in announcements:
        merged.setdefault(name, (keys, {}))[1][tuple(args)] = None
    return [
        (name, keys, [arg for args in distinct for arg in args])
        for name, (keys, distinct) in merged.items()
    ]


def _answer(future: asyncio.Future[list[Any]], answers: list[Any]) -> None:
    """Hand a caller of `run` its answers, or the first error among them (unless it stopped
    waiting)."""
    if future.done():
        return
    errors = [answer for answer in answers if isinstance(answer, Exception)]
    if errors:
        future.set_exception(errors[0])
    else:
        future.set_result(answers)


class RoundTrips:
    """The scripts of one or more stores on one client, by name, sent a round trip at a time.
    `announcing`: the names of scripts that only add to indexes and take any number of
    entries as their arguments (merged as above)."""

    def __init__(
        self,
        client: Client,
        scripts: Mapping[str, str] | None = None,
        announcing: Collection[str] = (),
    ) -> None:
        self.client = client
        self._cluster = isinstance(client, RedisCluster)
        self._scripts: dict[str, AsyncScript] = {}
        self._announcing = frozenset(announcing)
        self._queue: list[Waiting] = []
        """The calls of `run` waiting for the next round trip, in the order they were made."""
        self._sender: asyncio.Task[None] | None = None
        self._held = None if isinstance(client, RedisCluster) else HeldConnection(client)
        """The sender's connection (one Redis; a cluster's pipelines go by node)."""
        self.add(scripts or {})

    def add(self, scripts: Mapping[str, str]) -> None:
        """More scripts by name (a store beside the first adds its own); a name stands for one
        script only."""
        for name, lua in scripts.items():
            known = self._scripts.get(name)
            if known is not None and known.script != lua:
                raise ValueError(f"two scripts named {name!r}")
            if known is None:
                self._scripts[name] = self.client.register_script(lua)

    async def run(self, *calls: Call) -> list[Any]:
        """Scripts in one round trip and in this order (one connection: Redis keeps the order),
        together with the calls every other coroutine made meanwhile. The first error among
        the answers is raised."""
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._queue.append((calls, future))
        if self._sender is None:
            self._sender = asyncio.create_task(self._send())
        return await future

    async def _send(self) -> None:
        """Send the queued calls, a round trip at a time, until none are left."""
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                await self._round_trip([(c, f) for c, f in batch if not f.cancelled()])
        finally:
            for _, future in self._queue:  # only when cancelled itself (the loop is closing)
                future.cancel()
            self._queue, self._sender = [], None
            if self._held is not None:
                await self._held.release()

    async def _round_trip(self, batch: list[Waiting]) -> None:
        """One pipeline for the calls of a batch, announcements merged (see the module's doc;
        an extra entry costs a look)."""
        announcing = self._announcing
        calls = [call for own, _ in batch for call in own]
        ends = _merged([call for call in calls if call[0] in announcing])
        work = [call for call in calls if call[0] not in announcing]
        try:
            if self._cluster:
                answers = await self._evaluate_in_steps(ends, work)
            else:
                answers = await self._evaluate([*ends, *work, *ends])
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as error:  # the connection failed: every call in it did
            for _, future in batch:
                _answer(future, [error])
            return
        announced = answers[: len(ends)] + answers[len(answers) - len(ends) :]
        failed = next((answer for answer in announced if isinstance(answer, Exception)), 0)
        done = iter(answers[len(ends) : len(ends) + len(work)])
        for own, future in batch:
            _answer(future, [failed if name in announcing else next(done) for name, _, _ in own])

    async def _evaluate_in_steps(self, ends: list[Call], work: list[Call]) -> list[Any]:
        """A round trip on a Redis Cluster: announcements, other scripts and announcements
        again in three pipelines, one after the other (see the module's doc)."""
        if not ends or not work:
            return await self._evaluate([*ends, *work, *ends])  # nothing to order across nodes
        before = await self._evaluate(ends)
        return [*before, *await self._evaluate(work), *await self._evaluate(ends)]

    async def _evaluate(self, calls: Sequence[Call]) -> list[Any]:
        """The answers (an error in place of a script's answer when it failed); scripts a
        (restarted) Redis lost are loaded and the calls that missed them rerun, in order."""
        results: list[Any] = [None] * len(calls)
        todo = list(range(len(calls)))
        for attempt in (1, 2):
            commands = [
                ("EVALSHA", self._scripts[name].sha, len(keys), *keys, *args)
                for name, keys, args in (calls[index] for index in todo)
            ]
            for index, answer in zip(todo, await self._pipeline(commands), strict=True):
                results[index] = answer
            todo = [i for i in todo if isinstance(results[i], NoScriptError)]
            if not todo or attempt == 2:
                break
            for script in self._scripts.values():
                script.sha = await self.client.script_load(script.script)
        return results

    async def _pipeline(self, commands: list[tuple[Any, ...]]) -> list[Any]:
        if self._held is not None:
            return await self._held.pipeline(commands)
        pipe = self.client.pipeline(transaction=False)
        for command in commands:  # (a cluster pipeline refuses pipe.evalsha, not EVALSHA)
            pipe.execute_command(*command)
        return await pipe.execute(raise_on_error=False)
