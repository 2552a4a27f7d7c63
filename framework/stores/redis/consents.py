"""The consent ledger in the session store's Redis, under the same key prefix.

Keys, all of one bot in the hash tag `{%consents:<bot>}`: one Redis Cluster slot per bot (never a
session's: a session key's tag has its `%` escaped), so each script below is legal on a cluster:

    <prefix>:{%consents:<bot>}:log:<conversation>   list: its entries' JSON, oldest first
    <prefix>:{%consents:<bot>}:now:<conversation>   hash: purpose -> its latest entry's JSON
    <prefix>:{%consents:<bot>}:holders:<purpose>    zset: the conversations holding it, all
                                                    scored 0 (ordered by their bytes, which is
                                                    the order of their code points)
    <prefix>:{%consents:<bot>}:holding:<purpose>    hash: conversation -> "<since>|<lang>"

RECORD is one script: the entry appended, the conversation's latest entry replaced and its
holding kept by the holding rule (consent_rules.holding, here in Lua: a grant adds a holder
that is not one yet, with its time and language; a withdrawal removes it; a pending entry
leaves it), so the ledger and the indexes never disagree. `holders` is one ZRANGEBYLEX after
`(after` and the holdings of that page: a page of 100,000 holders costs its own length, not
theirs.

`withdraw_all` and `erase` touch the indexes of purposes found only by reading the
conversation, and a script names every key it touches: so they read (HGETALL), decide in
Python, and write with one script that checks first that the conversation is still as read
(every latest entry of a purpose with the prefix, or every purpose, the same) and else writes
nothing and is tried again. So a STOP's withdrawals are written together or not at all, and of
two STOPs at once the second reads the first's withdrawals and writes none. Python writes the
JSON; Lua only compares and places it. Redis failures become StoreError, as in the other Redis
stores.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import cast

from framework.stores import consent_rules as rules
from framework.stores.consents import GRANTED, PENDING, Consent, Holder
from framework.stores.redis.connection import Client, address_of, bounded_client, guarded
from framework.stores.session_store import StoreError

__all__ = ["TRIES", "RedisConsents"]

TRIES = 100
"""Times a STOP or an erasure is decided again because the conversation changed meanwhile."""

# append: the holding rule, with the entry appended and kept as the purpose's latest
_LIB = """
local function append(log, now, holders, holding, conversation, purpose, entry, since_lang)
  redis.call('RPUSH', log, entry)
  redis.call('HSET', now, purpose, entry)
  if since_lang == '=' then
    return
  elseif since_lang == '' then
    redis.call('ZREM', holders, conversation)
    redis.call('HDEL', holding, conversation)
  elseif not redis.call('ZSCORE', holders, conversation) then
    redis.call('ZADD', holders, 0, conversation)
    redis.call('HSET', holding, conversation, since_lang)
  end
end
"""

# KEYS log, now, holders, holding
# ARGV conversation, purpose, the entry's JSON, "<since>|<lang>" for a grant ('' a withdrawal,
#      '=' a pending entry: the holding stays as it is)
RECORD = (
    _LIB
    + """
append(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
return 1
"""
)

# KEYS log, now, then holders and holding of each purpose withdrawn
# ARGV conversation, prefix, n, then n pairs (purpose with the prefix, its latest JSON as read),
#      then per purpose withdrawn (in KEYS' order) the pair (purpose, the withdrawal's JSON)
# -> 1 written, 0 the conversation changed meanwhile (nothing written)
WITHDRAW = (
    _LIB
    + """
local conversation, prefix, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
local all, seen = redis.call('HKEYS', KEYS[2]), 0
for _, purpose in ipairs(all) do
  if string.sub(purpose, 1, #prefix) == prefix then seen = seen + 1 end
end
if seen ~= n then return 0 end
for i = 4, 3 + 2 * n, 2 do
  if redis.call('HGET', KEYS[2], ARGV[i]) ~= ARGV[i + 1] then return 0 end
end
local k = 3
for i = 4 + 2 * n, #ARGV, 2 do
  append(KEYS[1], KEYS[2], KEYS[k], KEYS[k + 1], conversation, ARGV[i], ARGV[i + 1], '')
  k = k + 2
end
return 1
"""
)

# KEYS log, now, then holders and holding of each purpose; ARGV conversation, the purposes read
# -> 1 + the entries deleted, or 0 the conversation has a purpose not read (nothing deleted)
ERASE = """
if redis.call('HLEN', KEYS[2]) ~= #ARGV - 1 then return 0 end
for i = 2, #ARGV do
  if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 0 then return 0 end
end
for k = 3, #KEYS, 2 do
  redis.call('ZREM', KEYS[k], ARGV[1])
  redis.call('HDEL', KEYS[k + 1], ARGV[1])
end
local count = redis.call('LLEN', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2])
return 1 + count
"""

# KEYS holders, holding; ARGV '(' and the conversation after, limit
# -> flat (conversation, "<since>|<lang>")
HOLDERS = """
local found = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], '+', 'LIMIT', 0, ARGV[2])
if #found == 0 then return {} end
local held, out = redis.call('HMGET', KEYS[2], unpack(found)), {}
for i, conversation in ipairs(found) do
  out[2 * i - 1] = conversation
  out[2 * i] = held[i]
