"""The consent desk: the built-in actions a flow asks for and keeps consent with
(docs/contacts.md).

- `consent.grant` (`purpose`: `marketing` or `notify:<topic>`, `text`: exactly what the
  customer was asked, naming the business): the customer said yes; the ledger keeps the words,
  the channel, the flow and the time. Result `granted: yes` — or, where the bot's
  `consents: {double_opt_in: …}` asks a confirmation for the purpose, `granted: pending`: the
  yes is kept as pending (until `confirm_within` from now) and grants nothing yet; a
  conversation that holds the purpose already stays as it is (`granted: yes`).
- `consent.confirm` (`purpose`, `text`: exactly the confirmation the customer was shown): they
  confirmed the pending yes; the grant keeps both texts and both times. Result `granted: yes`,
  or `granted: no` when nothing waits for a confirmation (never asked, withdrawn by a STOP, or
  too late).
- `consent.withdraw` (`purpose`): the customer takes one back. Result `granted: no`.
- `consent.status` (`purpose`): `granted` yes, no, or pending (asked, not yet confirmed, in
  time).
- `consent.topics` (`prefix`, e.g. `flight:`): the notification topics the conversation holds
  that start with it — `count`, `topics` (one per line, without `notify:` and the prefix).
- `consent.answer` (`purpose`, `text`: the words shown, `answer`: yes or no, `stage`: ask or
  confirm, `flow`): what a `consent:` step asks with (flows/consenting.py). A yes to the question
  grants as `consent.grant` does, one to the confirmation as `consent.confirm`; a no is kept as
  a withdrawal with the words the customer said no to (a decline: nothing is granted, and a
  purpose held is held no longer). Result `consented`: yes, no, or none while a yes waits for
  its confirmation.

Everything is about the conversation asking: nobody grants or reads another's consent here.
"""

from __future__ import annotations

from typing import Any

from framework.action_calls import ActionContext, ActionError, ActionOutcome, arg_text
from framework.consents.service import Consents
from framework.flows.model import ConsentRules
from framework.flows.steps import CONSENT_ACTION
from framework.stores.consents import GRANTED, NOTIFY, PENDING, Consent, ConsentError
from framework.stores.records import SessionKey

__all__ = ["CONSENT_ACTIONS", "ConsentDesk"]

GRANT, CONFIRM, WITHDRAW, STATUS, TOPICS = (
    "consent.grant",
    "consent.confirm",
    "consent.withdraw",
    "consent.status",
    "consent.topics",
)
CONSENT_ACTIONS = frozenset({GRANT, CONFIRM, WITHDRAW, STATUS, TOPICS, CONSENT_ACTION})


class ConsentDesk:
    def __init__(self, consents: Consents, rules: ConsentRules | None = None) -> None:
        self._consents, self._rules = consents, rules or ConsentRules()

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
        if context.action == CONSENT_ACTION:
            return {"consented": await self._answer(key, purpose, context)}
        if context.action in (GRANT, CONFIRM):
            text = arg_text(context.args.get("text"))
            if not text:
                raise ActionError(f"{context.action} needs the text the customer was shown")
            if context.action == CONFIRM:
                done = await self._consents.confirm(key, purpose, text, source, lang, now)
                return {"granted": "no" if done is None else "yes"}
            return {"granted": await self._grant(key, purpose, text, source, lang, now)}
        if context.action == WITHDRAW:
            await self._consents.withdraw(key, purpose, context.message, source, lang, now)
            return {"granted": "no"}
        return {"granted": _status(await self._latest(key, purpose), now)}

    async def _latest(self, key: SessionKey, purpose: str) -> Consent | None:
        return (await self._consents.store.current(key.bot, str(key))).get(purpose)

    async def _grant(
        self, key: SessionKey, purpose: str, text: str, source: str, lang: str, now: float
    ) -> str:
        """yes (granted, or held already), or pending (double opt-in: asked to confirm)."""
        if not self._rules.confirms(purpose):
            await self._consents.grant(key, purpose, text, source, lang, now)
            return "yes"
        if _status(await self._latest(key, purpose), now) == "yes":
            return "yes"
        until = now + self._rules.confirm_within.total_seconds()
        await self._consents.ask(key, purpose, text, source, lang, now, until)
        return "pending"

    async def _answer(self, key: SessionKey, purpose: str, context: ActionContext) -> bool | None:
        """A `consent:` step's answer kept: True granted, False declined (or a confirmation
        that finds nothing waiting for it), None a yes waiting for its confirmation."""
        args, now, lang = context.args, context.now.timestamp(), context.lang
        text, source = arg_text(args.get("text")), f"flow:{arg_text(args.get('flow')) or 'chat'}"
        if not text:
            raise ActionError("a consent step keeps the words it was shown: none were given")
        if arg_text(args.get("answer")) != "yes":
            await self._consents.withdraw(key, purpose, text, source, lang, now)
            return False
        if arg_text(args.get("stage")) == "confirm":
            return await self._consents.confirm(key, purpose, text, source, lang, now) is not None
        granted = await self._grant(key, purpose, text, source, lang, now)
        return True if granted == "yes" else None

    async def _topics(self, key: SessionKey, prefix: str) -> dict[str, Any]:
        current = await self._consents.store.current(key.bot, str(key))
        start = NOTIFY + prefix
        topics = sorted(
            purpose.removeprefix(start)
            for purpose, entry in current.items()
            if purpose.startswith(start) and entry.state == GRANTED
        )
        return {"count": len(topics), "topics": "\n".join(topics)}


def _status(latest: Consent | None, now: float) -> str:
    """yes (a grant), pending (a yes waiting for its confirmation, in time), or no."""
    if latest is None:
        return "no"
    if latest.state == GRANTED:
        return "yes"
    if latest.state == PENDING and latest.until is not None and now <= latest.until:
        return "pending"
    return "no"
