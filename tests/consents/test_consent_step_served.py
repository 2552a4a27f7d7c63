"""The `consent:` step in a bot served by the real app on SQLite, as a customer meets it over
REST: a yes makes them hear the café's news, a no keeps a decline and they hear nothing, and
under double opt-in only their JA to the confirmation lets the news through."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from framework.stores.consents import GRANTED, PENDING, WITHDRAWN
from tests.consents.cafe import ADMIN, NOW, entries, holders, notify
from tests.consents.cafe import BOT as CAFE
from tests.served import say, served, times_told

Client = TestClient[web.Request, web.Application]
QUESTION = "Darf Café Kranz dir hier sagen, wenn es frischen Kuchen gibt?"
CONFIRM = "Bitte bestätige: Café Kranz sagt dir hier, wenn es Kuchen gibt. Antworte JA."
CAKE = "Frisch aus dem Ofen: Pflaumenkuchen."
FLOWS = f"""
texts:
  fresh_cake:
    de: "{CAKE}"
flows:
  news:
    triggers: [neuigkeiten]
    steps:
      - consent:
          purpose: "notify:news"
          text: "{QUESTION}"
          confirm: "{CONFIRM}"
          save: wants
      - end: "Stand: {{{{ wants }}}}"
"""
SINGLE = CAFE.split("slots:")[0] + FLOWS
DOUBLE = CAFE.split("slots:")[0] + "consents: {double_opt_in: [notify]}\n" + FLOWS


@pytest.fixture(params=["single", "double"])
async def cafe(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    monkeypatch.setenv("THEKE_ADMIN_KEY", ADMIN)
    bot = SINGLE if request.param == "single" else DOUBLE
    async with served(tmp_path / "cafe", bot, NOW, channels={"rest": {}}) as client:
        yield client


async def test_a_yes_lets_the_news_through_and_a_no_keeps_a_decline(cafe: Client) -> None:
    assert await say(cafe, "ada", "neuigkeiten") == [QUESTION]
    answer = await say(cafe, "ada", "ja gerne")
    if answer == [CONFIRM]:  # double opt-in: nothing before the JA
        assert await holders(cafe, "notify:news") == []
        assert [e.state for e in await entries(cafe, "cafe:rest:ada")] == [PENDING]
        answer = await say(cafe, "ada", "JA")
    assert answer == ["Stand: True"]
    assert (await entries(cafe, "cafe:rest:ada"))[-1].state == GRANTED
    assert await say(cafe, "ben", "neuigkeiten") == [QUESTION]
    assert await say(cafe, "ben", "nein danke") == ["Stand: False"]
    [declined] = await entries(cafe, "cafe:rest:ben")
    assert (declined.state, declined.text, declined.source) == (WITHDRAWN, QUESTION, "flow:news")
    assert await holders(cafe, "notify:news") == ["cafe:rest:ada"]
    assert await notify(cafe, "evt-1") == 1
    assert await times_told(cafe, "ada", CAKE, 1) == 1
    assert await times_told(cafe, "ben", CAKE) == 0  # no notice was handed to ben
