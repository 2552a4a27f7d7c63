"""Signing in to the agent inbox: one message for a wrong name or password, the lockout after
too many tries, the cookie's flags, every change refused 403 without the page's CSRF token (and
nothing changed), signing out ends the session, and no inbox route answers anybody signed out."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp.test_utils import TestClient

from framework.handoffs.web import HANDOFFS
from framework.inbox.auth import AGENTS, COOKIE
from framework.stores.agents import MAX_ATTEMPTS
from tests.inbox.conftest import NOON, Browser, say

ADA = "shop:rest:ada"


async def test_a_wrong_name_and_a_wrong_password_read_the_same(
    open_browser: Callable[[], Browser],
) -> None:
    browser = open_browser()
    wrong_password = await browser.sign_in("anna", "not the password at all")
    unknown_name = await browser.sign_in("nobody", "not the password at all")
    assert wrong_password.status == unknown_name.status == 401
    texts = [await wrong_password.text(), await unknown_name.text()]
    assert all("The name or the password is wrong." in text for text in texts)
    assert COOKIE not in {cookie.key for cookie in browser.session.cookie_jar}


async def test_too_many_tries_lock_the_name_even_for_the_right_password(
    open_browser: Callable[[], Browser],
) -> None:
    browser = open_browser()
    for _ in range(MAX_ATTEMPTS):
        await browser.sign_in("ben", "guessing wrongly again")
    locked = await browser.sign_in("ben")
    assert locked.status == 429
    assert "Too many attempts for this name. Try again in 15 minutes" in await locked.text()
    assert not browser.csrf
    assert (await open_browser().sign_in("anna")).status == 303  # another name is not locked


async def test_the_session_cookie_is_http_only_strict_and_secure_over_https(
    shop: TestClient,
) -> None:
    form = {"name": "anna", "password": "correct horse battery staple"}
    plain = await shop.post("/inbox/login", data=form, allow_redirects=False)
    assert plain.status == 303 and plain.headers["Location"] == "/inbox"
    cookie = plain.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/inbox"
    assert not cookie["secure"]  # plain http: a Secure cookie would never come back
    behind_tls = await shop.post(
        "/inbox/login",
        data=form,
        headers={"X-Forwarded-Proto": "https"},
        allow_redirects=False,
    )
    assert behind_tls.cookies[COOKIE]["secure"]
    token = cookie.value
    assert token not in await (await shop.get("/inbox")).text()  # never on the page


async def test_a_change_without_the_csrf_token_is_refused_and_changes_nothing(
    shop: TestClient, open_browser: Callable[[], Browser]
) -> None:
    await say(shop, "ada", "I want to talk to a person")
    anna = open_browser()
    await anna.sign_in("anna")
    claim = f"/inbox/c/shop/{ADA}/claim"
    for refused in (
        await anna.post(claim, csrf=False),
        await anna.post(claim, {"csrf": "forged"}, csrf=False),
        await anna.post(claim, csrf=False, json=False),
    ):
        assert refused.status == 403
        assert "CSRF" in (await refused.json())["error"]
    assert (await shop.server.app[HANDOFFS].store.get("shop", ADA)).state == "queued"
    foreign = await anna.session.post(
        anna.url(claim), headers={"X-CSRF-Token": anna.csrf, "Origin": "https://evil.example"}
    )
    assert foreign.status == 403
    assert (await shop.server.app[HANDOFFS].store.get("shop", ADA)).state == "queued"
    form = await anna.post(claim, {"csrf": anna.csrf}, csrf=False, json=False)
    assert form.status == 303  # the token in the form's field does
    assert (await shop.server.app[HANDOFFS].store.get("shop", ADA)).agent == "anna"


async def test_signing_out_ends_the_session(
    shop: TestClient, open_browser: Callable[[], Browser]
) -> None:
    anna = open_browser()
    await anna.sign_in("anna")
    token = next(cookie.value for cookie in anna.session.cookie_jar if cookie.key == COOKIE)
    assert (await anna.post("/inbox/logout", csrf=False)).status == 403  # CSRF here too
    out = await anna.post("/inbox/logout", json=False)
    assert out.status == 303 and out.headers["Location"] == "/inbox/login"
    assert await shop.server.app[AGENTS].session(token, NOON) is None
    page = await anna.session.get(anna.url("/inbox"), allow_redirects=False)
    assert page.status == 303 and page.headers["Location"] == "/inbox/login"
    stolen = await shop.get("/inbox", cookies={COOKIE: token}, allow_redirects=False)
    assert stolen.status == 303  # the old cookie is worth nothing


INBOX_PAGES = ("/inbox", f"/inbox/c/shop/{ADA}", "/inbox/tickets", "/inbox/tickets/shop/1001")
INBOX_CHANGES = (
    *(f"/inbox/c/shop/{ADA}/{action}" for action in ("claim", "say", "slots", "release")),
    *(f"/inbox/c/shop/{ADA}/{action}" for action in ("return", "close")),
    *(f"/inbox/tickets/shop/1001/{change}" for change in ("reply", "note", "solved", "closed")),
    "/inbox/logout",
)


async def test_no_inbox_route_answers_anybody_signed_out(shop: TestClient) -> None:
    await say(shop, "ada", "I want to talk to a person")
    for path in INBOX_PAGES:
        page = await shop.get(path, allow_redirects=False)
        assert (page.status, page.headers.get("Location")) == (303, "/inbox/login"), path
    for path in INBOX_CHANGES:
        change = await shop.post(path, data={"text": "hi"}, allow_redirects=False)
        assert change.status == 401, path
    socket = await shop.get(
        "/inbox/live", headers={"Upgrade": "websocket", "Connection": "Upgrade"}
    )
    assert socket.status == 401
    assert (await shop.server.app[HANDOFFS].store.get("shop", ADA)).state == "queued"
    login = await shop.get("/inbox/login")
    assert login.status == 200 and 'autocomplete="current-password"' in await login.text()
