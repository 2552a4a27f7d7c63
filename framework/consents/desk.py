"""The consent desk: the built-in actions a flow asks for and keeps consent with
(docs/contacts.md).

- `consent.grant` (`purpose`: `marketing` or `notify:<topic>`, `text`: exactly what the
  customer was asked, naming the business): the customer said yes; the ledger keeps the words,
  the channel, the flow and the time. Result `granted: yes`.
- `consent.withdraw` (`purpose`): the customer takes one back. Result `granted: no`.
- `consent.status` (`purpose`): `granted` yes or no.
- `consent.topics` (`prefix`, e.g. `flight:`): the notification topics the conversation holds
  that start with it — `count`, `topics` (one per line, without `notify:` and the prefix).

Everything is about the conversation asking: nobody grants or reads another's consent here.
"""

from __future__ import annotations

from typing import Any

from framework.action_calls import ActionContext, ActionError, ActionOutcome, arg_text
from framework.consents.service import Consents
from framework.stores.consents import GRANTED, NOTIFY, ConsentError
from framework.stores.records import SessionKey

__all__ = ["CONSENT_ACTIONS", "ConsentDesk"]

GRANT, WITHDRAW, STATUS, TOPICS = (
    "consent.grant",
    "consent.withdraw",
    "consent.status",
    "consent.topics",
)
CONSENT_ACTIONS = frozenset({GRANT, WITHDRAW, STATUS, TOPICS})


class ConsentDesk:
    def __init__(self, consents: Consents) -> None:
        self._consents = consents

    def names(self) -> frozenset[str]:
        return CONSENT_ACTIONS

    async def close(self) -> None:
        return None  # the store belongs to whoever opened it

    async def run(self, context: ActionContext) -> ActionOutcome:
        try:
            return ActionOutcome(slots=await self._act(context))
        except ConsentError as error:
            raise ActionError(f"the consent desk refused: {error}") from None

    async def _act(self, context: ActionContext) -> dict[str, Any]:
        key = SessionKey(context.bot, context.channel, context.sender)
        if context.action == TOPICS:
            return await self._topics(key, arg_text(context.args.get("prefix")))
        purpose = arg_text(context.args.get("purpose"))
        if not purpose:
            raise ActionError(f"{context.action} needs a purpose: marketing or notify:<topic>")
        now, lang = context.now.timestamp(), context.lang
        source = f"flow:{arg_text(context.args.get('flow')) or 'chat'}"
        if context.action == GRANT:
            text = arg_text(context.args.get("text"))
            if not text:
                raise ActionError("consent.grant needs the text the customer was shown")
            await self._consents.grant(key, purpose, text, source, lang, now)
            return {"granted": "yes"}
        if context.action == WITHDRAW:
            await self._consents.withdraw(key, purpose, context.message, source, lang, now)
            return {"granted": "no"}
        current = await self._consents.store.current(key.bot, str(key))
        held = purpose in current and current[purpose].state == GRANTED
        return {"granted": "yes" if held else "no"}

    async def _topics(self, key: SessionKey, prefix: str) -> dict[str, Any]:
        current = await self._consents.store.current(key.bot, str(key))
        start = NOTIFY + prefix
        topics = sorted(
            purpose.removeprefix(start)
            for purpose, entry in current.items()
            if purpose.startswith(start) and entry.state == GRANTED
        )
        return {"count": len(topics), "topics": "\n".join(topics)}
