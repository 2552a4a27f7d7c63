"""What the broadcasts pages show, read through the broadcasts service the admin API uses
(framework/broadcasts/service.py): a bot's broadcasts with their progress, one broadcast with
its preview (who holds its purpose now, by channel; its text per language) and its results.
Plain data for the templates; nothing here changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from framework.broadcasts.schedule import MOST_AHEAD_DAYS, zone_of
from framework.broadcasts.service import Broadcasts
from framework.flows import Bot
from framework.stores.broadcasts import (
    ACTIONS,
    CANCELLED,
    DONE,
    DRAFT,
    SCHEDULED,
    SENDING,
    Broadcast,
    Results,
)
from framework.stores.consents import NOTIFY

__all__ = ["LISTED", "REFRESH", "Listed", "Shown", "bot_texts", "listed", "one"]

LISTED = 50
"""Broadcasts a bot's page lists (the newest)."""
REFRESH = 5
"""Seconds between two looks of a sending broadcast's page at its progress."""
SETTLING = 600.0
"""Seconds after a broadcast is done in which its page still looks again: the last results
(sent when shown, delivered, read) come in after the last page was handed out."""

WAITING = {
    "quiet_hours": (
        "Waiting: the bot's quiet hours (bot.yaml broadcasts.quiet_hours). It goes on by itself "
        "when they end."
    ),
    "daily_limit": (
        "Waiting: WhatsApp's daily messaging limit is reached (bot.yaml broadcasts.daily_limit, or "
        "the number's lower messaging limit as Meta last said it). It goes on by itself when "
        "the moving 24 hours free room."
    ),
    "template_paused": (
        "Waiting: Meta paused its WhatsApp template for its quality (for 3 hours the first "
        "time, 6 the second). It goes on by itself when Meta reinstates it."
    ),
    "template_disabled": (
        "Waiting: Meta disabled (or rejected, deleted) its WhatsApp template. Nothing more goes "
        "to WhatsApp unless Meta approves it again: cancel it and send a new one with another "
        "template."
    ),
    "rate_limited": (
        "Waiting: the messenger asked the bot to slow down (Telegram's 429, WhatsApp's 130429), "
        "and every message of the bot on that channel waits as long as it said. It goes on by "
        "itself then."
    ),
    "template_quality": (
        "Waiting: Meta rates its WhatsApp template's quality this low (bot.yaml "
        "broadcasts.stop_at_quality). It goes on by itself when the rating is better again."
    ),
    "number_quality": (
        "Waiting: Meta rates the bot's WhatsApp number's quality this low (bot.yaml "
        "broadcasts.stop_at_quality; webhook phone_number_quality_update). Marketing goes on by "
        "itself when the rating is better again; notifications are not held."
    ),
}
FAILURES = {
    "131049": "WhatsApp: Meta's per-user marketing limit",
    "131049_gave_up": (
        "WhatsApp: Meta's per-user marketing limit, the 4th time in a row: no marketing to them "
        "for a year"
    ),
    "131026": "WhatsApp: not on WhatsApp",
    "131050": "WhatsApp: the customer stopped marketing",
    "131047": "WhatsApp: more than 24 hours since the customer wrote",
    "132015": "WhatsApp: Meta paused the template",
    "132016": "WhatsApp: Meta disabled the template",
    "window_closed": "WhatsApp's 24 hours were over and the bot has no template",
    "consent_withdrawn": "the customer withdrew its purpose (STOP) before it went out",
    "elsewhere": "not sent: another chat of the customer (linked meanwhile) got it first",
    "blocked": "Telegram: the customer blocked the bot",
    "unreachable": "the channel could not be reached",
    "refused": "the channel refused it",
}
ACTION_LABELS = {
    "send": "Send now",
    "pause": "Pause",
    "resume": "Resume",
    "cancel": "Cancel broadcast",
}
STATUS_TEXT = {
    DRAFT: "Draft: nothing is sent until you send it, now or at a time.",
    SCHEDULED: (
        "Scheduled: the server's workers start it at its time by themselves; nothing is sent "
        "before. You can send it now, give it another time or cancel it."
    ),
    SENDING: "Sending: the server's workers hand it out page by page, paced per channel.",
    "paused": "Paused: nothing more goes out until you resume it.",
    DONE: "Done: every conversation holding its purpose got it once.",
    CANCELLED: "Cancelled: nothing more goes out.",
}