end
return out
"""


def _holding(entry: Consent) -> str:
    """What RECORD keeps of a grant's holding ('' for a withdrawal, '=' for a pending entry,
    which keeps the holding as it is)."""
    if entry.state == PENDING:
        return "="
    return f"{entry.at!r}|{entry.lang}" if entry.state == GRANTED else ""


def _holder(conversation: str, kept: str) -> Holder:
    since, _, lang = kept.partition("|")
    return Holder(conversation, float(since), lang)


class RedisConsents:
    def __init__(self, client: Client, prefix: str = "theke"):
        if "{" in prefix or "}" in prefix:
            raise ValueError("a Redis key prefix cannot contain { or }")
        self._redis = client
        self.address = address_of(client)
        self._prefix = prefix
        self._record, self._withdraw = (
            client.register_script(RECORD),
            client.register_script(WITHDRAW),
        )
        self._erase, self._holders = client.register_script(ERASE), client.register_script(HOLDERS)

    @classmethod
    def from_url(
        cls, url: str, prefix: str = "theke", *, max_connections: int = 20, timeout: float = 5.0
    ) -> RedisConsents:
        return cls(bounded_client(url, max_connections, timeout), prefix)

    def _key(self, bot: str, name: str) -> str:
        """A key of the bot's consents (its name is checked: no braces)."""
        return f"{self._prefix}:{{%consents:{bot}}}:{name}"

    def _conversation(self, bot: str, conversation: str) -> list[str]:
        """The conversation's log and latest entries."""
        return [self._key(bot, f"log:{conversation}"), self._key(bot, f"now:{conversation}")]

    def _purpose(self, bot: str, purpose: str) -> list[str]:
        """The purpose's holders and their holdings."""
        return [self._key(bot, f"holders:{purpose}"), self._key(bot, f"holding:{purpose}")]

    async def _read(self, bot: str, conversation: str) -> dict[str, str]:
        """Purpose -> the conversation's latest entry's JSON."""
        now = self._conversation(bot, conversation)[1]
        return cast(dict[str, str], await self._redis.hgetall(now))

    @guarded
    async def record(self, entry: Consent) -> Consent:
        e = rules.check_entry(entry)
        keys = self._conversation(e.bot, e.conversation) + self._purpose(e.bot, e.purpose)
        args = [e.conversation, e.purpose, rules.dumped(e), _holding(e)]
        await self._record(keys=keys, args=args)
        return e

    @guarded
    async def current(self, bot: str, conversation: str) -> dict[str, Consent]:
        kept = await self._read(*rules.check_key(bot, conversation))
        return {purpose: rules.load(data) for purpose, data in kept.items()}

    @guarded
    async def history(self, bot: str, conversation: str, limit: int = 200) -> list[Consent]:
        bot, conversation, limit = rules.check_history(bot, conversation, limit)
        log = self._conversation(bot, conversation)[0]
        kept = cast(list[str], await self._redis.lrange(log, 0, limit - 1))
        return [rules.load(data) for data in kept]

    @guarded
    async def holders(
        self, bot: str, purpose: str, after: str = "", limit: int = 1000
    ) -> list[Holder]:
        bot, purpose, after, limit = rules.check_holders(bot, purpose, after, limit)
        args: list[str | int] = [f"({after}", limit]
        flat = cast(list[str], await self._holders(keys=self._purpose(bot, purpose), args=args))
        return [_holder(*pair) for pair in zip(flat[::2], flat[1::2], strict=True)]

    @guarded
    async def held(
        self, bot: str, conversations: Sequence[str], purposes: Sequence[str]
    ) -> dict[str, frozenset[str]]:
        bot, names, wanted = rules.check_held(bot, conversations, purposes)
        if not names or not wanted:
            return {}
        holdings = await asyncio.gather(
            *(self._redis.hmget(self._purpose(bot, p)[1], names) for p in wanted)
        )
        return rules.grouped(
            (conversation, purpose)
            for purpose, kept in zip(wanted, holdings, strict=True)
            for conversation, holding in zip(names, kept, strict=True)
            if holding
        )

    @guarded
    async def withdraw_all(
        self,
        bot: str,
        conversation: str,
        text: str,
        channel: str,
        source: str,
        at: float,
        purposes_prefix: str = "",
    ) -> list[Consent]:
        stop = rules.check_stop(bot, conversation, text, channel, source, at, purposes_prefix)
        for _ in range(TRIES):
            read = await self._read(stop.bot, stop.conversation)
            read = {
                purpose: data for purpose, data in read.items() if purpose.startswith(stop.prefix)
            }
            withdrawals = stop.withdrawals({p: rules.load(data) for p, data in read.items()})
            if not withdrawals:
                return []
            keys = self._conversation(stop.bot, stop.conversation)
            args: list[str | int] = [stop.conversation, stop.prefix, len(read)]
            for purpose, data in read.items():
                args += [purpose, data]
            for entry in withdrawals:
                keys += self._purpose(stop.bot, entry.purpose)
                args += [entry.purpose, rules.dumped(entry)]
            if await self._withdraw(keys=keys, args=args):
                return withdrawals
        raise StoreError(
            f"the consents of {stop.conversation[:60]!r} of {stop.bot} changed {TRIES} times "
            "while a STOP was decided; try again"
        )

    @guarded
    async def erase(self, bot: str, conversation: str) -> int:
        bot, conversation = rules.check_key(bot, conversation)
        for _ in range(TRIES):
            purposes = sorted(await self._read(bot, conversation))
            keys = self._conversation(bot, conversation)
            for purpose in purposes:
                keys += self._purpose(bot, purpose)
            erased = int(await self._erase(keys=keys, args=[conversation, *purposes]))
            if erased:
                return erased - 1
        raise StoreError(
            f"the consents of {conversation[:60]!r} of {bot} changed {TRIES} times while they "
            "were erased; try again"
        )

    async def close(self) -> None:
        await self._redis.aclose()
