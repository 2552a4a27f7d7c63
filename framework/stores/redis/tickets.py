"""Tickets in the session store's Redis, under the same key prefix.

Keys, all of one bot in the hash tag `{%tickets:<bot>}`: one Redis Cluster slot per bot, so
every script below is legal on a cluster, and never a session's slot (a session key's tag has
its `%` escaped); tickets are few next to messages, as orders are:

    <prefix>:{%tickets:<bot>}:last                the last number the bot gave (first 1001)
    <prefix>:{%tickets:<bot>}:heads               hash: number -> the ticket's JSON without
                                                  its history
    <prefix>:{%tickets:<bot>}:histories           hash: number -> "<n>|<its n events as a
                                                  JSON array>", oldest first
    <prefix>:{%tickets:<bot>}:status:<status>     zset: number -> number, the tickets in it
    <prefix>:{%tickets:<bot>}:conversation:<key>  zset: number -> number, a conversation's
    <prefix>:{%tickets:<bot>}:keys                hash: key -> the number of the ticket
                                                  opened with that key

Creating is one script: look for the key, count the number up, keep the ticket and index it.
A change reads the ticket (one script: head and history as they were together), applies the
rule in Python (ticket_rules.py, shared with the other stores) and keeps it with a
compare-and-set script on the history's length: a change by another worker in between makes it
read and decide again, so none is lost (the changes of one process to one ticket take turns,
so only other processes' come between). Python writes the JSON; Lua only puts the number in
front of a new ticket's and appends events to the history's array. Redis failures become
StoreError, as in the other Redis stores.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from typing import cast

from framework.stores.json_text import dump
from framework.stores.redis.connection import Client, address_of, bounded_client, guarded
from framework.stores.session_store import StoreError
from framework.stores.ticket_rules import (
    Change,
    added,
    check_query,
    commenting,
    could_exist,
    event_text,
    existing,
    head_text,
    load,
    matches,
    moving,
    opened,
)
from framework.stores.tickets import FIRST_NUMBER, STATUSES, NewTicket, Ticket

__all__ = ["TRIES", "RedisTickets"]

Args = list[str | int | float]
"""A script's arguments."""

TRIES = 100
"""Times a change is decided again because other workers changed the ticket first."""

# KEYS last, heads, histories, the open status's zset, the conversation's zset, keys
# ARGV the ticket's JSON after its "{" without the number, the created event's JSON, the
#      number before the first, the key ('' for none)
# -> {the ticket's number, 1 opened now or 0 opened before with that key}
CREATE = """
local known = ARGV[4] ~= '' and redis.call('HGET', KEYS[6], ARGV[4])
if known then return {tonumber(known), 0} end
redis.call('SET', KEYS[1], ARGV[3], 'NX')
local number = redis.call('INCR', KEYS[1])
local n = string.format('%d', number)
redis.call('HSET', KEYS[2], n, '{"number":' .. n .. ',' .. ARGV[1])
redis.call('HSET', KEYS[3], n, '1|[' .. ARGV[2] .. ']')
redis.call('ZADD', KEYS[4], number, n)
redis.call('ZADD', KEYS[5], number, n)
if ARGV[4] ~= '' then redis.call('HSET', KEYS[6], ARGV[4], n) end
return {number, 1}
"""

# KEYS heads, histories; ARGV numbers -> {their heads, their histories} (false: none)
LOAD = """
return {redis.call('HMGET', KEYS[1], unpack(ARGV)), redis.call('HMGET', KEYS[2], unpack(ARGV))}
"""

# KEYS heads, histories, the old status's zset, the new status's zset
# ARGV number, events read, the new JSON, events now, the added events' JSON joined by ","
# -> 1 kept, 0 changed meanwhile (nothing written)
CHANGE = """
local kept = redis.call('HGET', KEYS[2], ARGV[1])
if not kept or string.match(kept, '^(%d+)|') ~= ARGV[2] then return 0 end
local events = string.sub(kept, #ARGV[2] + 2, -2)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4] .. '|' .. events .. ',' .. ARGV[5] .. ']')
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[1], ARGV[1])
return 1
"""

# KEYS heads, histories, keys, the conversation's zset, the statuses' zsets
# -> how many tickets the conversation had (deleted now, with their indexes)
ERASE = """
local numbers = redis.call('ZRANGE', KEYS[4], 0, -1)
for _, n in ipairs(numbers) do
  local head = redis.call('HGET', KEYS[1], n)
  local key = head and cjson.decode(head)['key']
  if type(key) == 'string' and key ~= '' then redis.call('HDEL', KEYS[3], key) end
  redis.call('HDEL', KEYS[1], n)
  redis.call('HDEL', KEYS[2], n)
  for i = 5, #KEYS do redis.call('ZREM', KEYS[i], n) end
end
redis.call('DEL', KEYS[4])
return #numbers
"""


def _rest(ticket: Ticket) -> str:
    """The ticket's JSON after its "{", without the number the store gives it."""
    head = ticket.head_json()
    del head["number"]
    return dump(head)[1:]


def _loaded(head: str | None, history: str | None) -> Ticket | None:
    if head is None or history is None:
        return None
    return load(head, json.loads(history.partition("|")[2]))


