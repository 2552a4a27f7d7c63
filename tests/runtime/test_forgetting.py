"""Remembered values can be forgotten, on every store: the customer's "forget my data" and a
flow's `forget:` step delete the profile, and the next conversation (a new session, loaded
from the store alone) is not offered the old address again."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import pytest

from framework.flows import load_bot
from framework.flows.model import Bot
from framework.runtime.turns import Runtime
from framework.stores.records import InboxItem, SessionKey, StoreLimits, iso_time
from framework.stores.session_store import Store

BOT = """
name: desk
business: {name: Desk, locale: en-GB, languages: [en], currency: EUR, timezone: Europe/Berlin}
slots:
  address: {type: text, remember: true}
  phone: {type: text, remember: true}
flows:
  deliver:
    triggers: [deliver]
    steps:
      - ask: address
        text: Where to?
        if_known: confirm
        confirm: {en: "Again to {{ known }}?"}
      - ask: phone
        text: Your phone?
      - say: "On its way to {{ address }}."
  private:
    triggers: [do not keep my address]
    steps:
      - forget: address
      - say: Your address is no longer kept.
"""
KEY = SessionKey("desk", "web", "ada")
pytestmark = pytest.mark.parametrize("limits", [StoreLimits(session_ttl=0.5, profile_ttl=60)])


@pytest.fixture
def bot(tmp_path: Path) -> Bot:
    (tmp_path / "bot.yaml").write_text(BOT, encoding="utf-8")
    return load_bot(tmp_path)


async def write(runtime: Runtime, text: str) -> list[str]:
    item = InboxItem.message(uuid.uuid4().hex, iso_time(time.time()), text)
    return [entry["text"] for entry in await runtime.submit(KEY, item) if entry["from"] == "bot"]


async def a_new_conversation() -> None:
    await asyncio.sleep(1.2)  # the session expires; only the profile would be left


async def remember(runtime: Runtime) -> None:
    await write(runtime, "deliver")
    await write(runtime, "Weserstraße 5")
    assert await write(runtime, "0301234567") == ["On its way to Weserstraße 5."]
    await a_new_conversation()
    assert await write(runtime, "deliver") == ["Again to Weserstraße 5?"]
    await write(runtime, "yes")
    await write(runtime, "0301234567")


async def test_forget_my_data_deletes_the_profile(store: Store, bot: Bot) -> None:
    runtime = Runtime(store, {"desk": bot})
    await remember(runtime)
    said = await write(runtime, "forget my data")
    assert said[0].startswith("Done – I've deleted everything I had remembered about you")
    await a_new_conversation()
    assert await write(runtime, "deliver") == ["Where to?"]
    await write(runtime, "Hauptstraße 1")
    assert await write(runtime, "0307654321") == ["On its way to Hauptstraße 1."]


async def test_a_forget_step_deletes_only_the_named_values(store: Store, bot: Bot) -> None:
    runtime = Runtime(store, {"desk": bot})
    await remember(runtime)
    assert await write(runtime, "do not keep my address") == ["Your address is no longer kept."]
    await a_new_conversation()
    assert await write(runtime, "deliver") == ["Where to?"]
    assert await write(runtime, "Hauptstraße 1") == ["On its way to Hauptstraße 1."]  # phone kept
