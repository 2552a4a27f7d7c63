"""The contact desk: built-in actions a flow keeps the conversation's contact with
(docs/contacts.md).

- `contact.timezone` (`zone`: an IANA name such as `America/New_York`): the customer's own time
  zone, where a broadcast's quiet hours hold marketing for them. Result `timezone`. A name that
  is no time zone fails the step (its `on_error` block runs) and changes nothing.

Tags are given with `tag:` steps, not here: they go with the turn (framework/runtime/).
Everything is about the conversation asking: nobody changes another's contact here.
"""

from __future__ import annotations

from framework.action_calls import ActionContext, ActionError, ActionOutcome, arg_text
from framework.stores.contacts import ContactChange, ContactError, ContactStore
from framework.stores.records import SessionKey

__all__ = ["CONTACT_ACTIONS", "ContactDesk"]

TIMEZONE = "contact.timezone"
CONTACT_ACTIONS = frozenset({TIMEZONE})


class ContactDesk:
    def __init__(self, contacts: ContactStore) -> None:
        self._contacts = contacts

    def names(self) -> frozenset[str]:
        return CONTACT_ACTIONS

    async def close(self) -> None:
        return None  # the store belongs to whoever opened it

    async def run(self, context: ActionContext) -> ActionOutcome:
        zone = arg_text(context.args.get("zone"))
        if not zone:
            raise ActionError("contact.timezone needs a zone: an IANA name such as Europe/Berlin")
        key = SessionKey(context.bot, context.channel, context.sender)
        try:
            await self._contacts.update(
                key.bot, str(key), ContactChange(timezone=zone), context.now.timestamp()
            )
        except ContactError as error:
            raise ActionError(f"the contact desk refused: {error}") from None
        return ActionOutcome(slots={"timezone": zone})