class RedisTickets:
    def __init__(self, client: Client, prefix: str = "theke"):
        if "{" in prefix or "}" in prefix:
            raise ValueError("a Redis key prefix cannot contain { or }")
        self._redis = client
        self.address = address_of(client)
        self._prefix = prefix
        self._create = client.register_script(CREATE)
        self._load_script = client.register_script(LOAD)
        self._change = client.register_script(CHANGE)
        self._erase = client.register_script(ERASE)
        self._turns: weakref.WeakValueDictionary[tuple[str, int], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        """One lock per ticket being changed by this process: its changes take turns, so
        the compare-and-set only ever races with other processes'."""

    @classmethod
    def from_url(
        cls, url: str, prefix: str = "theke", *, max_connections: int = 20, timeout: float = 5.0
    ) -> RedisTickets:
        return cls(bounded_client(url, max_connections, timeout), prefix)

    def _key(self, bot: str, name: str) -> str:
        """A key of the bot's tickets (its name is checked: no braces)."""
        return f"{self._prefix}:{{%tickets:{bot}}}:{name}"

    def _ticket_keys(self, bot: str) -> list[str]:
        return [self._key(bot, "heads"), self._key(bot, "histories")]

    async def _load(self, bot: str, numbers: Iterable[int]) -> list[Ticket]:
        """The bot's tickets with these numbers (those it has), in their order."""
        wanted = list(numbers)
        if not wanted:
            return []
        found = await self._load_script(keys=self._ticket_keys(bot), args=wanted)
        heads, histories = cast(tuple[list[str | None], list[str | None]], found)
        tickets = (_loaded(head, history) for head, history in zip(heads, histories, strict=True))
        return [ticket for ticket in tickets if ticket is not None]

    @guarded
    async def create(self, ticket: NewTicket, now: float) -> Ticket:
        draft = opened(ticket, now)
        keys = [self._key(draft.bot, "last"), *self._ticket_keys(draft.bot)]
        keys += [self._key(draft.bot, f"status:{draft.status}")]
        keys += [self._key(draft.bot, f"conversation:{draft.conversation}")]
        keys += [self._key(draft.bot, "keys")]
        args: Args = [_rest(draft), event_text(draft.history[0]), FIRST_NUMBER - 1, draft.key]
        number, new = cast(list[int], await self._create(keys=keys, args=args))
        if new:
            return draft.changed(number=number)
        return existing(await self._one(draft.bot, number), draft.bot, number)

    async def _one(self, bot: str, number: int) -> Ticket | None:
        found = await self._load(bot, [number]) if could_exist(bot, number) else []
        return found[0] if found else None

    @guarded
    async def get(self, bot: str, number: int) -> Ticket | None:
        return await self._one(bot, number)

    async def _scan(
        self,
        bot: str,
        index: str,
        limit: int,
        before_number: int | None,
        wanted: Callable[[Ticket], bool],
    ) -> list[Ticket]:
        """Up to `limit` wanted tickets of one index, newest first, read a page at a time down
        from the last number seen: tickets created meanwhile cannot shift the pages."""
        below, found = "+inf" if before_number is None else f"({before_number}", list[Ticket]()
        while len(found) < limit:
            page = await self._redis.zrevrangebyscore(index, below, "-inf", start=0, num=limit)
            numbers = [int(number) for number in cast(list[str], page)]
            found += [ticket for ticket in await self._load(bot, numbers) if wanted(ticket)]
            if len(numbers) < limit:
                break
            below = f"({numbers[-1]}"
        return found

    @guarded
    async def list(
        self,
        bot: str,
        statuses: AbstractSet[str] | None = None,
        conversation: str | None = None,
        limit: int = 50,
        before_number: int | None = None,
    ) -> list[Ticket]:
        """From the conversation's index, or from those of the statuses asked for."""
        conversation = check_query(bot, statuses, conversation, limit, before_number)
        if conversation is not None:
            indexes = [f"conversation:{conversation}"]
        else:
            indexes = [f"status:{s}" for s in STATUSES if statuses is None or s in statuses]
        found: dict[int, Ticket] = {}  # a ticket that moved during the scan is read twice
        for index in indexes:
            scanned = await self._scan(
                bot,
                self._key(bot, index),
                limit,
                before_number,
                lambda ticket: matches(ticket, statuses, conversation),
            )
            found.update((ticket.number, ticket) for ticket in scanned)
        return [found[number] for number in sorted(found, reverse=True)[:limit]]

    async def _changed(self, bot: str, number: int, change: Change) -> Ticket:
        """Read, decide and keep it unless another worker changed the ticket meanwhile."""
        async with self._turns.setdefault((bot, number), asyncio.Lock()):
            return await self._try(bot, number, change)

    async def _try(self, bot: str, number: int, change: Change) -> Ticket:
        for _ in range(TRIES):
            ticket = existing(await self._one(bot, number), bot, number)
            new = change(ticket)
            keys = [*self._ticket_keys(bot), self._key(bot, f"status:{ticket.status}")]
            keys += [self._key(bot, f"status:{new.status}")]
            events = ",".join(event_text(event) for event in added(ticket, new))
            args: Args = [number, len(ticket.history), head_text(new), len(new.history), events]
            if await self._change(keys=keys, args=args):
                return new
        raise StoreError(
            f"ticket {number} of {bot} changed {TRIES} times while this change was decided; "
            "try again"
        )

    @guarded
    async def comment(
        self, bot: str, number: int, by: str, text: str, public: bool, now: float
    ) -> Ticket:
        return await self._changed(bot, number, commenting(by, text, public, now))

    @guarded
    async def set_status(
        self, bot: str, number: int, status: str, by: str, now: float, note: str | None = None
    ) -> Ticket:
        return await self._changed(bot, number, moving(status, by, now, note))

    @guarded
    async def erase_conversation(self, bot: str, conversation: str) -> int:
        keys = [*self._ticket_keys(bot), self._key(bot, "keys")]
        keys += [self._key(bot, f"conversation:{conversation}")]
        keys += [self._key(bot, f"status:{status}") for status in STATUSES]
        return cast(int, await self._erase(keys=keys))

    async def close(self) -> None:
        await self._redis.aclose()
