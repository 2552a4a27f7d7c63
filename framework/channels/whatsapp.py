"""The WhatsApp Cloud API channel: Meta's webhook in, the Graph API out.

In: `GET /webhooks/whatsapp` answers Meta's verification handshake; `POST` is verified
(X-Hub-Signature-256 over the raw bytes with the app secret), parsed item by item
(whatsapp_in.py), queued into the conversations' inboxes and answered 200 at once; the turns
run after the answer. Delivery reports go to the conversation that sent the message (it is
named in `biz_opaque_callback_data`). Out: the runtime's delivery hands each bot message to
`send`, which renders it for WhatsApp (whatsapp_out.py: buttons, lists, CTA links, degraded
when they do not fit), paces it (per number and per recipient) and posts it. Outside the
24-hour window only the number's approved template is sent; a broadcast's message that names
its own approved template is sent as it, in the window or outside it, and Meta's news of the
templates (status, quality) and of the numbers (quality, messaging limit) is kept for the
broadcasts (whatsapp_templates.py, whatsapp_numbers.py). A turn that
takes longer than a second shows the customer "read" and a typing indicator.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import aiohttp
from aiohttp import web

from framework.channels import whatsapp_in as wire_in
from framework.channels import whatsapp_out as wire_out
from framework.channels.api import ApiSession, json_body
from framework.channels.common import parse_json
from framework.channels.inbox import MessengerInbox, messenger_inbox
from framework.channels.messages import ConsentSignal, DeliveryStatus, Incoming
from framework.errors import ChannelError, Unauthorized
from framework.runtime.consent_signals import STOPPED, signal_item
from framework.runtime.sending import SendFailure, Sent
from framework.secrets import Secret
from framework.stores.broadcasts import HELD_KINDS
from framework.stores.consents import MARKETING
from framework.stores.number_states import NumberNews, NumberState
from framework.stores.records import (
    STATUS,
    InboxItem,
    LogEntry,
    SessionKey,
    iso_time,
    shows_something,
    without_lone_surrogates,
)
from framework.stores.send_slots import SendSlots
from framework.stores.template_states import (
    PAUSED,
    REFUSALS,
    TemplateNews,
    TemplateState,
    TemplateStates,
)

__all__ = ["PAIR_RATE", "NumberSettings", "WhatsAppChannel", "WhatsAppSettings"]

log = logging.getLogger("theke.whatsapp")

PAUSED_ANSWER = "paused"
"""A template send's `message_status` when Meta holds it for the template's pause."""

TYPING_AFTER = 1.0
"""A turn slower than this shows the customer 'read' and a typing indicator."""
PAIR_RATE = (45, 6.0)
"""Each customer's allowance from one number: up to 45 messages at once, one more every 6 s
after (Meta's pair rate, about one message every 6 s to one user with bursts tolerated;
refused with 131056). Kept by every worker in the shared schedule (pacing.py)."""


@dataclass(frozen=True)
class NumberSettings:
    bot: str
    template: tuple[str, str] | None = None
    """(name, language) of an approved template with one body parameter, sent outside the
    24-hour window with the bot's message as that parameter."""
    groups: bool = False
    """Answer in the WhatsApp groups the number belongs to (each group one conversation);
    otherwise their messages are counted and not answered."""
    display: str = ""
    """The number's digits as Meta displays it (`15550783881`): Meta's news of the number's
    quality and limit names it so ("": that news of it is counted as a problem)."""


@dataclass(frozen=True)
class WhatsAppSettings:
    app_secret: Secret
    verify_token: Secret
    token: Secret
    numbers: Mapping[str, NumberSettings]
    """phone_number_id → the bot it serves."""
    api_base: str = "https://graph.facebook.com"
    per_second: float = 80.0
    recipient_interval: float = 0.25
    timeout: float = 10.0
    slots: SendSlots | None = None
    """The deployment's sending schedules (None: this process's own)."""
    templates: TemplateStates | None = None
    """What Meta said of the approved templates: its webhooks and refused sends note it, the
    broadcasts wait for it (None: nothing kept, template news is counted as a problem)."""


