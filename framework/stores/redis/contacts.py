"""The contact store in the session store's Redis, under the same key prefix.

Keys, all of one bot in the hash tag `{%contacts:<bot>}` (one Redis Cluster slot per bot, never
a session's: a session key's tag has its `%` escaped), so each script below is legal on a
cluster:

    <prefix>:{%contacts:<bot>}:contacts   hash: contact id -> the contact's JSON
    <prefix>:{%contacts:<bot>}:ids        hash: conversation -> its contact's id
    <prefix>:{%contacts:<bot>}:index      zset: every conversation, score 0 (pages by name)
    <prefix>:{%contacts:<bot>}:code:<hash>    a link code offered (its SHA-256): until when and
                                              the conversation, expiring with the code
    <prefix>:{%contacts:<bot>}:codeof:<h>     the hash of the code a conversation offered (<h>:
                                              the conversation's SHA-256, 32 hex digits)

A change is applied in Python (contact_rules.py, the same as in every backend) to the contact
as this store last saw it and written by a script only if the contact is still that (compare
and set); when it is not, the script answers with the contact as it is, and the change is
applied to that and tried again: of two workers changing one contact at once, the second
applies its change to the first's. The contacts this store last saw (a bounded number, the
least recent forgotten first) are only its guess, never trusted: a turn of a conversation
this worker had the turn before costs one round trip, another costs two (a guess of a contact
another worker erased is refused like any other and never written back; it leaves this
worker's memory as newer ones push it out). The two scripts below go through round trips
(round_trips.py): the session store's when opened beside it, so a turn's contact change rides
along with the turns' scripts. Redis failures become StoreError, as in the other Redis stores.
Joining and parting (contact_links.py) are compare and set the same way, on the contacts of
both conversations and the code (redis_links.py has the scripts).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from typing import cast

from framework.stores.contact_links import check_code, check_moments
from framework.stores.contact_rules import (
    changed,
    check_change,
    check_many,
    check_one,
    check_page,
    new_id,
)
from framework.stores.contacts import Contact, ContactChange, Link
from framework.stores.redis.connection import Client, address_of, bounded_client, guarded
from framework.stores.redis.contact_links import RedisLinks, dumped
from framework.stores.redis.round_trips import RoundTrips
from framework.stores.session_store import StoreError

__all__ = ["GUESSES", "TRIES", "RedisContacts"]

TRIES = 20
"""Times a change is applied again because the contact was not as expected."""
GUESSES = 10_000
"""Contacts a store remembers as it last saw them, to expect them so the next time."""

# KEYS contacts, ids, index; ARGV conversation, id expected ('' none), JSON expected ('' none),
# id, JSON -> {1} written, or {0, id, JSON} as they are (not what was expected)
UPDATE = """
local id = redis.call('HGET', KEYS[2], ARGV[1])
local kept = id and redis.call('HGET', KEYS[1], id) or ''
if (id or '') ~= ARGV[2] or kept ~= ARGV[3] then return {0, id or '', kept} end
if not id then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
  redis.call('ZADD', KEYS[3], 0, ARGV[1])
