"""The broadcasts of a deployment: made as drafts, previewed, sent (at once or at a time:
schedule.py), paused, resumed, cancelled; and the step of the sending loop every worker runs
(`look_after_broadcasts`).

A broadcast goes only to the conversations holding its purpose's consent (the ledger's
`holders`, read page by page as it goes) that its segment admits (framework/stores/segments.py:
a segment only narrows): nobody is written to without consent, and a customer who says STOP
while it is under way hears nothing more of it.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from framework.broadcasts.pacing import RATES, Senders
from framework.broadcasts.schedule import start_time, zone_of
from framework.broadcasts.sending import Sender, channel_of
from framework.broadcasts.whatsapp_template import check_marketing_reach, whatsapp_preview
from framework.flows import Bot
from framework.flows.templates import Layers, TemplateError
from framework.stores.broadcasts import (
    Broadcast,
    BroadcastNotFound,
    BroadcastStore,
    moved,
    scheduled_for,
)
from framework.stores.consents import MARKETING, ConsentStore
from framework.stores.contacts import Contact, ContactStore
from framework.stores.memory.reach import MemoryReach
from framework.stores.reach import ReachStore
from framework.stores.records import Inbox
from framework.stores.segments import Segment, holdings
from framework.stores.template_states import TemplateStates
from framework.stores.whatsapp_templates import WhatsAppTemplate

__all__ = ["SAMPLE_LANGUAGES", "Audience", "Broadcasts", "look_after_broadcasts"]

SAMPLE_LANGUAGES = 3
"""Languages of the bot a preview renders the text in."""


@dataclass(slots=True)
class Audience:
    """Whom a notice would reach now: the people by the channel it goes to them on (one
    conversation of each contact), the conversations of their contacts it passes over
    (`elsewhere`: another conversation of theirs gets it), the holders the segment leaves out."""

    channels: Counter[str] = field(default_factory=Counter)
    elsewhere: int = 0
    outside: int = 0

    def counts(self) -> dict[str, Any]:
        """As the previews give it: `people`, `channels` (people by channel), `conversations`
        (the holders in the segment: the people and `elsewhere`), `outside_segment`."""
        people = sum(self.channels.values())
        return {
            "people": people,
            "channels": dict(sorted(self.channels.items())),
            "conversations": people + self.elsewhere,
            "elsewhere": self.elsewhere,
            "outside_segment": self.outside,
        }


async def _nowhere(conversation: str, item: Any) -> None:
    raise RuntimeError("sending broadcasts needs the conversations' inboxes")


class Broadcasts:
    def __init__(
        self,
        store: BroadcastStore,
        consents: ConsentStore,
        bots: Mapping[str, Bot],
        inbox: Inbox | None = None,
        clock: Callable[[], float] = time.time,
        rates: Mapping[str, int] | None = RATES,
        fault: Callable[[str], None] | None = None,
        reach: ReachStore | None = None,
        contacts: ContactStore | None = None,
        templates: TemplateStates | None = None,
        senders: Mapping[str, Senders] | None = None,
        on_whatsapp: frozenset[str] = frozenset(),
    ) -> None:
        """`reach`: whom the broadcasts reached (the deployment's store, shared by every
        worker and the runtime's delivery; its own memory for one process without one).
        `contacts`: the holders' tags, orders and time zones (none: a segment that needs them
        admits only holders without a contact, and quiet hours are the business's).
        `templates`: what Meta said of the WhatsApp templates (none: nothing keeps a
        broadcast's template from being sent). `senders`: the push channels by name, whose
        senders the messengers may hold (none: nothing holds a broadcast for a 429).
        `on_whatsapp`: the bots a WhatsApp number serves (Workspace.whatsapp_bots), whose
        marketing broadcasts need a marketing template of their own."""
        self.store, self._consents, self.bots, self._clock = store, consents, bots, clock
        self._contacts, self._on_whatsapp = contacts, on_whatsapp
        owner = uuid.uuid4().hex
        self.sender = Sender(
            store,
            consents,
            reach or MemoryReach(),
            inbox or _nowhere,
            bots,
            owner,
            clock,
            rates,
            fault,
            contacts,
            templates,
            senders,
        )

    async def create(
        self,
        bot: str,
        text: str,
        values: Mapping[str, str],
        purpose: str = MARKETING,
        lang: str = "",
        segment: Segment | None = None,
        whatsapp_template: WhatsAppTemplate | None = None,
    ) -> Broadcast:
        """A draft (the caller checked the text and values: outreach's `checked_notice`, and
        the template: whatsapp_template.py `checked_template`); BadRequest for marketing that
        may reach WhatsApp without a marketing template (`check_marketing_reach`)."""
        on_whatsapp = bot in self._on_whatsapp
        check_marketing_reach(on_whatsapp, purpose, segment or Segment(), whatsapp_template)
        made = Broadcast(
            f"b{uuid.uuid4().hex[:16]}",
            bot,
            purpose,
            text,
            dict(values),
            lang,
            self._clock(),
            segment=(segment or Segment()).to_json(),
            whatsapp_template=whatsapp_template.to_json() if whatsapp_template else {},
        )
        return await self.store.create(made)

    async def get(self, broadcast_id: str) -> Broadcast:
        found = await self.store.get(broadcast_id)
        if found is None:
            raise BroadcastNotFound(f"no broadcast {broadcast_id!r}")
        return found

    async def act(self, broadcast_id: str, action: str) -> Broadcast:
        """send, pause, resume or cancel (BroadcastError when its status does not allow it)."""
        return await self._changed(broadcast_id, moved(action, self._clock()))

    async def schedule(self, broadcast_id: str, at: object) -> Broadcast:
        """A draft (or a scheduled broadcast, moved) to start at `at`: ISO 8601, in the bot's
        time zone when it names no offset (BadRequest for a time it cannot start at, see
        schedule.py; BroadcastError when its status does not allow it)."""
        zone = zone_of(self.bots.get((await self.get(broadcast_id)).bot))
        starts = start_time(at, zone, self._clock())
        return await self._changed(broadcast_id, scheduled_for(starts))

    async def _changed(self, broadcast_id: str, how: Callable[[Broadcast], Broadcast]) -> Broadcast:
        changed = await self.store.change(broadcast_id, how)
        assert changed is not None  # an admin's change holds no lease: it is always written
        return changed

    async def preview(self, broadcast_id: str) -> dict[str, Any]:
        """How many people it would reach now — one conversation of each contact, by that
        conversation's channel, as the send chooses it (once.py) — and how many conversations
        hold its purpose (the holders its language and segment admit), how many its segment
        leaves out, and its text as the bot's languages render it (a sample: at most
        SAMPLE_LANGUAGES)."""
        broadcast = await self.get(broadcast_id)
        segment = Segment.parse(broadcast.segment)
        found = await self.audience(broadcast.bot, broadcast.purpose, segment, broadcast.lang)
        return {
            "id": broadcast.id,
            "status": broadcast.status,
            **found.counts(),
            "segment": broadcast.segment,
            "texts": self._rendered(broadcast),
            **whatsapp_preview(broadcast, self.bots.get(broadcast.bot)),
        }

    async def audience(self, bot: str, purpose: str, segment: Segment, lang: str = "") -> Audience:
        """Whom a notice to the holders of `purpose` (in `lang`, when one is named) that the
        segment admits would reach now (a broadcast's preview, a saved segment's)."""
        found = Audience()
        now, after = self._clock(), ""
        while page := await self._consents.holders(bot, purpose, after):
            conversations = [holder.conversation for holder in page]
            contacts = await self._contacts_of(bot, conversations)
            held = await holdings(self._consents, bot, segment, conversations)
            choices = await self.sender.once.choices(
                bot, purpose, conversations, contacts, segment.channels
            )
            for holder in page:
                if lang and holder.lang != lang:
                    continue
                contact, also = contacts.get(holder.conversation), held[holder.conversation]
                if not segment.admits(holder.conversation, contact, holder.lang, now, also):
                    found.outside += 1
                elif contact is not None and choices.get(contact.id, holder.conversation) != (
                    holder.conversation
                ):
                    found.elsewhere += 1
                else:
                    found.channels[channel_of(holder.conversation)] += 1
            after = page[-1].conversation
        return found

    async def _contacts_of(self, bot: str, conversations: list[str]) -> dict[str, Contact]:
        if self._contacts is None or not conversations:
            return {}
        return await self._contacts.many(bot, conversations)

    def _rendered(self, broadcast: Broadcast) -> dict[str, str]:
        bot = self.bots.get(broadcast.bot)
        if bot is None or broadcast.text not in bot.texts:
            return {}
        text, business = bot.texts[broadcast.text], bot.business
        languages = [broadcast.lang] if broadcast.lang else list(business.languages)
        rendered = {}
        for lang in languages[:SAMPLE_LANGUAGES] or [business.language]:
            locale = business.locale if lang == business.language else lang
            names = Layers(broadcast.values, {"lang": lang, "locale": locale})
            try:
                rendered[lang] = text.template(lang, business.language).render(names)
            except TemplateError as error:
                rendered[lang] = f"(not rendered here: {error})"
        return rendered


async def look_after_broadcasts(broadcasts: Broadcasts) -> None:
    """The sending loop's step (app.py runs it every `sending.EVERY` seconds on every worker)."""
    await broadcasts.sender.step()