@dataclass
class WhatsAppChannel:
    settings: WhatsAppSettings
    clock: Callable[[], float]
    name: str = "whatsapp"
    window: float | None = 24 * 3600.0
    reports: bool = True
    api: ApiSession = field(init=False)
    _attempts: dict[str, int] = field(default_factory=dict)
    _watchers: set[asyncio.Future[None]] = field(default_factory=set)

    # In ------------------------------------------------------------------------------------
    def routes(self) -> list[web.AbstractRouteDef]:
        return [
            web.get("/webhooks/whatsapp", self.verify),
            web.post("/webhooks/whatsapp", self.receive),
        ]

    async def verify(self, request: web.Request) -> web.Response:
        query = request.query
        expected = self.settings.verify_token.reveal()
        given = query.get("hub.verify_token", "")
        valid = hmac.compare_digest(given.encode(), expected.encode())
        if query.get("hub.mode") == "subscribe" and valid:
            return web.Response(text=query.get("hub.challenge", ""))
        return web.Response(status=403, text="verification failed")

    async def receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        header = request.headers.get("X-Hub-Signature-256")
        if not wire_in.verify_signature(body, header, self.settings.app_secret.reveal()):
            raise Unauthorized("bad or missing X-Hub-Signature-256")
        payload = parse_json(body)
        inbox = messenger_inbox(request)
        groups = {number for number, each in self.settings.numbers.items() if each.groups}
        items = wire_in.parse_webhook(payload, self._bot_for_number, groups, self._displayed)
        for item in items:
            await self._take(inbox, item)
        return web.json_response({"received": True})

    def _bot_for_number(self, number: str) -> str | None:
        found = self.settings.numbers.get(number)
        return found.bot if found else None

    def _displayed(self, digits: str) -> str | None:
        found = [n for n, each in self.settings.numbers.items() if each.display == digits]
        return found[0] if found else None

    async def _take(self, inbox: MessengerInbox, item: wire_in.Event) -> None:
        if isinstance(item, Incoming):
            await self._incoming(inbox, item)
        elif isinstance(item, DeliveryStatus):
            await self._status(inbox, item)
        elif isinstance(item, ConsentSignal):
            await self._consent(inbox, item)
        elif isinstance(item, TemplateNews | NumberNews):
            await self._news(inbox, item)
        else:
            inbox.problem(self.name, item.kind)
            log.warning(
                "whatsapp webhook problem", extra={"kind": item.kind, "detail": item.detail}
            )

    async def _incoming(self, inbox: MessengerInbox, message: Incoming) -> None:
        meta: dict[str, Any] = {"address": message.address}
        for name in ("attachment", "phone", "name"):
            if getattr(message, name):
                meta[name] = getattr(message, name)
        meta["number"] = self._number_of(message.bot)
        item = InboxItem.message(
            message.message_id, iso_time(self.clock()), message.text, message.payload, meta
        )
        customer = without_lone_surrogates(message.customer)  # a key no store refuses
        turn = await inbox.accept(str(SessionKey(message.bot, self.name, customer)), item)
        if turn is not None:
            watcher = asyncio.ensure_future(self._typing_if_slow(message, turn))
            self._watchers.add(watcher)
            watcher.add_done_callback(self._watchers.discard)

    async def _consent(self, inbox: MessengerInbox, signal: ConsentSignal) -> None:
        """A stop or resume in WhatsApp's own menu: into the conversation's consent ledger
        (runtime/consent_signals.py), no turn of the bot, nothing said."""
        customer = without_lone_surrogates(signal.customer)  # as its messages are keyed
        item = signal_item(
            signal.signal_id, iso_time(self.clock()), signal.signal, signal.purposes, signal.said
        )
        await inbox.accept(str(SessionKey(signal.bot, self.name, customer)), item)

    async def _news(self, inbox: MessengerInbox, news: TemplateNews | NumberNews) -> None:
        """Meta's news of a template (status, quality) or of a number (quality, messaging
        limit) from its webhook, kept for the broadcasts (no time in the webhook: when it
        arrived)."""
        of = "template" if isinstance(news, TemplateNews) else "number"
        if self.settings.templates is None:
            inbox.problem(self.name, f"{of}_news_unkept")
            return
        news = replace(news, at=news.at or self.clock())
        if isinstance(news, TemplateNews):
            kept: TemplateState | NumberState = await self.settings.templates.note(news)
        else:
            kept = await self.settings.templates.note_number(news)
        log.info(f"whatsapp {of} news", extra={"news": kept.to_json()})

    async def rating(self, bot: str) -> NumberState | None:
        """What Meta last said of the bot's number (None: nothing heard, or nothing kept)."""
        numbers = [n for n, settings in self.settings.numbers.items() if settings.bot == bot]
        if not numbers or self.settings.templates is None:
            return None
        return await self.settings.templates.of_number(numbers[0])

    async def _typing_if_slow(self, message: Incoming, turn: asyncio.Future[Any]) -> None:
        done, _ = await asyncio.wait({turn}, timeout=TYPING_AFTER)
        if not done:
            await self.mark_read(message.bot, message.message_id, typing=True)

    async def _status(self, inbox: MessengerInbox, status: DeliveryStatus) -> None:
        session, _, seq = (status.callback or "").rpartition("|")
        if not session or not seq.isdigit():
            inbox.problem(self.name, "status_unknown_message")
            return
        report = {
            "seq": int(seq),
            "message_id": status.message_id,
            "status": status.status,
            "timestamp": status.timestamp,
            "pricing": status.pricing,
            "errors": list(status.errors),
        }
        item_id = f"status:{status.message_id}:{status.status}"
        item = InboxItem(item_id, iso_time(self.clock()), STATUS, report)
        try:
            key = SessionKey.parse(session)
        except ValueError:
            inbox.problem(self.name, "status_unknown_message")
            return
        await inbox.accept(str(key), item)
        withdrawn = wire_out.withdrawn_by(status.errors) if status.status == "failed" else None
        if withdrawn is not None:  # 131050: the customer stopped marketing messages
            said = wire_in.error_details(status.errors[0]) or "WhatsApp: marketing stopped"
            now = iso_time(self.clock())
            signal = signal_item(f"consent:{status.message_id}", now, STOPPED, withdrawn, said)
            await inbox.accept(str(key), signal)

    # Out -----------------------------------------------------------------------------------
    async def send(
        self, bot: str, address: Mapping[str, Any], entry: LogEntry, *, callback: str
    ) -> Sent:
        told = entry.get("whatsapp_template")
        if told and not told.get("outside_only"):  # a notification's: only outside the window
            return await self._send_template(bot, address, entry, callback)
        if not shows_something(entry):
            return Sent("")  # content for REST clients only
        payloads = wire_out.render(entry, address, callback=callback)
        sent = await self._post_all(bot, address, payloads)
        return Sent(sent.message_id, numbered=wire_out.numbered_choices(entry))

    def address_of(self, customer: str) -> Mapping[str, Any] | None:
        return wire_out.address_of(customer)

    async def send_outside_window(
        self, bot: str, address: Mapping[str, Any], entry: LogEntry, *, callback: str
    ) -> Sent:
        if "whatsapp_template" in entry:
            return await self._send_template(bot, address, entry, callback)
        if entry.get("purpose") == MARKETING:
            raise SendFailure(
                "outside WhatsApp's 24-hour customer service window a marketing message goes "
                "only as its approved marketing template, never as the number's generic utility "
                "template (Meta re-categorises or refuses it): the broadcast names none",
                window_closed=True,
            )
        number = self.settings.numbers[self._number_of(bot)]
        if number.template is None:
            raise SendFailure(
                "outside WhatsApp's 24-hour customer service window: only approved templates "
                "may be sent, and this number has none configured (channels.whatsapp.numbers)",
                code=131047,
                window_closed=True,
            )
        name, language = number.template
        text = str(entry.get("text", ""))
        payload = wire_out.template(address, name, language, text, callback=callback)
        return await self._post_all(bot, address, [payload])

    async def _send_template(
        self, bot: str, address: Mapping[str, Any], entry: LogEntry, callback: str
    ) -> Sent:
        """A broadcast's own approved template (runtime/notice_templates.py), in or outside
        the window. Meta's 132015 (paused) or 132016 (disabled), or a send it takes with
        `message_status` `paused`, is kept as the template's state, so the broadcast waits
        instead of sending the rest into the same refusal."""
        told = entry["whatsapp_template"]
        name, language = str(told.get("name", "")), str(told.get("language", ""))
        payload = wire_out.approved_template(
            address,
            name,
            language,
            told.get("parameters") or [],
            callback=callback,
            header=told.get("header"),
            buttons=told.get("buttons") or [],
        )
        try:
            sent = await self._post_all(bot, address, [payload])
        except SendFailure as failure:
            await self._stopped(name, language, REFUSALS.get(failure.code or 0), str(failure))
            raise
        if sent.held == PAUSED_ANSWER:
            await self._stopped(name, language, PAUSED, "WhatsApp answered the send `paused`")
        return sent

    async def _stopped(self, name: str, language: str, stopped: str | None, reason: str) -> None:
        """Meta said the template is paused or disabled: kept as its state (None: it did not)."""
        if stopped is not None and self.settings.templates is not None:
            news = TemplateNews(name, language, self.clock(), stopped, reason=reason)
            await self.settings.templates.note(news)

    async def _post_all(
        self, bot: str, address: Mapping[str, Any], payloads: list[dict[str, Any]]
    ) -> Sent:
        number = self._number_of(bot)
        recipient = str(address.get("to") or address.get("recipient") or address.get("group") or "")
        last, pacer = Sent(""), self.api.pacer(number)
        for index, payload in enumerate(payloads):  # the rest of a message once it began
            try:
                async with pacer.sending(recipient, patient=index > 0):
                    last = await self._post(number, recipient, payload)
            except SendFailure as failure:
                if failure.code == wire_out.THROUGHPUT and failure.retry_after is not None:
                    await pacer.hold(failure.retry_after)  # the number's, not the message's
                raise
        return last

    async def held(self, bot: str) -> float:
        """Seconds until the bot's number may send again (0: now; Meta's 130429 holds it,
        framework/broadcasts/pacing.py)."""
        numbers = [n for n, settings in self.settings.numbers.items() if settings.bot == bot]
        return await self.api.pacer(numbers[0]).held() if numbers else 0.0

    async def _post(self, number: str, recipient: str, payload: dict[str, Any]) -> Sent:
        url = f"{self.settings.api_base}/{wire_out.GRAPH_VERSION}/{number}/messages"
        attempt = self._attempts.get(recipient, 0)
        try:
            async with self.http.post(url, json=payload, headers=self._auth()) as response:
                body = await json_body(response)
                status = response.status
        except (TimeoutError, aiohttp.ClientError):
            self._attempts[recipient] = attempt + 1
            raise wire_out.failure(0, None, attempt) from None
        if status >= 300 or not isinstance(body, dict):
            self._attempts[recipient] = attempt + 1
            raise wire_out.failure(status, body, attempt)
        self._attempts.pop(recipient, None)
        messages = body.get("messages") or [{}]
        said = messages[0].get("message_status")  # a template's: accepted, or held
        return Sent(str(messages[0].get("id", "")), held=said if said in HELD_KINDS else "")

    async def mark_read(self, bot: str, message_id: str, *, typing: bool) -> None:
        number = self._number_of(bot)
        url = f"{self.settings.api_base}/{wire_out.GRAPH_VERSION}/{number}/messages"
        payload = wire_out.read_receipt(message_id, typing=typing)
        try:
            async with self.http.post(url, json=payload, headers=self._auth()) as response:
                await response.read()
        except (TimeoutError, aiohttp.ClientError) as error:
            log.info("read receipt not sent", extra={"error": str(error)})

    async def download(self, bot: str, media_id: str) -> tuple[bytes, str]:
        """An image a customer sent: its bytes (checked against WhatsApp's sha256) and type."""
        number = self._number_of(bot)
        path, query = wire_out.media_request(media_id, number)
        async with self.http.get(
            f"{self.settings.api_base}{path}", params=query, headers=self._auth()
        ) as response:
            info = await json_body(response)
        if response.status >= 300 or not isinstance(info, dict) or "url" not in info:
            raise ChannelError(f"WhatsApp has no media {media_id!r} for this number")
        async with self.http.get(str(info["url"]), headers=self._auth()) as response:
            content = await response.read()
        if info.get("sha256") and hashlib.sha256(content).hexdigest() != info["sha256"]:
            raise ChannelError(f"media {media_id!r} arrived damaged (sha256 mismatch)")
        return content, str(info.get("mime_type", "application/octet-stream"))

    def _number_of(self, bot: str) -> str:
        for number, settings in self.settings.numbers.items():
            if settings.bot == bot:
                return number
        raise SendFailure(f"no WhatsApp number serves the bot {bot!r}")

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.settings.token.reveal()}"}

    def __post_init__(self) -> None:
        settings = self.settings
        self.api = ApiSession(
            settings.timeout,
            settings.per_second,
            settings.recipient_interval,
            settings.slots,
            pair=PAIR_RATE,
        )

    @property
    def http(self) -> aiohttp.ClientSession:
        return self.api.http

    async def close(self) -> None:
        await self.api.close()