def local(moment: float, zone: ZoneInfo, form: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time in the bot's zone, to the minute ("": none)."""
    return datetime.fromtimestamp(moment, zone).strftime(form) if moment else ""


def starts(broadcast: Broadcast, zone: ZoneInfo) -> str:
    """When a scheduled broadcast starts, in the bot's zone ("": it is not scheduled)."""
    if broadcast.status != SCHEDULED:
        return ""
    return f"{local(broadcast.starts_at, zone)} {zone.key}"


def purpose_label(purpose: str) -> str:
    if purpose.startswith(NOTIFY):
        return f"Notification: {purpose.removeprefix(NOTIFY)}"
    return "Marketing"


@dataclass(frozen=True, slots=True)
class Listed:
    """A broadcast in a bot's list."""

    broadcast: Broadcast
    sent: int
    zone: ZoneInfo

    @property
    def purpose(self) -> str:
        return purpose_label(self.broadcast.purpose)

    @property
    def starts(self) -> str:
        return starts(self.broadcast, self.zone)

    @property
    def waiting(self) -> str:
        return WAITING.get(self.broadcast.waiting, "")


async def listed(broadcasts: Broadcasts, bot: str) -> list[Listed]:
    """The bot's newest broadcasts with how many were sent."""
    found, zone = await broadcasts.store.of_bot(bot, LISTED), zone_of(broadcasts.bots.get(bot))
    return [Listed(b, (await broadcasts.store.results(b.id)).sent, zone) for b in found]


@dataclass(slots=True)
class Shown:
    """One broadcast: its status and counts, its preview and its results."""

    broadcast: Broadcast
    results: Results
    preview: dict[str, Any]
    now: float
    zone: ZoneInfo
    failed: list[tuple[str, str, int]] = field(default_factory=list)
    """Reason, what it means, conversations."""

    @property
    def purpose(self) -> str:
        return purpose_label(self.broadcast.purpose)

    @property
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.broadcast.status, self.broadcast.status)

    @property
    def waiting(self) -> str:
        return WAITING.get(self.broadcast.waiting, "") if self.broadcast.status == SENDING else ""

    @property
    def live(self) -> bool:
        """Whether the page looks again: while it sends, and a while after it is done."""
        b = self.broadcast
        settling = b.status == DONE and self.now - b.finished_at < SETTLING
        return b.status == SENDING or settling

    @property
    def holders(self) -> int:
        return int(self.preview.get("conversations", 0))

    @property
    def handled(self) -> int:
        """Holders in its segment it handed out to or passed over (language, cap, 131049)."""
        b = self.broadcast
        return b.queued + b.skipped + b.capped + b.held_back + b.elsewhere

    @property
    def total(self) -> int:
        """What the progress counts up to: the handled, or the holders in its segment now
        when they are more (a broadcast that is over: the handled)."""
        over = self.broadcast.status in (DONE, CANCELLED)
        return self.handled if over else max(self.handled, self.holders)

    @property
    def starts(self) -> str:
        return starts(self.broadcast, self.zone)

    @property
    def schedule(self) -> dict[str, str] | None:
        """The Schedule field (None: its status allows no time): its value (a scheduled one's
        time) and the earliest and latest it takes, in the bot's zone as the field reads them."""
        if self.broadcast.status not in (DRAFT, SCHEDULED):
            return None
        field_form, ahead = "%Y-%m-%dT%H:%M", MOST_AHEAD_DAYS * 86400.0
        return {
            "value": local(self.broadcast.starts_at, self.zone, field_form),
            "min": local(self.now, self.zone, field_form),
            "max": local(self.now + ahead, self.zone, field_form),
            "zone": self.zone.key,
        }

    @property
    def actions(self) -> list[tuple[str, str]]:
        status = self.broadcast.status
        return [
            (name, ACTION_LABELS[name]) for name, (froms, _) in ACTIONS.items() if status in froms
        ]


async def one(broadcasts: Broadcasts, broadcast: Broadcast, now: float) -> Shown:
    results = await broadcasts.store.results(broadcast.id)
    preview = await broadcasts.preview(broadcast.id)
    shown = Shown(broadcast, results, preview, now, zone_of(broadcasts.bots.get(broadcast.bot)))
    shown.failed = [
        (reason, FAILURES.get(reason, "another reason"), count)
        for reason, count in sorted(results.failed.items())
    ]
    return shown


def bot_texts(bot: Bot) -> list[tuple[str, list[tuple[str, str]], list[str]]]:
    """The texts a broadcast can send: name, its words per language, the names it needs."""
    return [
        (
            name,
            [(lang, template.source) for lang, template in sorted(text.variants.items())],
            sorted(text.names),
        )
        for name, text in sorted(bot.texts.items())
    ]
