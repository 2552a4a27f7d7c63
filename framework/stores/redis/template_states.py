"""What Meta said of each WhatsApp template and business number, in the session store's Redis
under the same key prefix: one hash per template name, `<prefix>:{%template:<name>}` (its own
hash tag: legal on a cluster), language code -> its state's JSON; one per phone number id,
`<prefix>:{%number:<id>}`, its state's JSON under `state`.

`note` and `note_number` read the state, fold the news in in Python (`noted`,
`noted_number`, as every backend) and write it with SWAP, which writes only while the state
is still as read; two webhooks at once: the second reads the first's and folds again.
Redis failures become StoreError, as in the other Redis stores.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar, cast

from framework.stores.number_states import NumberNews, NumberState, check_number, noted_number
from framework.stores.redis.connection import Client, address_of, bounded_client, guarded
from framework.stores.session_store import StoreError
from framework.stores.template_states import TemplateNews, TemplateState, check_name, noted

__all__ = ["TRIES", "RedisTemplateStates"]

_State = TypeVar("_State", TemplateState, NumberState)

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

        def fold(kept: str) -> TemplateState:
            return noted(TemplateState.from_json(json.loads(kept)) if kept else None, news)

        return await self._folded(self._key(news.name), news.language, fold)

    @guarded
    async def note_number(self, news: NumberNews) -> NumberState:
        news = news.checked()

        def fold(kept: str) -> NumberState:
            return noted_number(NumberState.from_json(json.loads(kept)) if kept else None, news)

        return await self._folded(self._number_key(news.number), "state", fold)

    async def _folded(self, key: str, field: str, fold: Callable[[str], _State]) -> _State:
        """The state at `field` of the hash after `fold`, written only while it is as read."""
        for _ in range(TRIES):
            kept = cast(str, await self._redis.hget(key, field) or "")
            state = fold(kept)
            if int(await self._swap(keys=[key], args=[field, kept, json.dumps(state.to_json())])):
                return state
        raise StoreError(f"{key} changed {TRIES} times meanwhile; try again")

    @guarded
    async def of_number(self, number: str) -> NumberState | None:
        kept = cast(
            str | None, await self._redis.hget(self._number_key(check_number(number)), "state")
        )
        return NumberState.from_json(json.loads(kept)) if kept else None

    def _number_key(self, number: str) -> str:
        return f"{self._prefix}:{{%number:{number}}}"

    @guarded
    async def of_template(self, name: str) -> dict[str, TemplateState]:
        kept = cast(dict[str, str], await self._redis.hgetall(self._key(check_name(name))))
        return {
            language: TemplateState.from_json(json.loads(state))
            for language, state in sorted(kept.items())
        }

    async def close(self) -> None:
        await self._redis.aclose()
