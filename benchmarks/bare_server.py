"""The ceiling for one REST turn: a bare aiohttp handler on Theke's webhook path.

    .venv/bin/python benchmarks/bare_server.py --port 8090

`benchmarks/load.py` starts it as its `bare` configuration. It does what any handler on this
path must do and nothing more: parse the JSON body, read the sender and answer with a reply
list in the REST channel's shape (a fixed text, as long as the pizza bot's confirmation). No
store, no engine, no rate limit, no metrics: what remains is aiohttp's own cost per request.
"""

from __future__ import annotations

import argparse

from aiohttp import web

REPLY = (
    "Danke! Deine Bestellung über 42,50\u00a0€ ist eingegangen. "
    "Wir liefern in etwa 45 Minuten an Weserstraße 5, 12047 Berlin."
)


async def webhook(request: web.Request) -> web.Response:
    body = await request.json()
    return web.json_response([{"recipient_id": body["sender"], "text": REPLY}])


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/health", health)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    web.run_app(create_app(), host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
