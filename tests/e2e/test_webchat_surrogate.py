"""A lone surrogate stored in a conversation (written by an older version, before inbox items
replaced them) no longer breaks the web chat: the socket died on its first send, the page
reconnected 40 times in 20 s and the conversation could not be shown for a day."""

from __future__ import annotations

import asyncio
import re
import threading
from pathlib import Path

from playwright.sync_api import BrowserContext, expect

from framework.stores.records import Commit, InboxItem
from framework.stores.sqlite.sessions import SqliteStore
from tests.e2e.conftest import running_theke
from tests.e2e.test_webchat import (
    RECORD_SOCKETS,
    customer_messages,
    last_bot,
    open_chat,
    write,
)

CUSTOMER = "surrogate-customer-1"
LONE = "\ud83d"
"""The first half of 🍕's UTF-16 pair, alone."""


async def _store_a_broken_text(path: Path) -> None:
    """What an older version wrote: a customer's text with a lone surrogate, and the answer."""
    store = await SqliteStore.open(str(path))
    try:
        key = f"pizza:web:{CUSTOMER}"
        await store.enqueue(key, InboxItem.message("m-0", "2026-11-27T18:00:00+00:00", "hi"))
        claim = await store.claim(key, "older-version", 5.0)
        assert claim is not None
        entries = [
            {"from": "customer", "text": f"Pizza {LONE} bitte"},
            {"from": "bot", "text": "Welche Pizza darf es sein?"},
        ]
        assert await store.commit(claim, Commit("m-0", {}, {}, entries)) is True
    finally:
        await store.close()


def store_a_broken_text(path: Path) -> None:
    # Playwright's sync API keeps an event loop running in this thread: asyncio in another.
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(_store_a_broken_text(path))
        except BaseException as error:
            failure.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


def test_a_stored_lone_surrogate_is_shown_and_the_chat_goes_on(
    tmp_path: Path, phone: BrowserContext
) -> None:
    store_a_broken_text(tmp_path / "state.db")
    with running_theke(tmp_path) as url:
        phone.add_init_script(f"localStorage.setItem('theke:pizza:customer', '{CUSTOMER}')")
        phone.add_init_script(RECORD_SOCKETS)
        errors: list[str] = []
        page = open_chat(phone, url, errors)
        expect(page.locator(".msg--customer").first).to_contain_text(
            re.compile(r"Pizza \ufffd bitte")
        )
        expect(last_bot(page)).to_contain_text("Welche Pizza darf es sein?")
        write(page, "Salami")
        expect(customer_messages(page, "Salami")).to_have_count(1)  # the server's echo
        expect(page.locator(".msg--bot")).not_to_have_count(1)  # and its answer
        assert page.evaluate("window.__thekeSockets.length") == 1  # never reconnected
        assert errors == []
