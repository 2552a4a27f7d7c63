"""The rules a broadcast respects while sending, on SQLite and Redis with a clock the test
moves: quiet hours in the business's time zone hold marketing until morning and then everyone
gets it once; a notification goes at once, even in the night; the frequency cap passes over a
contact who got enough this week; the daily limit of unique WhatsApp customers reaches that
many and the others when the window frees room, nobody twice; a worker killed mid-step loses
and doubles nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from framework.broadcasts.rules import DAILY_LIMIT, QUIET_HOURS
from framework.stores.broadcasts import DONE, SENDING
from framework.stores.consents import MARKETING
from tests.broadcasts.rig import DAY, HOUR, KINDS, Crash, Rig, rig_on

FLIGHT = "notify:flight:LH1234:2026-12-02"


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def quiet(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    settings = 'broadcasts: {quiet_hours: "21:00-08:00"}\n'
    async with rig_on(kind, tmp_path, request.config, settings) as rig:
        yield rig


async def test_quiet_hours_hold_an_offer_until_the_morning_then_everyone_gets_it_once(
    quiet: Rig,
) -> None:
    people = await quiet.grant(MARKETING, "whatsapp:ada", "telegram:ben", "web:cem", "web:dora")
    offer = await quiet.started()
    waiting = await quiet.steps(offer, most=3)
    assert (waiting.status, waiting.waiting, waiting.queued, waiting.cursor) == (
        SENDING,
        QUIET_HOURS,
        0,
        "",
    )
    for hours in (2, 5, 9.98):  # 00:00, 03:00, 07:58:48: a wait is looked at a minute on
        quiet.now += hours * HOUR - (quiet.now - waiting.started_at)
        assert (await quiet.steps(offer, most=3)).queued == 0
    await quiet.consents.withdraw_all("shop", people[3], "STOP", "web", "stop", quiet.now)
    quiet.now = waiting.started_at + 10 * HOUR  # 08:00
    done = await quiet.steps(offer)
    assert (done.status, done.waiting, done.queued) == (DONE, "", 3)
    assert quiet.reached(offer) == sorted(people[:3])  # not dora, who said STOP at night
    assert set(quiet.got.values()) == {1}


async def test_a_notification_in_the_night_goes_at_once_even_behind_a_waiting_offer(
    quiet: Rig,
) -> None:
    offered = await quiet.grant(MARKETING, "whatsapp:ada", "telegram:ben")
    travellers = await quiet.grant(FLIGHT, "whatsapp:ada", "web:cem")
    offer = await quiet.started()
    await quiet.broadcasts.sender.step()  # the offer waits, and its worker holds it a minute
    quiet.now += HOUR  # 23:00: the offer's lease ran out, the offer is claimed first again
    delay = await quiet.started(FLIGHT, "delayed")
    done = await quiet.steps(delay, most=2)
    assert (done.status, done.queued) == (DONE, 2)
    assert quiet.reached(delay) == sorted(travellers)
    assert quiet.reached(offer) == []
    quiet.now += 9 * HOUR  # 08:00
    assert (await quiet.steps(offer)).queued == 2
    assert quiet.reached(offer) == sorted(offered)


async def test_the_frequency_cap_passes_over_a_contact_who_got_two_this_week(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    settings = "broadcasts: {frequency_cap: {count: 2, days: 7}}\n"
    async with rig_on(kind, tmp_path, request.config, settings) as rig:
        ada, ben = await rig.grant(MARKETING, "whatsapp:ada", "telegram:ben")
        monday = await rig.started()
        assert (await rig.steps(monday)).queued == 2
        rig.now += 3 * DAY
        [cem] = await rig.grant(MARKETING, "web:cem")
        thursday = await rig.started()
        await rig.consents.withdraw_all("shop", ben, "STOP", "telegram", "stop", rig.now)
        assert rig.reached(thursday) == [] and (await rig.steps(thursday)).queued == 2
        rig.now += 2 * DAY  # Saturday: ada got two this week, cem one
        saturday = await rig.steps(await rig.started())
        assert (saturday.status, saturday.queued, saturday.capped) == (DONE, 1, 1)
        assert rig.reached(saturday.id) == [cem]
        await rig.grant(FLIGHT, "whatsapp:ada")
        news = await rig.steps(await rig.started(FLIGHT, "delayed"))  # wanted news: never capped
        assert (news.queued, news.capped, rig.reached(news.id)) == (1, 0, [ada])
        rig.now += 2.5 * DAY  # Monday's is more than a week old: ada got one in the last seven
        next_week = await rig.steps(await rig.started())
        assert (next_week.queued, next_week.capped) == (1, 1)  # cem got Thursday's and Saturday's
        assert rig.reached(next_week.id) == [ada]
        assert rig.reached(saturday.id) == [cem]  # the capped one never came later


async def test_the_daily_limit_reaches_three_on_whatsapp_and_the_others_after_the_window(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with rig_on(kind, tmp_path, request.config, "broadcasts: {daily_limit: 3}\n") as rig:
        rig.now += 12 * HOUR  # Wednesday 10:00
        people = await rig.grant(
            MARKETING, *(f"whatsapp:49170{n}" for n in range(5)), "web:zoe", "telegram:tom"
        )
        first = await rig.started()
        waiting = await rig.steps(first, most=5)
        assert (waiting.status, waiting.waiting, waiting.queued) == (SENDING, DAILY_LIMIT, 5)
        assert rig.reached(first) == sorted(people[:3] + people[5:])  # telegram, web, 3 on WA
        rig.now += 1 * HOUR
        [late] = await rig.grant(MARKETING, "whatsapp:491709")
        second = await rig.steps(await rig.started(), most=5)  # the same three are free
        assert (second.status, second.waiting, second.queued) == (SENDING, DAILY_LIMIT, 5)
        assert rig.reached(second.id) == rig.reached(first)
        rig.now += 23 * HOUR  # the three were reached 24 hours ago, and again 23 hours ago
        assert (await rig.steps(first, most=1)).waiting == DAILY_LIMIT
        rig.now += HOUR + 1
        done = await rig.steps(first)
        assert (done.status, done.waiting, done.queued) == (DONE, "", 8)
        assert rig.reached(first) == sorted([*people, late])
        assert set(rig.got.values()) == {1}


async def test_a_worker_killed_mid_step_loses_and_doubles_nothing(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    settings = "broadcasts: {frequency_cap: {count: 1, days: 7}, daily_limit: 300}\n"
    async with rig_on(kind, tmp_path, request.config, settings) as rig:
        rig.now += 12 * HOUR
        people = await rig.grant(
            MARKETING,
            *(
                f"{channel}:{n:04d}"
                for channel in ("whatsapp", "telegram", "web")
                for n in range(300)
            ),
            *(f"whatsapp:{n:04d}" for n in range(300, 400)),
        )
        offer = await rig.started()
        rig.crash = True
        with pytest.raises(Crash):  # every page handed out, the cursor never saved
            await rig.broadcasts.sender.step()
        assert len(rig.got) == 900
        other = rig.worker()
        assert await other.sender.step() is None  # the dead worker's lease holds a minute
        rig.now += 61
        again = await other.sender.step()
        assert again is not None
        assert (again.queued, again.waiting) == (900, DAILY_LIMIT)
        assert again.capped == 0  # what it recorded before dying does not cap its own holders
        assert len(rig.got) == 900 and set(rig.got.values()) == {1}
        rig.now += DAY + 1
        done = await rig.steps(offer)
        assert (done.status, done.queued, done.capped, done.skipped) == (DONE, 1000, 0, 0)
        assert rig.reached(offer) == sorted(people)
        assert set(rig.got.values()) == {1}
