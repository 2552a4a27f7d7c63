"""The aiohttp application: channels, the web chat, health, readiness and metrics.

Route handlers are module-level functions in their channel modules; this module wires them,
owns the resources (the store, the runtime's background task) through `cleanup_ctx`, and maps
errors to HTTP statuses in one table.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from functools import partial

from aiohttp import web

from framework.actions.performing import BotActions
from framework.admin import ADMIN_KEY, BOTS
from framework.broadcasts.notifying import Notifier
from framework.broadcasts.pacing import Senders
from framework.broadcasts.sending import EVERY as BROADCAST_EVERY
from framework.broadcasts.service import Broadcasts, look_after_broadcasts
from framework.channels.base import Channel
from framework.channels.common import CONTEXT, ChannelContext
from framework.channels.setup import open_channels
from framework.channels.telegram import TelegramChannel
from framework.channels.undelivered import undelivered
from framework.channels.webchat.handlers import SOCKETS, close_sockets
from framework.consents.service import Consents
from framework.contacts.web import add_contact_routes
from framework.edge import METRICS, add_metrics, security_headers
from framework.edge.headers import FRAME_ANCESTORS
from framework.edge.limits import BODY_LIMITS, BodyLimits, read_bodies
from framework.edge.origins import ALLOWED_ORIGINS, origin_of
from framework.errors import (
    BadRequest,
    ChannelError,
    ClientGone,
    Forbidden,
    NotFound,
    RateLimited,
    ThekeError,
    TooLarge,
    TooSlow,
    Unauthorized,
    UnknownBot,
)
from framework.events.setup import DELIVER_EVERY, EVENTS, open_events
from framework.events.web import add_event_routes
from framework.flows import Bot
from framework.handoffs.service import Handoffs
from framework.handoffs.web import HANDOFFS
from framework.inbox.setup import add_inbox
from framework.outreach.broadcasts_web import BROADCASTS, add_broadcast_routes
from framework.outreach.contact_views import CONTACT_STORE
from framework.outreach.pages import add_outreach_pages
from framework.outreach.segment_choice import SAVED_SEGMENTS
from framework.outreach.segments_web import add_segment_routes
from framework.outreach.web import CONSENTS, NOTIFIER, NOTIFY_BOTS, add_notify_routes
from framework.payments.contact_orders import ContactOrders
from framework.payments.provider import ProviderError, RefundError, WebhookError
from framework.payments.sandbox import SandboxProvider
from framework.payments.service import OrderNews, Payments
from framework.payments.setup import open_payments
from framework.payments.telegram_invoices import connect_invoices
from framework.payments.web import PAYMENTS, add_payment_routes
from framework.privacy.data import Stores
from framework.privacy.web import PRIVACY, Privacy, add_privacy_routes
from framework.reception.setup import (
    LOOK_EVERY,
    DepositRefunds,
    look_after_bookings,
    open_booking_office,
)
from framework.reception.web import BOOKING_OFFICE, add_booking_routes
from framework.runtime.admission import Admission, AdmissionLimits
from framework.runtime.loops import repeat, stop
from framework.runtime.metrics import Metrics
from framework.runtime.sending import PushChannel
from framework.runtime.turns import Runtime, TurnTimeout
from framework.secrets import SecretError, resolve
from framework.stores.bookings import BookingError, BookingNotFound
from framework.stores.broadcasts import BroadcastError, BroadcastNotFound
from framework.stores.consents import ConsentError
from framework.stores.handoffs import HandoffError, HandoffNotFound, QueueFull
from framework.stores.opening import (
    open_broadcasts,
    open_consents,
    open_contacts,
    open_handoffs,
    open_orders,
    open_reach,
    open_saved_segments,
    open_store,
    open_template_states,
    open_tickets,
)
from framework.stores.order_store import OrderStore
from framework.stores.records import InboxItem
from framework.stores.saved_segments import SavedSegmentError, TooManySegments
from framework.stores.session_store import Store, StoreError
from framework.stores.tickets import TicketError, TicketNotFound
from framework.support.handoffs_web import add_handoff_routes
from framework.support.tickets_web import add_ticket_routes
from framework.tickets.service import Tickets
from framework.tickets.web import TICKETS
from framework.workspace import Workspace

__all__ = ["STATUS_OF", "create_app"]

log = logging.getLogger("theke.server")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

HANDOFF_CHECK = 15.0
"""Seconds between two looks for customers who waited too long for a person."""


async def look_after_handoffs(
    handoffs: Handoffs, bots: Mapping[str, Bot], metrics: Metrics
) -> None:
    """Waits that went on too long end with an offer; the queue's length is measured."""
    for name in bots:
        await handoffs.time_out(name)
        for state, count in (await handoffs.store.counts(name)).items():
            metrics.handoffs.labels(name, state).set(count)


