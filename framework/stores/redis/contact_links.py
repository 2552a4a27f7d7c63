"""Link codes, joining and parting for the Redis contact store (redis/contacts.py names the
keys): each a compare and set in one script on keys of the bot's one hash tag, so it is legal
on a Redis Cluster. The change is worked out in Python (stores/contact_links.py, the same as in
every backend) from what was read; the script writes it only if the code and both contacts are
still as read, and answers 0 otherwise: everything is read again and the change worked out
anew, at most TRIES times. A code's key expires with the code, so codes nobody typed leave no
trace.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from typing import cast

from framework.stores.contact_links import joined, link_outcome, parted
from framework.stores.contact_rules import new_id
from framework.stores.contacts import LINKED, UNKNOWN, Contact, Link
from framework.stores.redis.connection import Client
from framework.stores.session_store import StoreError

__all__ = ["RedisLinks"]

TRIES = 20

# KEYS codeof, the old code's key (or any), the new code's key; ARGV the old hash expected
# ('' none), the new hash ('' : only drop the old), the new code's value, milliseconds to live
OFFER = """
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then return 0 end
if ARGV[1] ~= '' then redis.call('DEL', KEYS[2]) end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[3], ARGV[3], 'PX', ARGV[4])
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
end
return 1
"""

# KEYS contacts, ids, index, the code's key, the offering conversation's codeof; ARGV the
# code's value read, offering, taking, offered id and JSON read, taker id and JSON read ('' for
# none), the joined id and JSON, two ids to delete ('' none), then every joined conversation
LINK = """
if (redis.call('GET', KEYS[4]) or '') ~= ARGV[1] then return 0 end
local function same(conversation, id, data)
  if (redis.call('HGET', KEYS[2], conversation) or '') ~= id then return false end
  return id == '' or (redis.call('HGET', KEYS[1], id) or '') == data
end
if not same(ARGV[2], ARGV[4], ARGV[5]) or not same(ARGV[3], ARGV[6], ARGV[7]) then return 0 end
for i = 10, 11 do
  if ARGV[i] ~= '' then redis.call('HDEL', KEYS[1], ARGV[i]) end
end
redis.call('HSET', KEYS[1], ARGV[8], ARGV[9])
for i = 12, #ARGV do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[8])
  redis.call('ZADD', KEYS[3], 0, ARGV[i])
end
redis.call('DEL', KEYS[4], KEYS[5])
return 1
"""

# KEYS contacts, ids; ARGV the conversation, its contact's id and JSON read, the rest's JSON,
# the new contact's id and JSON
UNLINK = """
if (redis.call('HGET', KEYS[2], ARGV[1]) or '') ~= ARGV[2] then return 0 end
if (redis.call('HGET', KEYS[1], ARGV[2]) or '') ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[4], ARGV[5], ARGV[6])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[5])
return 1
"""


def dumped(contact: Contact) -> str:
    return json.dumps(contact.to_json(), ensure_ascii=False, sort_keys=True)


def _loaded(data: str) -> Contact | None:
    return Contact.from_json(json.loads(data)) if data else None


class RedisLinks:
    def __init__(self, client: Client, keys: Callable[[str], list[str]]) -> None:
        self._redis, self._keys = client, keys
        self._offer = client.register_script(OFFER)
        self._link = client.register_script(LINK)
        self._unlink = client.register_script(UNLINK)

    def _code_key(self, bot: str, code: str) -> str:
        return self._keys(bot)[0].removesuffix(":contacts") + f":code:{code}"

    def _code_of(self, bot: str, conversation: str) -> str:
        name = hashlib.sha256(conversation.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return self._keys(bot)[0].removesuffix(":contacts") + f":codeof:{name}"

    async def read(self, bot: str, conversation: str) -> tuple[str, str]:
        """The conversation's contact id and JSON as kept ("" each when none)."""
        contacts, ids, _ = self._keys(bot)
        contact_id = await self._redis.hget(ids, conversation) or ""
        kept = await self._redis.hget(contacts, contact_id) if contact_id else None
        return cast(str, contact_id), cast(str, kept or "")

    async def offer(
        self, bot: str, conversation: str, code: str, expires: float, at: float
    ) -> None:
        """`code` as the conversation's only one ('' : none any more)."""
        of = self._code_of(bot, conversation)
        live = str(max(1, math.ceil((expires - at) * 1000)))
        value = f"{expires!r}\n{conversation}"
        for _ in range(TRIES):
            old = cast(str, await self._redis.get(of) or "")
            keys = [of, self._code_key(bot, old or "none"), self._code_key(bot, code or "none")]
            if int(await self._offer(keys=keys, args=[old, code, value, live])) == 1:
                return
        raise StoreError(f"the link code of {conversation[:60]!r} changed {TRIES} times")

    async def link(self, bot: str, conversation: str, code: str, at: float) -> Link:
        key = self._code_key(bot, code)
        for _ in range(TRIES):
            value = cast(str, await self._redis.get(key) or "")
            until, _, offering = value.partition("\n")
            if not offering or float(until) <= at:
                return Link(UNKNOWN)
            offered_id, offered_data = await self.read(bot, offering)
            taker_id, taker_data = await self.read(bot, conversation)
            offered, taker = _loaded(offered_data), _loaded(taker_data)
            outcome = link_outcome(offered, offering, taker, conversation)
            if outcome != LINKED:
                return Link(outcome, taker)
            made = joined(offered, offering, taker, conversation, bot, at, (new_id(), new_id()))
            gone = [c.id if c is not None and c.id != made.id else "" for c in (offered, taker)]
            args = [value, offering, conversation, offered_id, offered_data, taker_id]
            args += [taker_data, made.id, dumped(made), *gone, *made.conversations]
            keys = [*self._keys(bot), key, self._code_of(bot, offering)]
            if int(await self._link(keys=keys, args=args)) == 1:
                return Link(LINKED, made)
        raise StoreError(f"the contact of {conversation[:60]!r} changed {TRIES} times; try again")

    async def unlink(self, bot: str, conversation: str, at: float) -> Contact | None:
        for _ in range(TRIES):
            contact_id, data = await self.read(bot, conversation)
            contact = _loaded(data)
            if contact is None or len(contact.conversations) < 2:
                return None
            rest, alone = parted(contact, conversation, at, new_id())
            args = [conversation, contact_id, data, dumped(rest), alone.id, dumped(alone)]
            if int(await self._unlink(keys=self._keys(bot)[:2], args=args)) == 1:
                return alone
        raise StoreError(f"the contact of {conversation[:60]!r} changed {TRIES} times; try again")