end
redis.call('HSET', KEYS[1], ARGV[4], ARGV[5])
return {1}
"""

# KEYS contacts, ids, index; ARGV conversation, id read, JSON read, the contact's JSON without
# the conversation ('' : it held no other, delete it) -> records deleted, -1 changed meanwhile
FORGET = """
local id = redis.call('HGET', KEYS[2], ARGV[1])
if id ~= ARGV[2] or (redis.call('HGET', KEYS[1], id) or '') ~= ARGV[3] then return -1 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if ARGV[4] == '' then return redis.call('HDEL', KEYS[1], id) end
redis.call('HSET', KEYS[1], id, ARGV[4])
return 0
"""


SCRIPTS = {"CONTACT_UPDATE": UPDATE, "CONTACT_FORGET": FORGET}


class RedisContacts:
    def __init__(self, client: Client | RoundTrips, prefix: str = "theke"):
        """On `client`, or on the round trips of another store (and its client, which that
        store closes)."""
        if "{" in prefix or "}" in prefix:
            raise ValueError("a Redis key prefix cannot contain { or }")
        self._owns = not isinstance(client, RoundTrips)
        self._trips = client if isinstance(client, RoundTrips) else RoundTrips(client)
        self._trips.add(SCRIPTS)
        self._redis, self._prefix = self._trips.client, prefix
        self.address = address_of(self._redis)
        self._links = RedisLinks(self._redis, self._keys)
        self._seen: OrderedDict[tuple[str, str], tuple[str, str]] = OrderedDict()
        """(bot, conversation) -> the contact's id and JSON as this store last saw them."""

    @classmethod
    def from_url(
        cls, url: str, prefix: str = "theke", *, max_connections: int = 20, timeout: float = 5.0
    ) -> RedisContacts:
        return cls(bounded_client(url, max_connections, timeout), prefix)

    def _keys(self, bot: str) -> list[str]:
        return [
            f"{self._prefix}:{{%contacts:{bot}}}:{name}" for name in ("contacts", "ids", "index")
        ]

    @guarded
    async def update(
        self, bot: str, conversation: str, change: ContactChange, at: float
    ) -> Contact:
        bot, conversation = check_one(bot, conversation)
        change = check_change(change)
        contact_id, kept = self._seen.get((bot, conversation), ("", ""))
        for _ in range(TRIES):
            contact = Contact.from_json(json.loads(kept)) if kept else None
            made = changed(contact, bot, conversation, change, at, contact_id or new_id())
            written = dumped(made)
            args = [conversation, contact_id, kept, made.id, written]
            [answer] = await self._trips.run(("CONTACT_UPDATE", self._keys(bot), args))
            if int(answer[0]) == 1:
                self._saw(bot, conversation, made.id, written)
                return made
            contact_id, kept = str(answer[1]), str(answer[2])
        raise StoreError(f"the contact of {conversation[:60]!r} changed {TRIES} times; try again")

    def _saw(self, bot: str, conversation: str, contact_id: str, data: str) -> None:
        seen = self._seen
        seen[bot, conversation] = (contact_id, data)
        seen.move_to_end((bot, conversation))
        while len(seen) > GUESSES:
            seen.popitem(last=False)

    @guarded
    async def many(self, bot: str, conversations: Sequence[str]) -> dict[str, Contact]:
        bot, names = check_many(bot, conversations)
        if not names:
            return {}
        contacts, ids, _ = self._keys(bot)
        found = dict(zip(names, await self._redis.hmget(ids, names), strict=True))
        known = {c: i for c, i in found.items() if i}
        if not known:
            return {}
        kept = await self._redis.hmget(contacts, list(known.values()))
        return {
            conversation: Contact.from_json(json.loads(data))
            for conversation, data in zip(known, kept, strict=True)
            if data
        }

    @guarded
    async def page(self, bot: str, after: str = "", limit: int = 100) -> list[Contact]:
        bot, after, limit = check_page(bot, after, limit)
        start = f"({after}" if after else "-"
        index = self._keys(bot)[2]
        names = cast(list[str], await self._redis.zrangebylex(index, start, "+", 0, limit))
        found = await self.many(bot, names)
        return [found[name] for name in names if name in found]

    @guarded
    async def offer(
        self, bot: str, conversation: str, code: str, expires: float, at: float
    ) -> None:
        bot, conversation = check_one(bot, conversation)
        code, (expires, at) = check_code(code), check_moments(expires, at)
        await self._links.offer(bot, conversation, code, expires, at)

    @guarded
    async def link(self, bot: str, conversation: str, code: str, at: float) -> Link:
        bot, conversation = check_one(bot, conversation)
        code, (at,) = check_code(code), check_moments(at)
        return await self._links.link(bot, conversation, code, at)

    @guarded
    async def unlink(self, bot: str, conversation: str, at: float) -> Contact | None:
        bot, conversation = check_one(bot, conversation)
        (at,) = check_moments(at)
        return await self._links.unlink(bot, conversation, at)

    @guarded
    async def forget(self, bot: str, conversation: str) -> int:
        bot, conversation = check_one(bot, conversation)
        await self._links.offer(bot, conversation, "", 0.0, 0.0)  # its code, if any, gone
        for _ in range(TRIES):
            contact_id, kept = await self._links.read(bot, conversation)
            if not contact_id:
                return 0
            rest = ""
            if kept:
                contact = Contact.from_json(json.loads(kept))
                others = tuple(c for c in contact.conversations if c != conversation)
                rest = dumped(replace(contact, conversations=others)) if others else ""
            args = [conversation, contact_id, kept, rest]
            [forgot] = await self._trips.run(("CONTACT_FORGET", self._keys(bot), args))
            deleted = int(forgot)
            if deleted >= 0:
                self._seen.pop((bot, conversation), None)
                return deleted
        raise StoreError(f"the contact of {conversation[:60]!r} changed {TRIES} times; try again")

    async def close(self) -> None:
        if self._owns:
            await self._redis.aclose()
