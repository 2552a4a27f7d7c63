"""The broadcast store protocol: marketing (or a topic's news) sent by the business to every
conversation holding the purpose's consent, page by page, paced per channel.

A broadcast is a draft until it is sent, at once or at a time (scheduled: `starts_at`); then
the sending loop (framework/broadcasts/) claims it, hands out the next page of holders after
its `cursor`, and saves the cursor with the counts in one step. Pause, resume and cancel change
the status only: the cursor stays where the last page left it, so a resumed broadcast goes on
from there.

    draft ──send──▶ sending ──(the last page)──▶ done
      │               ▲  │  ▲
   schedule           │ pause  resume
      ▼               │  ▼  │
    scheduled ────────┘ paused      cancel: from draft, scheduled, sending or paused
      (send, or its time: the claim)

A scheduled broadcast is claimed no earlier than its `starts_at`, and then before any sending
one: the claim itself makes it sending (`begun`), so of two workers only the one holding the
lease starts it. Scheduling it again moves its time; `send` sends it at once.

Two workers never send one page twice: `claim` leases one sending broadcast to one worker
(atomically, in every backend), and `change` with the worker's name saves its page only while
it still holds that lease (and gives it back). Time is an argument: no store reads a clock.

Its results (sent, delivered, read, failed by reason, replies, opt-outs, and held by WhatsApp
until a status comes) are counted once per conversation and kind: `count` keeps which
conversations were counted, by a digest the runtime makes
(framework/runtime/broadcast_results.py), so a retried webhook or turn counts nothing twice.
Those marks are personal data (the broadcast id is not secret: a phone number could be guessed
from a digest), so erasing a customer forgets them (`forget_results`); the counts name no one.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from framework.errors import ThekeError
from framework.stores.consents import MARKETING, NOTIFY
from framework.stores.segments import Segment, SegmentError
from framework.stores.whatsapp_templates import WhatsAppTemplate, WhatsAppTemplateError

__all__ = [
    "ACTIONS",
    "CANCELLED",
    "DONE",
    "DRAFT",
    "HELD_KINDS",
    "MAX_LISTED",
    "PAUSED",
    "RELEASED",
    "RESULT_KINDS",
    "SCHEDULED",
    "SENDING",
    "Broadcast",
    "BroadcastError",
    "BroadcastNotFound",
    "BroadcastStore",
    "Results",
    "advanced",
    "begun",
    "check_broadcast",
    "check_id",
    "check_listing",
    "check_result",
    "digest",
    "due",
    "dumped",
    "load",
    "moved",
    "newest_first",
    "scheduled_for",
    "tallied",
]

DRAFT, SENDING, PAUSED, DONE, CANCELLED = "draft", "sending", "paused", "done", "cancelled"
SCHEDULED = "scheduled"

ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "send": (frozenset({DRAFT, SCHEDULED}), SENDING),
    "pause": (frozenset({SENDING}), PAUSED),
    "resume": (frozenset({PAUSED}), SENDING),
    "cancel": (frozenset({DRAFT, SCHEDULED, SENDING, PAUSED}), CANCELLED),
}
"""What an admin can do to a broadcast: the statuses it applies to, and the status after it.
An action on a broadcast already in its target status changes nothing (a retried call)."""

_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_PURPOSE = re.compile(r"[A-Za-z0-9:._-]{1,200}")
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_LANG = re.compile(r"([a-z]{2,3}(-[A-Za-z0-9]{2,8})?)?")
MAX_VALUES, MAX_VALUE = 20, 500
MAX_LISTED = 200
"""Broadcasts one `of_bot` call lists at most."""
_REASON = re.compile(r"[A-Za-z0-9_.-]{1,40}")
_WHO = re.compile(r"[0-9a-f]{8,64}")


class BroadcastError(ThekeError, ValueError):
    """A change the broadcast's status does not allow (pause a draft, send a cancelled one),
    or a broadcast the rules refuse; the message says which."""


class BroadcastNotFound(BroadcastError):
    """No broadcast has that id."""


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: str
    bot: str
    purpose: str
    """`marketing` or `notify:<topic>`: who may hear it (the consent ledger's holders)."""
    text: str
    """The name of one of the bot's texts."""
    values: dict[str, str] = field(default_factory=dict)
    lang: str = ""
    """Only holders who gave their consent in this language ("": everyone)."""
    created_at: float = 0.0
    started_at: float = 0.0
    """When it was first sent (0: a draft, or scheduled and not yet begun)."""
    starts_at: float = 0.0
    """When it starts, as scheduled (0: sent at once, or never scheduled); kept once begun."""
    finished_at: float = 0.0
    status: str = DRAFT
    cursor: str = ""
    """The last conversation handed out (or passed over): the next page starts after it."""
    queued: int = 0
    """Notices handed to conversations' inboxes."""
    skipped: int = 0
    """Holders passed over for their language."""
    capped: int = 0
    """Marketing holders passed over for the bot's frequency cap (framework/broadcasts/)."""
    held_back: int = 0
    """Marketing holders passed over while WhatsApp held marketing to them back (131049)."""
    waiting: str = ""
    """Why it hands out nothing now though sending: `quiet_hours` or `daily_limit` ("": not)."""
    segment: dict[str, Any] = field(default_factory=dict)
    """Which holders it goes to, as JSON (framework/stores/segments.py; {}: every holder)."""
    outside: int = 0
    """Holders passed over because its segment leaves them out."""
    elsewhere: int = 0
    """Holders passed over because another conversation of their contact gets it (a customer
    who linked their channels gets it once: framework/broadcasts/once.py)."""
    stepped_at: float = 0.0
    """When a sending step last handed out a page of it (0: never): the next step, on any
    worker, hands out as much as the time since allows (framework/broadcasts/pacing.py)."""
    whatsapp_template: dict[str, Any] = field(default_factory=dict)
    """The approved WhatsApp template it goes as to WhatsApp holders, as JSON
    (framework/stores/whatsapp_templates.py; {}: the bot's text, as any message)."""

    def to_json(self) -> dict[str, Any]:
        found = asdict(self)
        if not self.whatsapp_template:
            del found["whatsapp_template"]  # kept as before templates: the same JSON
        return found

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Broadcast:
        return cls(**data)


def dumped(broadcast: Broadcast) -> str:
    return json.dumps(broadcast.to_json(), ensure_ascii=False, sort_keys=True)


def load(data: str) -> Broadcast:
    return Broadcast.from_json(json.loads(data))


def check_listing(bot: str, limit: int) -> tuple[str, int]:
    """An `of_bot` call's bot and limit, or BroadcastError."""
    if not isinstance(bot, str) or not _NAME.fullmatch(bot):
        raise BroadcastError("bot: 1 to 64 letters, digits, _ or -")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LISTED:
        raise BroadcastError(f"limit: 1 to {MAX_LISTED} broadcasts")
    return bot, limit


def newest_first(found: Iterable[Broadcast], limit: int) -> list[Broadcast]:
    """Broadcasts as `of_bot` lists them (the backends that cannot sort in the store)."""
    return sorted(found, key=lambda b: (-b.created_at, b.id))[:limit]


def check_id(broadcast_id: str) -> str:
    if not isinstance(broadcast_id, str) or not _ID.fullmatch(broadcast_id):
        raise BroadcastNotFound(f"no broadcast {str(broadcast_id)[:64]!r}")
    return broadcast_id


def check_broadcast(broadcast: Broadcast) -> Broadcast:
    """A broadcast as a store keeps it, or BroadcastError naming what is wrong."""
    check_id(broadcast.id)
    purpose_ok = broadcast.purpose == MARKETING or (
        broadcast.purpose.startswith(NOTIFY) and _PURPOSE.fullmatch(broadcast.purpose)
    )
    if not purpose_ok:
        raise BroadcastError("purpose: marketing or notify:<topic>")
    if not (_NAME.fullmatch(broadcast.bot) and _NAME.fullmatch(broadcast.text)):
        raise BroadcastError("bot and text: 1 to 64 letters, digits, _ or -")
    if not _LANG.fullmatch(broadcast.lang):
        raise BroadcastError("lang: a language code (de, en, pt-BR) or nothing")
    values = broadcast.values
    if len(values) > MAX_VALUES or any(
        not isinstance(v, str) or len(k) > 64 or len(v) > MAX_VALUE for k, v in values.items()
    ):
        raise BroadcastError(f"values: at most {MAX_VALUES}, each at most {MAX_VALUE} characters")
    try:
        Segment.parse(broadcast.segment)
    except SegmentError as error:
        raise BroadcastError(f"segment: {error}") from None
    if broadcast.whatsapp_template:
        try:
            template = WhatsAppTemplate.parse(broadcast.whatsapp_template)
            template.check_fits(broadcast.purpose, broadcast.values)
        except WhatsAppTemplateError as error:
            raise BroadcastError(str(error)) from None
    if broadcast.status not in (DRAFT, SCHEDULED, SENDING, PAUSED, DONE, CANCELLED):
        raise BroadcastError(f"status: not {broadcast.status!r}")
    if broadcast.status == SCHEDULED and broadcast.starts_at <= 0:
        raise BroadcastError("a scheduled broadcast needs the time it starts")
    return broadcast


def moved(action: str, at: float) -> Callable[[Broadcast], Broadcast]:
    """The change an admin's action makes (BroadcastError when the status does not allow it)."""
    if action not in ACTIONS:
        raise BroadcastError(f"action: one of {', '.join(ACTIONS)}")
    froms, to = ACTIONS[action]

    def change(broadcast: Broadcast) -> Broadcast:
        if broadcast.status == to:
            return broadcast
        if broadcast.status not in froms:
            raise BroadcastError(f"a {broadcast.status} broadcast cannot {action}")
        started = broadcast.started_at or (at if to == SENDING else 0.0)
        now_instead = action == "send" and broadcast.status == SCHEDULED
        starts = 0.0 if now_instead else broadcast.starts_at
        return replace(broadcast, status=to, started_at=started, starts_at=starts)

    return change


def scheduled_for(starts_at: float) -> Callable[[Broadcast], Broadcast]:
    """The change scheduling makes: a draft, or a scheduled broadcast (another time), starts
    at `starts_at` (the service checked it: framework/broadcasts/schedule.py)."""

    def change(broadcast: Broadcast) -> Broadcast:
        if broadcast.status not in (DRAFT, SCHEDULED):
            raise BroadcastError(f"a {broadcast.status} broadcast cannot be scheduled")
        return replace(broadcast, status=SCHEDULED, starts_at=starts_at)

    return change


def due(broadcast: Broadcast, now: float) -> bool:
    """Whether it is scheduled and its time has come."""
    return broadcast.status == SCHEDULED and broadcast.starts_at <= now


def begun(now: float) -> Callable[[Broadcast], Broadcast]:
    """The change a claim makes: a scheduled broadcast whose time has come is sending from
    `now` (anything else stays as it is)."""

    def change(broadcast: Broadcast) -> Broadcast:
        return (
            replace(broadcast, status=SENDING, started_at=now) if due(broadcast, now) else broadcast
        )

    return change


def advanced(
    cursor: str,
    queued: int,
    skipped: int,
    done: bool,
    at: float,
    *,
    capped: int = 0,
    held_back: int = 0,
    waiting: str = "",
    outside: int = 0,
    elsewhere: int = 0,
) -> Callable[[Broadcast], Broadcast]:
    """The change a sending step makes: its page handed out (a pause or a cancel that came
    meanwhile stays; `done` ends only a broadcast still sending)."""

    def change(broadcast: Broadcast) -> Broadcast:
        finished = done and broadcast.status == SENDING
        return replace(
            broadcast,
            cursor=cursor,
            queued=broadcast.queued + queued,
            skipped=broadcast.skipped + skipped,
            capped=broadcast.capped + capped,
            held_back=broadcast.held_back + held_back,
            outside=broadcast.outside + outside,
            elsewhere=broadcast.elsewhere + elsewhere,
            waiting=waiting,
            status=DONE if finished else broadcast.status,
            finished_at=at if finished else broadcast.finished_at,
            stepped_at=at,
        )

    return change


@dataclass(frozen=True, slots=True)
class Results:
    """What became of a broadcast's notices, each conversation counted once per kind."""

    sent: int = 0
    """Messages that left Theke for the channel (web and REST: shown in the conversation)."""
    delivered: int = 0
    read: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    """Reason (the channel's error code, `window_closed`, `blocked`, …) → conversations."""
    replies: int = 0
    """Conversations whose customer wrote within 72 hours after it reached them."""
    opt_outs: int = 0
    """Conversations that withdrew its purpose within 72 hours after it reached them."""
    held_for_quality_assessment: int = 0
    """Messages WhatsApp took but holds for its template pacing, with no status since: each
    moves to `sent` (and on) or `failed` when its status comes."""
    paused: int = 0
    """Messages WhatsApp answered `paused` (their template paused), with no status since."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


HELD_KINDS = ("held_for_quality_assessment", "paused")
"""Results a message stays in only until its status comes (WhatsApp's `message_status`)."""
RELEASED = "released"
"""The mark of a message that left one of HELD_KINDS (its reason): `Results` counts it there no
more. Counted once, as every kind, so a status delivered twice moves it once."""
RESULT_KINDS = ("sent", "delivered", "read", "failed", "replies", "opt_outs", *HELD_KINDS, RELEASED)
"""The kinds of results (those `Results` names, and RELEASED); at most ten (Redis marks each
with a digit)."""
_WITH_REASON = {"failed": None, RELEASED: HELD_KINDS}


def check_result(kind: str, reason: str, who: str) -> str:
    """The counter a result adds to: its kind, `failed:<reason>` or `released:<held kind>`
    (BroadcastError for a kind, reason or digest of another shape)."""
    if kind not in RESULT_KINDS or (kind in _WITH_REASON) != bool(reason):
        raise BroadcastError(
            f"a result is one of {', '.join(RESULT_KINDS)}, a failure with a reason"
        )
    if not _WHO.fullmatch(who) or (reason and not _REASON.fullmatch(reason)):
        raise BroadcastError("a failure's reason: 1 to 40 letters, digits, _ . or -")
    if kind == RELEASED and reason not in HELD_KINDS:
        raise BroadcastError(f"a release names what it left: {', '.join(HELD_KINDS)}")
    return f"{kind}:{reason}" if reason else kind


def digest(broadcast_id: str, conversation: str) -> str:
    """How `count` knows a conversation in a broadcast's results: its session key hashed with
    the broadcast's id as the key (one conversation's marks differ from broadcast to broadcast)."""
    return hashlib.blake2b(
        conversation.encode("utf-8", "surrogatepass"),
        key=broadcast_id.encode()[:64],
        digest_size=16,
    ).hexdigest()


def tallied(counters: Mapping[str, int]) -> Results:
    """Results from the counters `check_result` names (a backend's rows or hash)."""
    failed = {
        name.removeprefix("failed:"): int(n)
        for name, n in sorted(counters.items())
        if name.startswith("failed:")
    }
    counts = {kind: int(counters.get(kind, 0)) for kind in RESULT_KINDS[:6] if kind != "failed"}
    held = {
        kind: max(0, int(counters.get(kind, 0)) - int(counters.get(f"{RELEASED}:{kind}", 0)))
        for kind in HELD_KINDS
    }
    return Results(failed=failed, **counts, **held)


class BroadcastStore(Protocol):
    async def create(self, broadcast: Broadcast) -> Broadcast:
        """Keep a new broadcast (checked: BroadcastError; an id already kept too)."""
        ...

    async def get(self, broadcast_id: str) -> Broadcast | None: ...

    async def of_bot(self, bot: str, limit: int = MAX_LISTED) -> list[Broadcast]:
        """The bot's broadcasts, newest first (by `created_at`, then id), at most `limit`
        (1 to MAX_LISTED: BroadcastError otherwise)."""
        ...

    async def change(
        self, broadcast_id: str, how: Callable[[Broadcast], Broadcast], owner: str = ""
    ) -> Broadcast | None:
        """`how` applied to the broadcast as kept, atomically (it may be applied again to a
        newer one: it is pure, and may raise BroadcastError to refuse); the result.
        BroadcastNotFound for an unknown id. With `owner`: only while `owner` holds the
        broadcast's lease, which is then given back; None (nothing written) otherwise."""
        ...

    async def claim(self, owner: str, now: float, lease: float) -> Broadcast | None:
        """A sending broadcast nobody holds (or whose lease ran out), leased to `owner` until
        `now + lease`; None when there is none. A scheduled one whose `starts_at` is at or
        before `now` comes first, made sending by the claim (`begun`); one whose time has not
        come is never claimed."""
        ...

    async def count(self, broadcast_id: str, who: str, kind: str, reason: str = "") -> bool:
        """One result of a conversation (`who`: a hex digest naming it, never its key) counted
        once: True when counted now; False when this conversation's `kind` was counted before
        (a failure under any reason) or no broadcast has that id. `reason`: a failure's only."""
        ...

    async def results(self, broadcast_id: str) -> Results:
        """Its results so far (all zero for an unknown id)."""
        ...

    async def forget_results(self, bot: str, conversation: str) -> int:
        """The marks of what was counted for the conversation (a session key) in every
        broadcast of `bot` deleted, one broadcast at a time; how many. The counts stay: a count
        names no one. A status or turn of the conversation coming afterwards could count it
        again, but none does: its session, with the deliveries and reached broadcasts that tie
        a message to a broadcast, and its inbox are erased with it (framework/privacy/)."""
        ...

    async def close(self) -> None: ...
