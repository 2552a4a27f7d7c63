"""Business events against a real HTTP receiver on a real socket: signed (checked with the
verifier of docs/events.md, run as written), in order per conversation, retried through a
receiver that refuses connections, then answers 500, then takes them; given up on 410 and
after the window. On every outbox: memory, SQLite (a real file) and Redis (a real server).
Time is the test's clock: backoffs pass without waiting."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from framework.events.delivery import Delivery
from framework.events.emitting import Events, customer_ref, event_id
from framework.events.subscriptions import Subscription
from framework.runtime.metrics import Metrics
from framework.secrets import Secret
from framework.stores.memory.outbox import MemoryOutbox
from framework.stores.outbox import Outbox
from framework.stores.redis.outbox import RedisOutbox
from framework.stores.sqlite.outbox import SqliteOutbox
from tests.clocks import Clock
from tests.payments.test_order_store import REDIS_URL, delete_keys, redis_client
from tests.runtime.processes import free_port

SECRET = "whsec_test_0123456789abcdef0123456789abcdef"
DOCS = Path(__file__).parents[2] / "docs" / "events.md"
ADA, BOB = "pizza:web:ada", "pizza:whatsapp:4915112345678"


def docs_verifier() -> Callable[..., bool]:
    """The verifier snippet of docs/events.md, run exactly as a business would paste it."""
    text = DOCS.read_text(encoding="utf-8")
    [code] = [
        block for block in re.findall(r"```python\n(.*?)```", text, re.S) if "genuine" in block
    ]
    scope: dict[str, Any] = {}
    exec(compile(code, str(DOCS), "exec"), scope)
    verifier: Callable[..., bool] = scope["theke_event_is_genuine"]
    return verifier


class Receiver:
    """An endpoint that answers `status` (a list: one per request, the last one repeated)."""

    def __init__(self, clock: Clock) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/events"
        self.statuses = [200]
        self.received: list[dict[str, Any]] = []
        self.forged = 0
        self._runner: web.AppRunner | None = None
        self._verify = docs_verifier()
        self._clock = clock

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        header = request.headers.get("Theke-Signature", "")
        if not self._genuine(body, header):
            self.forged += 1
            return web.Response(status=400)
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        if status == 200:
            event = json.loads(body)
            assert request.headers["Theke-Event-Id"] == event["id"]
            self.received.append(event)
        return web.Response(status=status)

    def _genuine(self, body: bytes, header: str) -> bool:
        import time

        real_time = time.time
        time.time = self._clock  # the snippet reads time.time(): it is the test's clock here
        try:
            return self._verify(SECRET, body, header)
        finally:
            time.time = real_time

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/events", self.handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def ids(self, customer: str | None = None) -> list[str]:
        return [e["id"] for e in self.received if customer in (None, e["customer"])]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["memory", "sqlite", "redis"])
async def outbox(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Outbox]:
    """Each backend; on Redis (`REDIS_URL`) under a prefix of the test's own, deleted after."""
    opened: Outbox = MemoryOutbox()
    client, prefix = None, f"test-receiver-{uuid.uuid4().hex}"
    if request.param == "sqlite":
        opened = await SqliteOutbox.open(tmp_path / "state.db")
    elif request.param == "redis":
        client = await redis_client()
        opened = RedisOutbox.from_url(REDIS_URL, prefix)
    yield opened
    await opened.close()
    if client is not None:
        await delete_keys(client, prefix)


@pytest.fixture
async def receiver(clock: Clock) -> AsyncIterator[Receiver]:
    made = Receiver(clock)
    yield made
    await made.stop()


def wiring(
    outbox: Outbox, receiver: Receiver, clock: Clock, types: tuple[str, ...] = ("*",)
) -> tuple[Events, Delivery, Metrics, Subscription]:
    sub = Subscription(receiver.url, Secret(SECRET), types)
    metrics = Metrics()
    delivery = Delivery(outbox, [sub], clock=clock, metrics=metrics, draw=lambda: 1.0)
    return Events(outbox, [sub], clock=clock), delivery, metrics, sub


def count(metrics: Metrics, outcome: str) -> float:
    value = metrics.registry.get_sample_value("theke_business_events_total", {"outcome": outcome})
    return value or 0.0


async def emit(events: Events, session: str, number: int, type: str = "order.paid") -> str:
    id = event_id("test", session, str(number))
    await events.emit("pizza", session, type, {"n": number}, id=id)
    return id


