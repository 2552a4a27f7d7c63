"""The Telegram Bot API channel: updates in by webhook, Bot API calls out.

In: `POST /webhooks/telegram/<bot>` checks X-Telegram-Bot-Api-Secret-Token (constant time),
parses the update (telegram_in.py), answers every callback query at once (or the button
keeps spinning), queues messages and button presses into their conversations (deduplicated
on `update_id`) and answers 200. Out: `send` renders a bot message as Bot API calls
(telegram_out.py: inline keyboards with callback data of at most 64 bytes, the payment link as
a URL button), paced per bot and per chat; a 429 holds every call of the bot, on every worker,
until Telegram's `retry_after` (channels/pacing.py), and the refused one is retried then; 403
(blocked) marks the customer unreachable. `set_webhook` registers the webhook (`theke channels
telegram set-webhook`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
from aiohttp import web

from framework.channels import telegram_in as wire_in
from framework.channels import telegram_out as wire_out
from framework.channels.api import ApiSession, json_body
from framework.channels.common import parse_json
from framework.channels.inbox import MessengerInbox, messenger_inbox
from framework.channels.messages import Incoming, WebhookProblem
from framework.channels.telegram_out import without_link
from framework.errors import ChannelError, ThekeError, Unauthorized, UnknownBot
from framework.runtime.sending import SendFailure, Sent
from framework.secrets import Secret
from framework.stores.records import InboxItem, LogEntry, SessionKey, iso_time, shows_something
from framework.stores.send_slots import SendSlots

__all__ = ["TelegramBot", "TelegramChannel", "TelegramSettings"]

log = logging.getLogger("theke.telegram")


@dataclass(frozen=True)
class TelegramBot:
    token: Secret
    secret_token: Secret
    provider_token: Secret | None = None
    """Set: the bot's pay steps send Telegram invoices, paid through this payment provider."""


class InvoiceDesk(Protocol):
    """Telegram's native invoices (payments/telegram_invoices.py)."""

    async def invoice(self, checkout_id: str) -> dict[str, Any]: ...

    async def check(self, query: wire_in.PreCheckout) -> str | None: ...

    async def paid(self, bot: str, payment: wire_in.Payment) -> bool:
        """Apply the charge; False when it matches no order (kept for the business)."""
        ...


INVOICE_SCHEME = "invoice:"


@dataclass(frozen=True)
class TelegramSettings:
    bots: Mapping[str, TelegramBot]
    api_base: str = "https://api.telegram.org"
    per_second: float = 30.0
    chat_interval: float = 0.5
    timeout: float = 10.0
    slots: SendSlots | None = None
    """The deployment's sending schedules (None: this process's own)."""


