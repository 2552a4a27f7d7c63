"""A broadcast never reaches a customer whose double opt-in is unconfirmed, on SQLite and
Redis: a pending yes is no holding — the broadcast hands them nothing, in any page — and once
they confirm, the next broadcast reaches them; a confirmation after its time grants nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from framework.consents.service import Consents
from framework.stores.broadcasts import DONE
from framework.stores.consents import MARKETING
from framework.stores.records import SessionKey
from tests.broadcasts.rig import DAY, KINDS, rig_on

SETTINGS = "consents: {double_opt_in: [marketing], confirm_within: 24h}\n"
ASKED, CONFIRM = "Angebote von Laden Lina?", "Bitte bestätige: Laden Lina schickt dir Angebote."


@pytest.mark.parametrize("kind", KINDS)
async def test_an_unconfirmed_yes_gets_no_broadcast_until_it_is_confirmed(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with rig_on(kind, tmp_path, request.config, SETTINGS) as rig:
        assert rig.bot.consents.confirms(MARKETING)
        consents = Consents(rig.consents)
        ada, ben, cem = (SessionKey("shop", "whatsapp", name) for name in ("ada", "ben", "cem"))
        [dora] = await rig.grant(MARKETING, "whatsapp:dora")  # a single opt-in of before
        until = rig.now + DAY
        for key in (ada, ben, cem):
            await consents.ask(key, MARKETING, ASKED, "flow:offers", "de", rig.now, until)
        assert await consents.confirm(ben, MARKETING, CONFIRM, "flow:offers", "de", rig.now + 60)
        first = await rig.steps(await rig.started())
        assert (first.status, first.queued) == (DONE, 2)
        assert rig.reached(first.id) == sorted([str(ben), dora])
        rig.now += DAY + 1  # ada confirms in time, cem a second too late
        late = await consents.confirm(cem, MARKETING, CONFIRM, "flow:offers", "de", rig.now)
        assert late is None
        await consents.confirm(ada, MARKETING, CONFIRM, "flow:offers", "de", until)
        second = await rig.steps(await rig.started())
        assert rig.reached(second.id) == sorted([str(ada), str(ben), dora])
        assert str(cem) not in {key for key, _ in rig.got}
