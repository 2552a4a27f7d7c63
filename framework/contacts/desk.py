"""The contact desk: built-in actions a flow keeps the conversation's contact with
(docs/contacts.md).

- `contact.timezone` (`zone`: an IANA name such as `America/New_York`): the customer's own time
  zone, where a broadcast's quiet hours hold marketing for them. Result `timezone`. A name that
  is no time zone fails the step (its `on_error` block runs) and changes nothing.

- `contact.link_code`: a new link code for this conversation (flows/link_codes.py: six
  characters, MINUTES valid, once; the store keeps its SHA-256 only, and one a
  conversation). Result `code`.
- `contact.link` (`code`): this conversation joined with the one that made the code. Result
  `result`: linked, unknown, same_channel or already (framework/stores/contacts.py).
- `contact.unlink`: this conversation split off its contact. Result `result`: unlinked, or
  alone when it was.

The built-in commands `link` and `unlink` call these (flows/linking.py). Tags are given with
`tag:` steps, not here: they go with the turn (framework/runtime/).
Everything is about the conversation asking: nobody changes another's contact here.
"""

from __future__ import annotations

import hashlib
import secrets

from framework.action_calls import ActionContext, ActionError, ActionOutcome, arg_text
from framework.flows.link_codes import ALPHABET, LENGTH, MINUTES, is_code
from framework.flows.linking import LINK, LINK_ACTIONS, LINK_CODE
from framework.stores.contacts import ContactChange, ContactError, ContactStore
from framework.stores.records import SessionKey

__all__ = ["CONTACT_ACTIONS", "ContactDesk", "code_hash", "new_code"]

TIMEZONE = "contact.timezone"
CONTACT_ACTIONS = frozenset({TIMEZONE, *LINK_ACTIONS})


def new_code() -> str:
    """A link code from the system's randomness (with a digit and a letter: `is_code`)."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if is_code(code):
            return code


def code_hash(code: str) -> str:
    """What the store keeps of a code: its SHA-256 (the code is never stored)."""
    return hashlib.sha256(code.upper().encode()).hexdigest()


class ContactDesk:
    def __init__(self, contacts: ContactStore) -> None:
        self._contacts = contacts

    def names(self) -> frozenset[str]:
        return CONTACT_ACTIONS

    async def close(self) -> None:
        return None  # the store belongs to whoever opened it

    async def run(self, context: ActionContext) -> ActionOutcome:
        key = SessionKey(context.bot, context.channel, context.sender)
        at = context.now.timestamp()
        try:
            if context.action == LINK_CODE:
                code = new_code()
                await self._contacts.offer(
                    key.bot, str(key), code_hash(code), at + MINUTES * 60, at
                )
                return ActionOutcome(slots={"code": code})
            if context.action == LINK:
                return await self._link(key, arg_text(context.args.get("code")), at)
            if context.action != TIMEZONE:
                alone = await self._contacts.unlink(key.bot, str(key), at)
                return ActionOutcome(slots={"result": "alone" if alone is None else "unlinked"})
        except ContactError as error:
            raise ActionError(f"the contact desk refused: {error}") from None
        return await self._timezone(context)

    async def _link(self, key: SessionKey, code: str, at: float) -> ActionOutcome:
        if not is_code(code):
            return ActionOutcome(slots={"result": "unknown"})
        link = await self._contacts.link(key.bot, str(key), code_hash(code), at)
        return ActionOutcome(slots={"result": link.outcome})

    async def _timezone(self, context: ActionContext) -> ActionOutcome:
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