@dataclass
class TelegramChannel:
    settings: TelegramSettings
    clock: Callable[[], float]
    invoices: InvoiceDesk | None = None
    name: str = "telegram"
    window: float | None = None
    reports: bool = False
    api: ApiSession = field(init=False)
    _attempts: dict[str, int] = field(default_factory=dict)
    _answering: set[asyncio.Future[None]] = field(default_factory=set)
    """Callback queries being answered in the background."""

    def routes(self) -> list[web.AbstractRouteDef]:
        return [web.post("/webhooks/telegram/{bot}", self.receive)]

    async def receive(self, request: web.Request) -> web.Response:
        bot = request.match_info["bot"]
        account = self.settings.bots.get(bot)
        if account is None:
            raise UnknownBot(f"no Telegram bot {bot!r} here")
        header = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        if not wire_in.verify_secret(header, account.secret_token.reveal()):
            raise Unauthorized("bad or missing X-Telegram-Bot-Api-Secret-Token")
        update = parse_json(await request.read())
        inbox = messenger_inbox(request)
        for item in wire_in.parse_update(update, bot):
            await self._take(inbox, bot, item)
        return web.json_response({"received": True})

    async def _take(self, inbox: MessengerInbox, bot: str, item: Any) -> None:
        if isinstance(item, Incoming):
            meta: dict[str, Any] = {"address": item.address}
            if item.attachment:
                meta["attachment"] = item.attachment
            received = InboxItem.message(
                item.message_id, iso_time(self.clock()), item.text, item.payload, meta
            )
            await inbox.accept(str(SessionKey(bot, self.name, item.customer)), received)
        elif isinstance(item, wire_in.CallbackQuery):
            answering = asyncio.ensure_future(self._answer(inbox, bot, item))
            self._answering.add(answering)
            answering.add_done_callback(self._answering.discard)
        elif isinstance(item, wire_in.PreCheckout):
            await self._pre_checkout(inbox, bot, item)
        elif isinstance(item, wire_in.Payment) and self.invoices is not None:
            if not await self.invoices.paid(bot, item):
                inbox.problem(self.name, "unmatched_payment")
        else:
            kind = item.kind if isinstance(item, WebhookProblem) else "unexpected_payment"
            inbox.problem(self.name, kind)
            log.warning("telegram update problem", extra={"kind": kind})

    async def _answer(self, inbox: MessengerInbox, bot: str, query: wire_in.CallbackQuery) -> None:
        """Stop the button's spinner, beside the webhook's answer: a press whose query is too
        old to answer (Telegram could not reach Theke for a while) still runs its turn."""
        try:
            await self._call(bot, *wire_out.answer_callback(query.id))
        except SendFailure as failure:
            self._unanswered(inbox, "callback_not_answered", failure)

    async def _pre_checkout(
        self, inbox: MessengerInbox, bot: str, query: wire_in.PreCheckout
    ) -> None:
        """Answered at once: Telegram cancels the payment when no answer comes in 10 s. An
        answer Telegram refuses is logged and counted; the webhook is still answered 200."""
        error = "Please pay with the payment link."
        if self.invoices is not None:
            error = await self.invoices.check(query) or ""
        try:
            await self._call(bot, *wire_out.answer_pre_checkout(query.id, not error, error))
        except SendFailure as failure:
            self._unanswered(inbox, "pre_checkout_not_answered", failure)

    def _unanswered(self, inbox: MessengerInbox, kind: str, failure: SendFailure) -> None:
        inbox.problem(self.name, kind)
        log.warning("telegram query not answered", extra={"kind": kind, "error": str(failure)})

    async def send(
        self, bot: str, address: Mapping[str, Any], entry: LogEntry, *, callback: str
    ) -> Sent:
        chat = address.get("chat_id")
        if chat is None:
            raise SendFailure("no Telegram chat to write to")
        if not shows_something(entry):
            return Sent("")  # content for REST clients only
        message_id = ""
        for index, (method, params) in enumerate(await self._calls(bot, entry, chat)):
            async with self.api.pacer(bot).sending(str(chat), patient=index > 0):
                result = await self._call(bot, method, params)
            if isinstance(result, dict):
                message_id = str(result.get("message_id", message_id))
        return Sent(message_id, keys=wire_out.callback_keys(entry))

    async def _calls(
        self, bot: str, entry: LogEntry, chat: Any
    ) -> list[tuple[str, dict[str, Any]]]:
        """The entry's Bot API calls; a Telegram invoice instead of its link when it is one."""
        link = entry.get("link")
        url = link["url"] if link else ""
        token = self.settings.bots[bot].provider_token
        if not url.startswith(INVOICE_SCHEME) or self.invoices is None or token is None:
            return wire_out.render(entry, chat)
        calls = wire_out.render(without_link(entry), chat)
        try:
            bill = await self.invoices.invoice(url.removeprefix(INVOICE_SCHEME))
        except ChannelError:
            raise
        except ThekeError as error:  # paid, expired or cancelled meanwhile
            raise SendFailure(f"the invoice is no longer open: {error}") from None
        description = bill["description"] or bill["title"]
        invoice = wire_out.invoice(
            chat,
            title=bill["title"],
            description=description,
            payload=bill["payload"],
            currency=bill["currency"],
            prices=bill["prices"],
            provider_token=token.reveal(),
        )
        return [*calls, invoice]

    def address_of(self, customer: str) -> Mapping[str, Any] | None:
        return wire_out.address_of(customer)

    async def send_outside_window(
        self, bot: str, address: Mapping[str, Any], entry: LogEntry, *, callback: str
    ) -> Sent:
        return await self.send(bot, address, entry, callback=callback)  # Telegram has no window

    async def set_webhook(self, bot: str, base_url: str) -> None:
        account = self.settings.bots[bot]
        url = f"{base_url.rstrip('/')}/webhooks/telegram/{bot}"
        await self._call(bot, *wire_out.set_webhook(url, account.secret_token.reveal()))

    async def _call(self, bot: str, method: str, params: dict[str, Any]) -> Any:
        """One Bot API call; raises SendFailure (the token never appears in it)."""
        token = self.settings.bots[bot].token.reveal()
        url = f"{self.settings.api_base}/bot{token}/{method}"
        key = f"{bot}:{params.get('chat_id', '')}"
        attempt = self._attempts.get(key, 0)
        try:
            async with self.http.post(url, json=params) as response:
                status = response.status
                body = await json_body(response)
        except (TimeoutError, aiohttp.ClientError):
            self._attempts[key] = attempt + 1
            raise wire_out.failure(0, None, attempt) from None
        if status >= 300 or not isinstance(body, dict) or not body.get("ok"):
            self._attempts[key] = attempt + 1
            failure = wire_out.failure(status, body, attempt)
            if failure.code == wire_out.FLOOD and failure.retry_after is not None:
                await self.api.pacer(bot).hold(failure.retry_after)  # all of the bot's calls
            raise failure
        self._attempts.pop(key, None)
        return body.get("result")

    async def held(self, bot: str) -> float:
        """Seconds until the bot may send again (0: now; Telegram's 429 holds it,
        framework/broadcasts/pacing.py)."""
        return await self.api.pacer(bot).held()

    def __post_init__(self) -> None:
        settings = self.settings
        self.api = ApiSession(
            settings.timeout, settings.per_second, settings.chat_interval, settings.slots
        )

    @property
    def http(self) -> aiohttp.ClientSession:
        return self.api.http

    async def close(self) -> None:
        if self._answering:
            await asyncio.wait(self._answering, timeout=5.0)
        await self.api.close()
