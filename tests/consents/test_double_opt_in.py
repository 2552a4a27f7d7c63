"""Double opt-in through the real app on SQLite (`consents: {double_opt_in: true}`): a
customer's yes to the question is pending — the notify API reaches nobody whose yes is not
confirmed, and their conversation shows nothing; their JA grants it, with both texts and both
times in the ledger; a STOP before the JA leaves nothing to confirm, and START gives back no
yes that was never confirmed. The confirmation's time limit is the ledger's own (`until`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from framework.consents.service import Consents
from framework.stores.consents import GRANTED, PENDING, WITHDRAWN
from framework.stores.memory.consents import MemoryConsents
from framework.stores.records import SessionKey
from tests.consents.cafe import ADMIN, NOW, entries, holders, notify
from tests.consents.cafe import BOT as CAFE
from tests.served import say, served, times_told

QUESTION = "Darf Café Kranz dir hier sagen, wenn es frischen Kuchen gibt?"
CONFIRM = "Bitte bestätige: Café Kranz sagt dir hier, wenn es frischen Kuchen gibt. Antworte JA."
CAKE = "Frisch aus dem Ofen: Pflaumenkuchen."
BOT = (
    CAFE.split("slots:")[0]
    + f"""
consents:
  double_opt_in: true
  confirm_within: 24h
slots:
  wants: {{type: yes_no}}
  confirmed: {{type: yes_no}}
  granted: {{type: text}}
texts:
  news_question:
    de: "{QUESTION}"
  news_confirm:
    de: "{CONFIRM}"
  fresh_cake:
    de: "{CAKE}"
flows:
  news:
    triggers: [neuigkeiten]
    steps:
      - ask: wants
        text: "{{{{ texts.news_question }}}}"
      - action: consent.grant
        args: {{purpose: "notify:news", text: "{{{{ texts.news_question }}}}", flow: news}}
        save: {{granted: granted}}
      - if: "granted == 'pending'"
        then:
          - ask: confirmed
            text: "{{{{ texts.news_confirm }}}}"
          - if: "not confirmed"
            then:
              - end: "Dann nicht."
          - action: consent.confirm
            args: {{purpose: "notify:news", text: "{{{{ texts.news_confirm }}}}", flow: news}}
            save: {{granted: granted}}
      - end: "Stand: {{{{ granted }}}}"
"""
)
PURPOSE = "notify:news"


@pytest.fixture
async def cafe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient]:
    monkeypatch.setenv("THEKE_ADMIN_KEY", ADMIN)
    async with served(tmp_path / "cafe", BOT, NOW, channels={"rest": {}}) as client:
        yield client


async def test_nobody_hears_anything_before_confirming_and_the_grant_keeps_both(
    cafe: TestClient,
) -> None:
    assert await say(cafe, "ada", "neuigkeiten") == [QUESTION]
    assert await say(cafe, "ada", "ja") == [CONFIRM]
    [asked] = await entries(cafe, "cafe:rest:ada")
    assert (asked.state, asked.text, asked.at, asked.until) == (PENDING, QUESTION, NOW, NOW + 86400)
    assert await holders(cafe, PURPOSE) == []
    assert await notify(cafe, "evt-1") == 0
    assert await times_told(cafe, "ada", CAKE) == 0
    assert await say(cafe, "ada", "JA") == ["Stand: yes"]
    granted = (await entries(cafe, "cafe:rest:ada"))[-1]
    assert (granted.state, granted.text, granted.at) == (GRANTED, CONFIRM, NOW)
    assert (granted.asked, granted.asked_at, granted.source) == (QUESTION, NOW, "flow:news")
    assert await holders(cafe, PURPOSE) == ["cafe:rest:ada"]
    assert await notify(cafe, "evt-2") == 1
    assert await times_told(cafe, "ada", CAKE, 1) == 1


async def test_a_stop_before_the_confirmation_leaves_nothing_to_confirm(cafe: TestClient) -> None:
    await say(cafe, "ben", "neuigkeiten")
    await say(cafe, "ben", "ja")
    assert (await say(cafe, "ben", "STOP"))[0].startswith("Erledigt")
    assert (await say(cafe, "ben", "JA"))[-1] == "Stand: no"
    await say(cafe, "ben", "START")
    states = [entry.state for entry in await entries(cafe, "cafe:rest:ben")]
    assert states == [PENDING, WITHDRAWN]  # START gives back no yes that was never confirmed
    assert await notify(cafe, "evt-3") == 0
    assert await times_told(cafe, "ben", CAKE) == 0


async def test_a_no_to_the_confirmation_grants_nothing(cafe: TestClient) -> None:
    await say(cafe, "cem", "neuigkeiten")
    await say(cafe, "cem", "ja")
    assert await say(cafe, "cem", "nein") == ["Dann nicht."]
    assert await holders(cafe, PURPOSE) == []
    assert await notify(cafe, "evt-4") == 0


async def test_a_confirmation_after_the_time_limit_grants_nothing() -> None:
    consents, key = Consents(MemoryConsents()), SessionKey("cafe", "rest", "dora")
    await consents.ask(key, PURPOSE, QUESTION, "flow:news", "de", NOW, NOW + 86400)
    assert await consents.confirm(key, PURPOSE, CONFIRM, "flow:news", "de", NOW + 86401) is None
    assert await consents.store.holders("cafe", PURPOSE) == []
    done = await consents.confirm(key, PURPOSE, CONFIRM, "flow:news", "de", NOW + 86400)
    assert done is not None and (done.asked_at, done.at) == (NOW, NOW + 86400)
    assert await consents.confirm(key, PURPOSE, CONFIRM, "flow:news", "de", NOW + 9) is None
