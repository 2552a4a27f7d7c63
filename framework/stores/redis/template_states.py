"""What Meta said of each WhatsApp template, in the session store's Redis under the same key
prefix: one hash per template name, `<prefix>:{%template:<name>}` (its own hash tag: legal on
a cluster), language code -> its state's JSON.

`note` reads the state, folds the news in in Python (`noted`, as every backend) and writes
it with SWAP, which writes only while the state is still as read; two webhooks at once: the
second reads the first's and folds again. Redis failures become StoreError, as in the other
Redis stores.
"""

from __future__ import annotations

import json
from typing import cast

from framework.stores.redis.connection import Client, address_of, bounded_client, guarded
from framework.stores.session_store import StoreError
from framework.stores.template_states import TemplateNews, TemplateState, check_name, noted

__all__ = ["TRIES", "RedisTemplateStates"]

TRIES = 50
"""Times news is folded in again because the template's state changed meanwhile."""

# KEYS the hash; ARGV language, the state as read ('' none), the new state. 1: written.
SWAP = """
local kept = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if kept ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
"""


class RedisTemplateStates:
    def __init__(self, client: Client, prefix: str = "theke") -> None:
        if "{" in prefix or "}" in prefix:
            raise ValueError("a Redis key prefix cannot contain { or }")
        self._redis, self._prefix = client, prefix
        self.address = address_of(client)
        self._swap = client.register_script(SWAP)

    @classmethod
    def from_url(
        cls, url: str, prefix: str = "theke", *, max_connections: int = 10
    ) -> RedisTemplateStates:
        return cls(bounded_client(url, max_connections, timeout=5.0), prefix)

    def _key(self, name: str) -> str:
        return f"{self._prefix}:{{%template:{name}}}"

    @guarded
    async def note(self, news: TemplateNews) -> TemplateState:
        news = news.checked()
        key = self._key(news.name)
        for _ in range(TRIES):
            kept = await self._redis.hget(key, news.language) or ""
            state = noted(TemplateState.from_json(json.loads(kept)) if kept else None, news)
            args = [news.language, kept, json.dumps(state.to_json())]
            if int(await self._swap(keys=[key], args=args)):
                return state
        raise StoreError(f"the template {news.name!r} changed {TRIES} times meanwhile; try again")

    @guarded
    async def of_template(self, name: str) -> dict[str, TemplateState]:
        kept = cast(dict[str, str], await self._redis.hgetall(self._key(check_name(name))))
        return {
            language: TemplateState.from_json(json.loads(state))
            for language, state in sorted(kept.items())
        }

    async def close(self) -> None:
        await self._redis.aclose()
