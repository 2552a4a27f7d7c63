"""A broadcast's segment as the business gives it: in the admin API's JSON and with `theke
broadcast create --segment` (YAML, JSON or @file); the preview counts after it; a bad segment
is refused with the reason (400, or an error without a traceback)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from framework.stores.contacts import ContactChange
from framework.stores.opening import open_contacts
from tests.broadcasts.test_broadcast_cli import theke
from tests.broadcasts.test_broadcast_cli import workspace as workspace  # the shop's files
from tests.broadcasts.test_broadcasts_served import AUTH, created, post
from tests.broadcasts.test_broadcasts_served import shop as shop  # the shop, served


async def test_the_api_keeps_a_segment_and_the_preview_counts_after_it(shop: Any) -> None:
    _, first, _ = shop
    segment = {"tags": {"none": ["vip"]}, "channels": ["rest"], "seen_within_days": 30}
    broadcast_id = await created(first, segment=segment)
    status = await (await first.get(f"/admin/broadcasts/{broadcast_id}", headers=AUTH)).json()
    assert status["segment"] == segment
    preview = await post(first, f"/admin/broadcasts/{broadcast_id}/preview")
    assert (preview["conversations"], preview["outside_segment"]) == (2, 0)  # ada, ben wrote
    only_vip = await created(first, segment={"tags": {"all": ["vip"]}})
    preview = await post(first, f"/admin/broadcasts/{only_vip}/preview")
    assert (preview["conversations"], preview["channels"], preview["outside_segment"]) == (
        0,
        {},
        2,
    )


@pytest.mark.parametrize(
    ("segment", "said"),
    [
        ({"tags": {"all": ["Not A Tag"]}}, "segment: tags.all: 'Not A Tag' is not a tag"),
        ({"ordered_within_days": -3}, "segment: ordered_within_days"),
        ({"everyone": True}, "segment: a segment has no 'everyone'"),
        (["vip"], "segment: a segment is an object"),
        ("all", "segment: the bot shop has no saved segment 'all'"),  # a string names one
        ("All Of Them", "segment: 'All Of Them' is not a segment's name"),
        ({"answers": {"Diet": "vegan"}}, "segment: answers: 'Diet' is not an answer's name"),
        ({"consents": {"all": ["ads"]}}, "segment: consents.all: 'ads' is not a purpose"),
    ],
)
async def test_the_api_refuses_a_bad_segment_with_the_reason(
    shop: Any, segment: Any, said: str
) -> None:
    _, first, _ = shop
    body = {"bot": "shop", "text": "spring_offer", "values": {"discount": "1"}, "segment": segment}
    response = await first.post("/admin/broadcasts", json=body, headers=AUTH)
    assert response.status == 400
    assert said in (await response.json())["error"]


async def tag_ada_vip(workspace: Path) -> None:
    """Ada's contact in the workspace's store gets the tag vip."""
    contacts = await open_contacts(f"sqlite:///{workspace / 'state.db'}")
    await contacts.update("shop", "shop:whatsapp:ada", ContactChange(add=("vip",)), 1.0)
    await contacts.close()


def test_the_terminal_takes_a_segment_as_yaml_json_or_a_file(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(tag_ada_vip(workspace))
    w = str(workspace)
    (workspace / "segment.yaml").write_text("tags:\n  all: [vip]\n", encoding="utf-8")
    for written in ("{tags: {all: [vip]}}", '{"tags": {"all": ["vip"]}}', "@segment.yaml"):
        if written.startswith("@"):
            written = f"@{workspace / 'segment.yaml'}"
        code, out, err = theke(
            capsys, "create", "-w", w, "--text", "spring_offer", "--segment", written, "--json"
        )
        assert code == 0, err
        made = json.loads(out)
        assert made["segment"] == {"tags": {"all": ["vip"]}}
        code, out, _ = theke(capsys, "preview", made["id"], "-w", w)
        assert "would reach 1 person now: whatsapp 1" in out
        assert 'segment {"tags": {"all": ["vip"]}} leaves out 2 holder(s)' in out


def test_the_terminal_preview_says_what_the_segment_asks_for(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def note() -> None:
        contacts = await open_contacts(f"sqlite:///{workspace / 'state.db'}")
        noted = ContactChange(answers=(("diet", "Vegan"),))
        await contacts.update("shop", "shop:whatsapp:ada", noted, 1.0)
        await contacts.close()

    asyncio.run(note())
    w = str(workspace)
    segment = "{answers: {diet: [vegan, vegetarian]}, consents: {none: ['notify:staff']}}"
    code, out, err = theke(
        capsys, "create", "-w", w, "--text", "spring_offer", "--segment", segment, "--json"
    )
    assert code == 0, err
    made = json.loads(out)
    assert made["segment"] == {
        "answers": {"diet": ["vegan", "vegetarian"]},
        "consents": {"none": ["notify:staff"]},
    }
    code, out, _ = theke(capsys, "preview", made["id"], "-w", w)
    assert "would reach 1 person now: whatsapp 1" in out
    assert "leaves out 2 holder(s); it asks for:\n" in out
    assert "    answer diet: 'vegan' or 'vegetarian' (case and accents aside)\n" in out
    assert "    consents: holds none of notify:staff\n" in out


@pytest.mark.parametrize(
    ("segment", "said"),
    [
        ("{tags: {all: [VIP]}}", "segment: tags.all: 'VIP' is not a tag"),
        ("{tags: [", "--segment is no YAML or JSON"),
        ("@/no/such/file.yaml", "--segment: cannot read"),
        ("x" * 30_000, "--segment: at most 20000 characters"),
        ("[vip]", "segment: a segment is an object"),
    ],
)
def test_the_terminal_refuses_a_bad_segment_with_the_reason(
    workspace: Path, capsys: pytest.CaptureFixture[str], segment: str, said: str
) -> None:
    args = ("create", "-w", str(workspace), "--text", "spring_offer", "--segment", segment)
    code, _, err = theke(capsys, *args)
    assert code == 1 and said in err and "Traceback" not in err