async def test_events_arrive_signed_once_each_and_in_order_per_conversation(
    outbox: Outbox, receiver: Receiver, clock: Clock
) -> None:
    events, delivery, metrics, sub = wiring(outbox, receiver, clock)
    await receiver.start()
    ada = [await emit(events, ADA, n) for n in range(3)]
    bob = [await emit(events, BOB, n) for n in range(2)]
    assert await emit(events, ADA, 0) == ada[0]  # emitted again (a replayed turn): kept once
    for _ in range(3):
        await delivery.run()
    await delivery.close()
    assert receiver.ids(customer_ref(sub, ADA)) == ada
    assert receiver.ids(customer_ref(sub, BOB)) == bob
    assert receiver.forged == 0 and count(metrics, "delivered") == 5
    first = receiver.received[0]
    assert set(first) == {"id", "type", "created", "bot", "customer", "data"}
    assert "ada" not in json.dumps(receiver.received) and "4915112345678" not in json.dumps(
        receiver.received
    )


async def test_a_receiver_down_for_a_while_gets_every_event_in_order(
    outbox: Outbox, receiver: Receiver, clock: Clock
) -> None:
    events, delivery, metrics, _sub = wiring(outbox, receiver, clock)
    ada = [await emit(events, ADA, n) for n in range(3)]
    assert await delivery.run() == 1  # the head only, refused: nothing listens yet
    assert await outbox.claim(clock.now + 9.9, 1, 10, "peek") == []  # next try in 10 s
    await receiver.start()
    receiver.statuses = [500, 500, 200]
    for wait in (10, 20, 40):  # the backoff doubles; the third try is taken
        clock.now += wait
        assert await delivery.run() == 1
    assert receiver.ids() == ada[:1]
    for _ in range(2):
        await delivery.run()
    await delivery.close()
    assert receiver.ids() == ada
    assert (count(metrics, "retried"), count(metrics, "delivered")) == (3, 3)


async def test_gone_gives_an_event_up_lets_the_next_go_and_retry_sends_it_again(
    outbox: Outbox, receiver: Receiver, clock: Clock
) -> None:
    events, delivery, metrics, _sub = wiring(outbox, receiver, clock)
    await receiver.start()
    receiver.statuses = [410, 200]
    ada = [await emit(events, ADA, n) for n in range(3)]
    for _ in range(3):
        await delivery.run()
    assert receiver.ids() == ada[1:]
    [dead] = await outbox.undeliverable()
    assert (dead.event, dead.attempts, dead.error) == (ada[0], 1, "HTTP 410 Gone")
    assert await outbox.requeue([dead.key], clock.now) == 1
    await delivery.run()
    await delivery.close()
    assert receiver.ids() == [*ada[1:], ada[0]]
    assert count(metrics, "given_up") == 1


async def test_an_event_is_given_up_after_three_days_of_failures(
    outbox: Outbox, receiver: Receiver, clock: Clock
) -> None:
    events, delivery, _metrics, _sub = wiring(outbox, receiver, clock)
    await receiver.start()
    receiver.statuses = [503]
    start = clock.now
    await emit(events, ADA, 1)
    attempts = 0
    while not await outbox.undeliverable():
        attempts += await delivery.run()
        clock.now += 3600  # the longest wait between two attempts
    await delivery.close()
    assert 3 * 86_400 <= clock.now - start <= 3 * 86_400 + 2 * 3600
    assert 70 <= attempts <= 90 and receiver.received == []
    [dead] = await outbox.undeliverable()
    assert dead.error == "HTTP 503 Service Unavailable; retried for 72 h"


async def test_a_wrong_secret_is_refused_by_the_verifier_and_retried_not_dropped(
    outbox: Outbox, receiver: Receiver, clock: Clock
) -> None:
    sub = Subscription(receiver.url, Secret("another-secret-of-enough-length-000000"))
    delivery = Delivery(outbox, [sub], clock=clock, draw=lambda: 1.0)
    await Events(outbox, [sub], clock=clock).emit("pizza", ADA, "order.paid", {}, id="evt_1")
    await receiver.start()
    await delivery.run()
    await delivery.close()
    assert receiver.forged == 1 and receiver.received == []
    assert await outbox.undeliverable() == []


async def test_only_subscribed_types_are_kept(
    outbox: Outbox, receiver: Receiver, clock: Clock
) -> None:
    events, _delivery, _metrics, _sub = wiring(outbox, receiver, clock, ("order.*",))
    assert await events.emit("pizza", ADA, "order.paid", {}, id="evt_1") == 1
    assert await events.emit("pizza", ADA, "conversation.handoff_requested", {}, id="e2") == 0