STATUS_OF: Mapping[type[ThekeError], int] = {
    BadRequest: 400,
    UnknownBot: 404,
    RateLimited: 429,
    ChannelError: 400,
    StoreError: 503,
    TurnTimeout: 504,
    WebhookError: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    TooSlow: 408,
    TooLarge: 413,
    ClientGone: 499,  # nginx's "client closed request": logged, never seen by anyone
    RefundError: 409,
    ProviderError: 503,
    TicketNotFound: 404,
    TicketError: 409,
    BookingNotFound: 404,
    BookingError: 409,
    ConsentError: 400,
    BroadcastNotFound: 404,
    BroadcastError: 409,
    SavedSegmentError: 400,
    TooManySegments: 409,
    HandoffNotFound: 404,
    QueueFull: 503,
    HandoffError: 409,
}
"""Every error a request can meet, and its HTTP status (the most specific class wins)."""


PUBLIC_TEXT = {
    503: "temporarily unavailable: try again shortly",
    504: "accepted but not answered in time: sending it again with the same message_id is safe",
}
"""What a caller reads of a server-side failure: its details (a store's address, a provider's
answer) go to the log only."""


def _status(error: ThekeError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]
    return 500


def public_text(error: ThekeError) -> str:
    status = _status(error)
    return str(error) if status < 500 else PUBLIC_TEXT.get(status, "internal error")


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ThekeError as error:
        status = _status(error)
        if status >= 500:
            log.warning("request failed", extra={"path": request.path, "error": str(error)})
        headers = {}
        if isinstance(error, RateLimited):
            headers["Retry-After"] = str(max(1, round(error.retry_after)))
        response = web.json_response({"error": public_text(error)}, status=status, headers=headers)
        if isinstance(error, TooLarge | TooSlow):
            response.force_close()  # the rest of the body is not read: the connection is done
        return response


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def ready(request: web.Request) -> web.Response:
    """Whether the store answers, and which provider takes the money ("sandbox": none moves)."""
    payments = request.app[PAYMENTS].provider.name
    try:
        await request.app[CONTEXT].runtime.store.ping()
    except StoreError as error:
        log.warning("not ready", extra={"error": str(error)})
        body = {"status": "unavailable", "error": "the store does not answer", "payments": payments}
        return web.json_response(body, status=503)
    return web.json_response({"status": "ready", "payments": payments})


StoreOpener = Callable[[], Awaitable[Store]]
OrdersOpener = Callable[[], Awaitable[OrderStore]]


def _payments(
    runtime: Runtime,
    workspace: Workspace,
    orders: OrderStore,
    clock: Callable[[], float],
    fault: Callable[[str], None] | None,
    news: OrderNews,
) -> Payments:
    """Payments whose news reaches conversations through the runtime's inbox."""

    async def notify(session: str, item: InboxItem) -> None:
        await runtime.accept(session, item)

    payments = open_payments(workspace, orders, notify, clock=clock, fault=fault, news=news)
    if isinstance(payments.provider, SandboxProvider):

        async def emit(body: bytes, headers: Mapping[str, str]) -> None:
            runtime.spawn(_deliver(payments, body, headers))  # like a provider: after the answer

        payments.provider.emit = emit
    return payments


