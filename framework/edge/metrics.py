"""`/metrics` (Prometheus): behind the admin key on the public port, or on an address of its own.

Metrics tell a stranger how busy the shop is, which bots it runs and how its workers fare, so
they are not public: `server.metrics: admin` (the default) serves them at `/metrics` to
`Authorization: Bearer <admin key>`; `server.metrics: 127.0.0.1:9100` serves them there without
a key, and nowhere else (a private interface that only the scraper reaches).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from framework.admin import authorize
from framework.errors import ThekeError
from framework.runtime.metrics import Metrics

__all__ = ["METRICS", "MetricsSetupError", "add_metrics", "metrics_address"]

METRICS = web.AppKey("metrics", Metrics)
"""The running app's metrics (set when its runtime starts)."""


class MetricsSetupError(ThekeError, ValueError):
    """`server.metrics` is neither `admin` nor a host:port."""


def metrics_address(setting: str) -> tuple[str, int] | None:
    """None for `admin`, else the (host, port) of the metrics' own listener."""
    if setting == "admin":
        return None
    host, _, port = setting.rpartition(":")
    if not host or not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        raise MetricsSetupError(f"server.metrics: {setting!r} is neither admin nor host:port")
    return host.strip("[]"), int(port)


def _exposition(app: web.Application) -> web.Response:
    body = app[METRICS].exposition()
    return web.Response(body=body, content_type="text/plain", charset="utf-8")


async def metrics_with_key(request: web.Request) -> web.Response:
    authorize(request)
    return _exposition(request.app)


_SERVED = web.AppKey("served_app", web.Application)


async def metrics_without_key(request: web.Request) -> web.Response:
    return _exposition(request.app[_SERVED])


def add_metrics(app: web.Application, setting: str) -> None:
    """Serve the app's metrics as `setting` says (checked here, before anything starts)."""
    address = metrics_address(setting)
    if address is None:
        app.router.add_get("/metrics", metrics_with_key)
        return
    host, port = address

    async def listener(app: web.Application) -> AsyncIterator[None]:
        private = web.Application()
        private[_SERVED] = app
        private.router.add_get("/metrics", metrics_without_key)
        runner = web.AppRunner(private, access_log=None)
        await runner.setup()
        # Workers of `--workers N` share the address like the public port (a scrape reaches one).
        await web.TCPSite(runner, host, port, reuse_port=True).start()
        yield
        await runner.cleanup()

    app.cleanup_ctx.append(listener)
