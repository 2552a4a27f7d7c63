"""The tests' fake Graph API (tests/fakes/graph_api.py) as a server process of its own, for
benchmarks that send through real `theke run` workers: it checks every request against Meta's
documented send format and answers like graph.facebook.com (message ids; 131049 refusals for
the recipients chosen), and writes one line per send request to a file instead of keeping it:

    <unix time> <phone number id> <http status> <to> <wamid or error code> <callback data>

    PYTHONPATH=. .venv/bin/python benchmarks/fake_graph.py --record sends.txt \
        [--refuse-every 200] [--hold-every 50] [--throughput 80] \
        [--app-secret SECRET --webhook http://127.0.0.1:8001/webhooks/whatsapp ...]

It prints its URL on the first line of its output and serves until SIGTERM or SIGINT. When its
own event loop was held up for more than 20 ms (the machine busy: the sends that came meanwhile
are then written with nearly one time), it writes `<unix time> stall <milliseconds>`.
`--refuse-every N`: a recipient whose number is divisible by N is refused with 131049 (Meta's
per-user marketing limit), every time it is sent to. `--hold-every N`: a template send to a
recipient whose number leaves 1 divided by N is taken but answered with `message_status`
`held_for_quality_assessment` (Meta holds it for its template pacing); its statuses follow as
any other's, later (Meta sent it after all). `--throughput N`: a send to a phone
number id that took N sends in the last second is refused with 130429 (Meta's throughput limit,
80 a second by default); refusals take none of the N. `--webhook URL` (once per worker of the
app): every message accepted gets its `sent` and `delivered` status webhooks, signed with
`--app-secret`, batched and retried until taken, as Meta sends them (fake_statuses.py, which
writes each try to the record as well).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from collections import defaultdict, deque
from typing import IO, Any

from aiohttp import web
from fake_statuses import StatusWebhooks

from tests.fakes.graph_api import APP_SECRET, FakeGraphApi, SentMessage


class RecordingGraphApi(FakeGraphApi):
    """The fake writing each send to `record` (nothing kept in memory but what it must)."""

    def __init__(
        self,
        record: IO[str],
        every: tuple[int, int],
        throughput: int,
        secret: str,
        hooks: list[str],
    ) -> None:
        super().__init__(app_secret=secret, pricing_model="PMP")
        self._file, self._throughput = record, throughput
        self._refuse_every, self._hold_every = every
        self.statuses = StatusWebhooks(self, hooks, record)
        self._taken: defaultdict[str, deque[float]] = defaultdict(deque)
        """Per phone number id: when it took its sends of the last second."""

    def refused(self, to: str) -> bool:
        digits = to.lstrip("+")
        return self._refuse_every > 0 and digits.isdigit() and int(digits) % self._refuse_every == 0

    def held(self, to: str, kind: str) -> bool:
        digits = to.lstrip("+")
        holds = self._hold_every > 0 and kind == "template" and digits.isdigit()
        return holds and int(digits) % self._hold_every == 1

    def over_throughput(self, number: str) -> bool:
        """The number took its throughput in the last second; if not, this send counts."""
        now, taken = time.monotonic(), self._taken[number]
        while taken and now - taken[0] >= 1.0:
            taken.popleft()
        if self._throughput and len(taken) >= self._throughput:
            return True
        taken.append(now)
        return False

    async def _send(self, request: web.Request, body: Any, kind: str) -> web.StreamResponse:
        # a fault is taken by this very send: nothing awaits in between
        if self.over_throughput(request.match_info["phone_number_id"]):
            self.fail_next(130429)
        elif self.refused(str(body.get("to", ""))):
            self.fail_next(131049)
        elif self.held(str(body.get("to", "")), kind):
            self.hold_next()
        return await super()._send(request, body, kind)

    def _accept(self, body: Any, kind: str, *, statuses: bool = True) -> SentMessage:
        sent = super()._accept(body, kind, statuses=statuses)
        self.statuses.accepted(sent)  # a held one's too: Meta sends it later
        return sent

    def _record(
        self, request: web.Request, body: Any, status_code: int | None, response: Any
    ) -> None:
        if not request.path.endswith("/messages") or not isinstance(body, dict):
            return
        answer = response if isinstance(response, dict) else {}
        outcome = (answer.get("messages") or [{}])[0].get("id") or answer.get("error", {}).get(
            "code", "-"
        )
        number = request.match_info.get("phone_number_id", "-")
        callback = body.get("biz_opaque_callback_data", "-")
        self._file.write(
            f"{time.time():.6f} {number} {status_code} {body.get('to', '-')} {outcome} {callback}\n"
        )
        self.sent.clear()  # the statuses were built from the SentMessage already


STALL = 0.02
"""Seconds of the fake's own lateness worth writing down."""


async def watch_stalls(record: IO[str]) -> None:
    """Write down each time the fake's event loop woke more than STALL late."""
    while True:
        before = time.monotonic()
        await asyncio.sleep(0.01)
        late = time.monotonic() - before - 0.01
        if late > STALL:
            record.write(f"{time.time():.6f} stall {late * 1000:.1f}\n")


async def serve(args: argparse.Namespace, record: IO[str]) -> None:
    graph = RecordingGraphApi(
        record, (args.refuse_every, args.hold_every), args.throughput, args.app_secret, args.webhook
    )
    await graph.start()
    graph.statuses.start()
    print(graph.url, flush=True)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    watcher = asyncio.ensure_future(watch_stalls(record))
    await stopping.wait()
    watcher.cancel()
    await graph.statuses.stop()
    await graph.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--record", required=True, help="file the sends are appended to")
    parser.add_argument("--refuse-every", type=int, default=0)
    parser.add_argument("--hold-every", type=int, default=0, help="held for quality assessment")
    parser.add_argument("--throughput", type=int, default=0, help="sends a second per number")
    parser.add_argument("--app-secret", default=APP_SECRET, help="signs the status webhooks")
    parser.add_argument(
        "--webhook",
        action="append",
        default=[],
        help="the app's WhatsApp webhook URL (each worker)",
    )
    args = parser.parse_args()
    with open(args.record, "a", encoding="utf-8", buffering=1) as record:
        asyncio.run(serve(args, record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