async def _deliver(payments: Payments, body: bytes, headers: Mapping[str, str]) -> None:
    try:
        await payments.webhook(body, headers)
    except ThekeError as error:
        log.warning("sandbox event not applied", extra={"error": str(error)})


def create_app(
    workspace: Workspace,
    bots: Mapping[str, Bot],
    *,
    clock: Callable[[], float] = time.time,
    store: StoreOpener | None = None,
    orders: OrdersOpener | None = None,
    fault: Callable[[str], None] | None = None,
    lease: float = 5.0,
    tick: float = 0.5,
) -> web.Application:
    """The app for a workspace's bots; `store` overrides the workspace's store (tests)."""
    app = web.Application(
        client_max_size=workspace.max_body, middlewares=[security_headers, errors, read_bodies]
    )
    app[BODY_LIMITS] = BodyLimits(workspace.max_body, workspace.body_timeout)
    app[SOCKETS] = set()
    app[FRAME_ANCESTORS] = workspace.frame_ancestors
    own = (workspace.public_url,) if workspace.public_url else ()
    app[ALLOWED_ORIGINS] = frozenset(map(origin_of, (*workspace.allowed_origins, *own)))
    opener = store or (lambda: open_store(workspace.store, workspace.limits, workspace.root))

    templates = open_template_states(workspace.store, workspace.root)
    channels = open_channels(workspace, frozenset(bots), clock, templates=templates)
    pushing = {name: chan for name, chan in channels.items() if isinstance(chan, PushChannel)}

    async def resources_ctx(app: web.Application) -> AsyncIterator[None]:
        opened = await opener()
        order_store = await (
            orders() if orders else open_orders(workspace.store, workspace.root, beside=opened)
        )
        ticket_store = await open_tickets(workspace.store, workspace.root)
        metrics = Metrics()
        events = app[EVENTS] = await open_events(workspace, clock=clock, metrics=metrics)
        tickets = app[TICKETS] = Tickets(ticket_store, events.events, opened.enqueue, clock)
        refunds = DepositRefunds(order_store, lambda: app[PAYMENTS])
        office = app[BOOKING_OFFICE] = await open_booking_office(
            workspace, bots, events.events, opened.enqueue, clock, refunds
        )
        consent_store = await open_consents(workspace.store, workspace.root)
        consents = app[CONSENTS] = Consents(consent_store)
        broadcast_store = await open_broadcasts(workspace.store, workspace.root)
        reach = await open_reach(workspace.store, workspace.root)
        contacts = app[CONTACT_STORE] = await open_contacts(
            workspace.store, workspace.root, beside=opened
        )
        app[NOTIFIER] = Notifier(
            consent_store,
            opened.enqueue,
            reach,
            contacts,
            bots,
            clock,
            fresh=workspace.limits.result_ttl,
        )
        segments = app[SAVED_SEGMENTS] = await open_saved_segments(workspace.store, workspace.root)
        broadcasts = app[BROADCASTS] = Broadcasts(
            broadcast_store,
            consent_store,
            bots,
            opened.enqueue,
            clock,
            fault=fault,
            reach=reach,
            contacts=contacts,
            templates=templates,
            senders={n: c for n, c in pushing.items() if isinstance(c, Senders)},
            on_whatsapp=workspace.whatsapp_bots,
        )
        actions = {
            name: BotActions.of(
                bot,
                tickets=tickets,
                bookings=office.bookings,
                links=workspace.base_url,
                consents=consents,
                contacts=contacts,
            )
            for name, bot in bots.items()
        }
        handoff_store = await open_handoffs(workspace.store, workspace.root)
        handoffs = app[HANDOFFS] = Handoffs(handoff_store, opened.enqueue, clock)
        app[PRIVACY] = Privacy(
            Stores(
                opened,
                consent_store,
                ticket_store,
                office.bookings.store,
                handoff_store,
                order_store,
                reach,
                broadcast_store,
                contacts,
            ),
            clock,
        )
        runtime = Runtime(
            opened,
            bots,
            lease=lease,
            settle=workspace.settle,
            metrics=metrics,
            fault=fault,
            clock=clock,
            channels=pushing,
            actions=actions,
            events=events.events,
            handoffs=handoffs,
            consents=consents,
            reach=reach,
            broadcasts=broadcast_store,
            contacts=contacts,
            templates=templates,
        )
        news = ContactOrders(contacts, events.orders)
        payments = _payments(runtime, workspace, order_store, clock, fault, news)
        runtime.payments = app[PAYMENTS] = payments
        telegram = channels.get("telegram")
        if isinstance(telegram, TelegramChannel):
            connect_invoices(app[PAYMENTS], telegram, order_store, clock)
        app[METRICS] = runtime.metrics
        admission = Admission(
            AdmissionLimits(
                workspace.messages_per_minute,
                workspace.burst,
                workspace.new_per_address,
                workspace.new_per_bot,
            )
        )
        app[CONTEXT] = ChannelContext(runtime, bots, admission, clock, workspace.debug)
        stopping = asyncio.Event()
        reconcile = app[PAYMENTS].reconcile
        background = [
            asyncio.create_task(runtime.run_background(tick, stopping)),
            asyncio.create_task(
                repeat(reconcile, workspace.payments.reconcile, stopping, "reconcile")
            ),
            asyncio.create_task(repeat(events.deliver, DELIVER_EVERY, stopping, "events")),
            asyncio.create_task(
                repeat(
                    partial(look_after_handoffs, handoffs, bots, runtime.metrics),
                    HANDOFF_CHECK,
                    stopping,
                    "handoffs",
                )
            ),
            asyncio.create_task(
                repeat(partial(look_after_bookings, office), LOOK_EVERY, stopping, "bookings")
            ),
            asyncio.create_task(
                repeat(
                    partial(look_after_broadcasts, broadcasts),
                    BROADCAST_EVERY,
                    stopping,
                    "broadcasts",
                )
            ),
        ]
        yield
        await stop(stopping, background, grace=5.0)
        await app[PAYMENTS].provider.close()
        for channel in pushing.values():
            await channel.close()
        for bot_actions in actions.values():
            await bot_actions.close()
        await events.close()
        await ticket_store.close()
        await office.bookings.store.close()
        await handoff_store.close()
        await broadcast_store.close()
        await reach.close()
        await templates.close()
        await contacts.close()
        await segments.close()
        await consent_store.close()
        await order_store.close()
        await opened.close()

    app.cleanup_ctx.append(resources_ctx)
    app.on_shutdown.append(close_sockets)
    _routes(app, channels.values())
    app[ADMIN_KEY] = _admin_key(workspace)
    app[BOTS] = frozenset(bots)
    add_payment_routes(app, dict(bots))
    add_event_routes(app)
    add_ticket_routes(app)
    app[NOTIFY_BOTS] = dict(bots)
    add_notify_routes(app)
    add_broadcast_routes(app)
    add_segment_routes(app)
    add_booking_routes(app)
    add_privacy_routes(app)
    add_contact_routes(app)
    add_handoff_routes(app)
    add_inbox(app, workspace)
    add_outreach_pages(app)
    add_metrics(app, workspace.metrics)
    return app


def _admin_key(workspace: Workspace) -> str:
    """The admin API's key from the environment; empty (the API refuses every call) if unset."""
    try:
        return resolve(workspace.admin_key).reveal()
    except SecretError:
        return ""


def _routes(app: web.Application, channels: Iterable[Channel]) -> None:
    router = app.router
    router.add_get("/health", health)
    router.add_get("/ready", ready)
    router.add_get("/admin/undelivered", undelivered)
    for channel in channels:
        router.add_routes(channel.routes())
