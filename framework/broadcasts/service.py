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
from framework.stores.consents import MARKETING, ConsentStore, Holder
from framework.stores.contacts import Contact, ContactStore
from framework.stores.memory.reach import MemoryReach
from framework.stores.reach import ReachStore
from framework.stores.records import Inbox
from framework.stores.segments import Segment, holdings
from framework.stores.template_states import TemplateStates
from framework.stores.whatsapp_templates import WhatsAppTemplate

__all__ = ["SAMPLE_LANGUAGES", "Broadcasts", "look_after_broadcasts"]

SAMPLE_LANGUAGES = 3
"""Languages of the bot a preview renders the text in."""


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
        """How many conversations it would reach now, by channel (the holders its language and
        segment admit), how many its segment leaves out, and its text as the bot's languages
        render it (a sample: at most SAMPLE_LANGUAGES)."""
        broadcast = await self.get(broadcast_id)
        segment = Segment.parse(broadcast.segment)
        channels, outside = await self.audience(
            broadcast.bot, broadcast.purpose, segment, broadcast.lang
        )
        return {
            "id": broadcast.id,
            "status": broadcast.status,
            "conversations": sum(channels.values()),
            "channels": dict(sorted(channels.items())),
            "outside_segment": outside,
            "segment": broadcast.segment,
            "texts": self._rendered(broadcast),
            **whatsapp_preview(broadcast, self.bots.get(broadcast.bot)),
        }

    async def audience(
        self, bot: str, purpose: str, segment: Segment, lang: str = ""
    ) -> tuple[Counter[str], int]:
        """The holders of `purpose` (in `lang`, when one is named) the segment admits now, by
        channel, and how many it leaves out (a broadcast's preview, a saved segment's)."""
        channels: Counter[str] = Counter()
        now, outside, after = self._clock(), 0, ""
        while page := await self._consents.holders(bot, purpose, after):
            spoken = [h for h in page if not lang or h.lang == lang]
            contacts = await self._contacts_of(bot, spoken, segment)
            conversations = [holder.conversation for holder in spoken]
            held = await holdings(self._consents, bot, segment, conversations)
            for holder in spoken:
                contact, also = contacts.get(holder.conversation), held[holder.conversation]
                if segment.admits(holder.conversation, contact, holder.lang, now, also):
                    channels[channel_of(holder.conversation)] += 1
                else:
                    outside += 1
            after = page[-1].conversation
        return channels, outside

    async def _contacts_of(
        self, bot: str, holders: list[Holder], segment: Segment
    ) -> dict[str, Contact]:
        if self._contacts is None or not holders or not segment.needs_contacts:
            return {}
        return await self._contacts.many(bot, [holder.conversation for holder in holders])

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
