"""Segments narrow a broadcast's holders, on SQLite and Redis with a clock the test moves: by
tags (all, any, none), language, channel, last order, last seen, the answers a flow noted
(case and accents aside) and the consents of other purposes held (all, any, none; a withdrawn
or pending one holds nothing); a segment never reaches a customer without the consent; the
preview counts per channel after it; quiet hours are each contact's own when their time zone
is known. And what a segment may be: everything else is refused with the reason."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from framework.broadcasts.rules import QUIET_HOURS
from framework.stores.broadcasts import DONE, SENDING
from framework.stores.consents import MARKETING, PENDING, Consent
from framework.stores.contacts import ContactChange
from framework.stores.segments import MAX_DAYS, Segment, SegmentError
from tests.broadcasts.rig import DAY, HOUR, KINDS, Rig, rig_on


@pytest.fixture(params=KINDS)
async def shop(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Rig]:
    settings = 'broadcasts: {quiet_hours: "21:00-08:00"}\n'
    async with rig_on(str(request.param), tmp_path, request.config, settings) as rig:
        rig.now -= 10 * HOUR  # Tuesday 12:00 in Berlin: no quiet hours
        yield rig


async def customers(shop: Rig) -> dict[str, str]:
    """Five who agreed to offers (and one who did not), with what their contacts know."""
    keys = await shop.grant(
        MARKETING, "whatsapp:ada", "whatsapp:ben", "telegram:cem", "web:dora", "telegram:emil"
    )
    ada, ben, cem, dora, emil = keys
    now = shop.now
    known = {
        ada: ContactChange(seen_on="whatsapp", lang="de", add=("vegetarian", "pizza")),
        ben: ContactChange(seen_on="whatsapp", lang="en", add=("pizza",), ordered=True),
        cem: ContactChange(seen_on="telegram", lang="de", add=("vegetarian", "vip")),
        dora: ContactChange(seen_on="web", lang="de", add=("pasta",)),
        "shop:whatsapp:nobody": ContactChange(add=("vegetarian", "pizza")),  # no consent
    }
    for conversation, change in known.items():
        await shop.contacts.update("shop", conversation, change, now - 40 * DAY)
    await shop.contacts.update("shop", ada, ContactChange(ordered=True), now - 10 * DAY)
    await shop.contacts.update("shop", cem, ContactChange(seen_on="telegram"), now - DAY)
    # emil never wrote: his consent came from an import, he has no contact
    noted = {
        ada: {"diet": "Vegetarian", "city": "München"},
        ben: {"diet": "vegan", "city": "Hamburg"},
        cem: {"city": "munchen"},
        dora: {"diet": "VEGETARIAN"},
        "shop:whatsapp:nobody": {"diet": "vegetarian"},
    }
    for conversation, answers in noted.items():
        change = ContactChange(answers=tuple(answers.items()))
        await shop.contacts.update("shop", conversation, change, now - 40 * DAY)
    await shop.grant(NEWS, "whatsapp:ada", "telegram:cem", "telegram:emil", "web:dora")
    await shop.grant(VIP, "whatsapp:ben")
    await shop.consents.withdraw_all("shop", dora, "STOP", "web", "stop", now, NOTIFY)
    asked = Consent("shop", ben, NEWS, PENDING, "News?", "whatsapp", "flow:x", now, until=now + 60)
    await shop.consents.record(asked)  # asked, never confirmed: holds nothing
    return {"ada": ada, "ben": ben, "cem": cem, "dora": dora, "emil": emil}


NEWS, VIP, NOTIFY = "notify:news", "notify:vip", "notify:"
TEN = [f"notify:b{n}" for n in range(10)]


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ({}, ["ada", "ben", "cem", "dora", "emil"]),
        ({"tags": {"all": ["vegetarian"]}}, ["ada", "cem"]),
        ({"tags": {"all": ["vegetarian", "pizza"]}}, ["ada"]),
        ({"tags": {"any": ["pizza", "pasta"]}}, ["ada", "ben", "dora"]),
        ({"tags": {"any": ["pizza"], "none": ["vegetarian"]}}, ["ben"]),
        ({"tags": {"none": ["vip"]}}, ["ada", "ben", "dora", "emil"]),
        ({"languages": ["en"]}, ["ben"]),
        ({"channels": ["telegram"]}, ["cem", "emil"]),
        ({"ordered_within_days": 30}, ["ada"]),
        ({"ordered_within_days": 60}, ["ada", "ben"]),
        ({"no_order_days": 30}, ["ben", "cem", "dora", "emil"]),
        ({"seen_within_days": 7}, ["cem"]),
        (
            {"seen_within_days": 60, "channels": ["whatsapp"], "tags": {"any": ["pizza"]}},
            ["ada", "ben"],
        ),
        ({"answers": {"diet": "vegetarian"}}, ["ada", "dora"]),
        ({"answers": {"diet": ["Végétarian"]}}, ["ada", "dora"]),
        ({"answers": {"city": ["MÜNCHEN", "hamburg"]}}, ["ada", "ben", "cem"]),
        ({"answers": {"diet": "vegetarian", "city": "munchen"}}, ["ada"]),
        ({"answers": {"city": "Berlin"}}, []),
        ({"consents": {"all": [NEWS]}}, ["ada", "cem", "emil"]),
        ({"consents": {"all": [NEWS, VIP]}}, []),
        ({"consents": {"any": [NEWS, VIP]}}, ["ada", "ben", "cem", "emil"]),
        ({"consents": {"none": [NEWS]}}, ["ben", "dora"]),
        ({"consents": {"all": [NEWS]}, "channels": ["telegram"]}, ["cem", "emil"]),
        (
            {"answers": {"city": "münchen"}, "consents": {"none": [VIP], "any": [NEWS]}},
            ["ada", "cem"],
        ),
    ],
)
async def test_a_segment_narrows_the_holders(
    shop: Rig, segment: dict[str, Any], expected: list[str]
) -> None:
    people = await customers(shop)
    offer = await shop.started(segment=Segment.parse(segment))
    preview = await shop.broadcasts.preview(offer)
    wanted = sorted(people[name] for name in expected)
    assert preview["conversations"] == len(wanted)
    assert preview["outside_segment"] == 5 - len(wanted)
    by_channel: dict[str, int] = {}
    for key in wanted:
        by_channel[key.split(":")[1]] = by_channel.get(key.split(":")[1], 0) + 1
    assert preview["channels"] == dict(sorted(by_channel.items()))
    done = await shop.steps(offer)
    assert (done.status, done.queued, done.outside) == (DONE, len(wanted), 5 - len(wanted))
    assert shop.reached(offer) == wanted  # never "nobody", who holds no consent
    assert (await shop.broadcasts.get(offer)).segment == Segment.parse(segment).to_json()


async def test_quiet_hours_are_the_contacts_own_when_their_zone_is_known(shop: Rig) -> None:
    shop.now += 10 * HOUR  # Tuesday 22:00 in Berlin, 16:00 in New York, 06:00 in Tokyo
    ny, ada, tokyo = await shop.grant(MARKETING, "telegram:ny", "whatsapp:ada", "whatsapp:tokyo")
    for key, zone in ((ny, "America/New_York"), (tokyo, "Asia/Tokyo")):
        await shop.contacts.update("shop", key, ContactChange(timezone=zone), shop.now)
    offer = await shop.started()
    waiting = await shop.steps(offer, most=3)
    assert (waiting.status, waiting.waiting, waiting.queued) == (SENDING, QUIET_HOURS, 1)
    assert shop.reached(offer) == [ny]  # ada's night (the business's zone) holds the rest
    shop.now += 10 * HOUR  # 08:00 in Berlin, 16:00 in Tokyo
    done = await shop.steps(offer)
    assert (done.status, done.queued) == (DONE, 3)
    assert shop.reached(offer) == sorted([ny, ada, tokyo])
    assert set(shop.got.values()) == {1}


async def test_a_contact_in_the_night_waits_while_the_business_is_awake(shop: Rig) -> None:
    (tokyo,) = await shop.grant(MARKETING, "whatsapp:tokyo")  # 20:00 in Tokyo at 12:00 Berlin
    await shop.contacts.update("shop", tokyo, ContactChange(timezone="Asia/Tokyo"), shop.now)
    shop.now += 2 * HOUR  # 14:00 in Berlin, 22:00 in Tokyo
    offer = await shop.started()
    assert (await shop.steps(offer, most=3)).waiting == QUIET_HOURS
    assert shop.reached(offer) == []
    shop.now += 10 * HOUR  # 08:00 in Tokyo
    assert (await shop.steps(offer)).status == DONE
    assert shop.reached(offer) == [tokyo]


@pytest.mark.parametrize(
    ("segment", "said"),
    [
        ([], "a segment is an object"),
        ("vip", "a segment is an object"),
        ({"tag": ["vip"]}, "a segment has no 'tag'"),
        ({"tags": ["vip"]}, "tags: an object of all, any and none"),
        ({"tags": {"some": ["vip"]}}, "tags: an object of all, any and none"),
        ({"tags": {"all": "vip"}}, "tags.all: a list of 1 to 50"),
        ({"tags": {"all": []}}, "tags.all: a list of 1 to 50"),
        ({"tags": {"any": ["VIP"]}}, "tags.any: 'VIP' is not a tag"),
        ({"tags": {"none": [f"t{n}" for n in range(51)]}}, "a list of 1 to 50"),
        ({"languages": ["deutsch"]}, "languages: 'deutsch' is not a language code"),
        ({"channels": ["fax!"]}, "channels: 'fax!' is not a channel"),
        ({"ordered_within_days": 0}, "a whole number of days from 1 to 3650"),
        ({"no_order_days": MAX_DAYS + 1}, "no_order_days: a whole number of days"),
        ({"seen_within_days": True}, "seen_within_days: a whole number"),
        ({"seen_within_days": "30"}, "seen_within_days: a whole number"),
        ({"answers": []}, "answers: an object of 1 to 20 answers' names"),
        ({"answers": {}}, "answers: an object of 1 to 20"),
        ({"answers": {f"a{n}": "x" for n in range(21)}}, "answers: an object of 1 to 20"),
        ({"answers": {"Diet": "vegan"}}, "answers: 'Diet' is not an answer's name"),
        ({"answers": {"diet": ""}}, "answers.diet: a text of 1 to 200 characters"),
        ({"answers": {"diet": "x" * 201}}, "answers.diet: a text of 1 to 200"),
        ({"answers": {"diet": []}}, "answers.diet: a text"),
        ({"answers": {"diet": [{"any": "vegan"}]}}, "answers.diet: a text"),
        ({"answers": {"diet": ["x"] * 21}}, "answers.diet: a text"),
        ({"consents": ["marketing"]}, "consents: an object of all, any and none"),
        ({"consents": {"some": ["marketing"]}}, "consents: an object of all, any and none"),
        ({"consents": {"all": ["advertising"]}}, "consents.all: 'advertising' is not a purpose"),
        ({"consents": {"none": []}}, "consents.none: a list of 1 to 20"),
        (
            {"consents": {"any": [f"notify:a{n}" for n in range(11)], "none": TEN}},
            "consents: at most 20 purposes in all",
        ),
    ],
)
def test_what_a_segment_may_not_be_is_refused_with_the_reason(segment: Any, said: str) -> None:
    with pytest.raises(SegmentError, match=said.replace("(", r"\(")):
        Segment.parse(segment)


def test_a_segment_is_kept_as_written_and_everyone_is_empty() -> None:
    written = {"tags": {"all": ["a", "a"], "none": ["b"]}, "no_order_days": 90}
    assert Segment.parse(written).to_json() == {
        "tags": {"all": ["a"], "none": ["b"]},
        "no_order_days": 90,
    }
    assert Segment.parse(None) == Segment.parse({}) == Segment()
    assert Segment().to_json() == {} and not Segment().needs_contacts
    assert not Segment.parse({"channels": ["web"]}).needs_contacts
    noted = {"answers": {"diet": ["vegan", "Vegan", "vegetarian"], "city": "Köln"}}
    assert Segment.parse(noted).to_json() == {
        "answers": {"diet": ["vegan", "Vegan", "vegetarian"], "city": "Köln"}
    }
    assert Segment.parse(noted).needs_contacts and not Segment.parse(noted).purposes
    held = {"consents": {"any": ["notify:a", "marketing"], "none": ["notify:a"]}}
    segment = Segment.parse(held)
    assert segment.to_json() == held and not segment.needs_contacts
    assert segment.purposes == ("notify:a", "marketing")


def test_a_segment_says_what_it_asks_for() -> None:
    written = {
        "tags": {"all": ["vip"], "none": ["staff"]},
        "channels": ["whatsapp"],
        "ordered_within_days": 30,
        "answers": {"diet": "vegan", "city": ["Köln", "Bonn"]},
        "consents": {"any": ["notify:news", "notify:vip"], "none": ["notify:staff"]},
    }
    assert Segment.parse(written).explained() == [
        "tags: every one of vip",
        "tags: none of staff",
        "channel: whatsapp",
        "paid an order within the last 30 days",
        "answer diet: 'vegan' (case and accents aside)",
        "answer city: 'Köln' or 'Bonn' (case and accents aside)",
        "consents: holds at least one of notify:news, notify:vip",
        "consents: holds none of notify:staff",
    ]
    assert Segment().explained() == []
