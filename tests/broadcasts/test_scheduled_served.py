"""A broadcast sent at a time, through the real app on SQLite with two workers (the shop of
test_broadcasts_served.py, its clock moved by hand): scheduled with the admin API, it reaches
nobody while the workers' loops step before its time and the two holders once after it, on
either worker; it can be moved, sent now or cancelled; bad times are refused and change
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from framework.stores.broadcasts import CANCELLED, DONE, DRAFT, SCHEDULED, SENDING
from tests.broadcasts.test_broadcasts_served import (
    AUTH,
    NOW,
    broadcasts,
    created,
    offers,
    post,
    sent_out,
    shop,
    status,
)

__all__ = ["shop"]  # the fixture, used by name

ONE_PM = NOW + 3600  # 13:00 in Berlin (NOW is noon there)


async def test_a_scheduled_broadcast_reaches_the_holders_only_after_its_time(shop: Any) -> None:
    state, first, second = shop
    broadcast_id = await created(first)
    answer = await post(first, f"/admin/broadcasts/{broadcast_id}/send", {"at": "2026-11-30 13:00"})
    assert (answer["status"], answer["starts_at"], answer["started_at"]) == (
        SCHEDULED,
        ONE_PM,
        0,
    )
    preview = await post(first, f"/admin/broadcasts/{broadcast_id}/preview")
    assert (preview["status"], preview["conversations"]) == (SCHEDULED, 2)
    for moment in (NOW, ONE_PM - 60, ONE_PM - 0.5):
        state.now = moment
        for client in (first, second):
            assert await broadcasts(client).sender.step() is None
    assert await offers(first, [0, 0, 0]) == [0, 0, 0]
    assert (await status(second, broadcast_id))["status"] == SCHEDULED

    state.now = ONE_PM  # this test's steps, or the workers' own loops, start it
    await sent_out(first, broadcast_id, broadcasts(second).sender.step)
    final = await status(first, broadcast_id)
    assert (final["status"], final["queued"]) == (DONE, 2)
    assert final["starts_at"] == final["started_at"] == ONE_PM
    assert await offers(first, [1, 1, 0]) == [1, 1, 0]


async def test_a_scheduled_broadcast_is_moved_sent_now_or_cancelled(shop: Any) -> None:
    state, first, _ = shop
    later, now, never = [await created(first) for _ in range(3)]
    for broadcast_id in (later, now, never):
        await post(
            first, f"/admin/broadcasts/{broadcast_id}/send", {"at": "2026-11-30T14:00+01:00"}
        )
    moved = await post(first, f"/admin/broadcasts/{later}/send", {"at": "2026-12-01T09:00:00Z"})
    assert (moved["status"], moved["starts_at"]) == (SCHEDULED, NOW + 22 * 3600)
    assert (await post(first, f"/admin/broadcasts/{later}/pause", status=409))["error"]
    assert (await post(first, f"/admin/broadcasts/{never}/cancel"))["status"] == CANCELLED
    assert (await post(first, f"/admin/broadcasts/{now}/send"))["status"] == SENDING
    await sent_out(first, now, broadcasts(first).sender.step)
    assert await offers(first, [1, 1, 0]) == [1, 1, 0]

    state.now = ONE_PM + 3600
    for _ in range(3):
        assert await broadcasts(first).sender.step() is None  # cancelled, and moved on
    assert (await status(first, later))["status"] == SCHEDULED
    assert (await status(first, never))["status"] == CANCELLED


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"at": "2026-11-30 11:59"}, "is past"),  # in Berlin: 10:59 UTC
        ({"at": "2026-11-30T11:00:00Z"}, "is past"),  # now is no time ahead
        ({"at": "2027-03-01 09:00"}, "more than 90 days ahead"),
        ({"at": "tomorrow at nine"}, "a date with a time"),
        ({"at": "2026-12-10"}, "a date with a time"),
        ({"at": "2026-13-45 09:00"}, "is no date and time"),
        ({"at": "2026-12-10 09:00" + " " * 100}, "at most 40 characters"),
        ({"at": 1796040000}, "a date and time"),
        ({"at": None}, "a date and time"),
        ({"when": "2026-12-10 09:00"}, "send takes at most 'at'"),
    ],
)
async def test_bad_times_are_refused_and_change_nothing(
    shop: Any, body: dict[str, Any], said: str
) -> None:
    _, first, _ = shop
    broadcast_id = await created(first)
    answer = await post(first, f"/admin/broadcasts/{broadcast_id}/send", body, 400)
    assert said in answer["error"]
    assert (await status(first, broadcast_id))["status"] == DRAFT


async def test_a_time_for_a_broadcast_already_sending_is_refused(shop: Any) -> None:
    _, first, _ = shop
    broadcast_id = await created(first)
    await post(first, f"/admin/broadcasts/{broadcast_id}/send")
    answer = await post(
        first, f"/admin/broadcasts/{broadcast_id}/send", {"at": "2026-11-30 15:00"}, 409
    )
    assert "a sending broadcast cannot be scheduled" in answer["error"]
    response = await first.post(
        "/admin/broadcasts/nobody/send", json={"at": "2026-11-30 15:00"}, headers=AUTH
    )
    assert response.status == 404
