"""Saved segments through the served app (two workers on one SQLite file) and from the
terminal: made, replaced, listed, previewed and deleted through /admin/segments and `theke
segments`; a broadcast names one (`"segment": "vips"`, `--segment vips`) and gets a copy of its
definition, which a later change of the saved segment leaves alone; every refusal says why
and changes nothing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from framework.cli import main
from framework.outreach.contact_views import CONTACT_STORE
from framework.stores.contacts import ContactChange
from tests.broadcasts.test_broadcast_cli import theke
from tests.broadcasts.test_broadcast_cli import workspace as workspace  # the shop's files
from tests.broadcasts.test_broadcasts_served import AUTH, created, post
from tests.broadcasts.test_broadcasts_served import shop as shop  # the shop, served
from tests.broadcasts.test_segment_entry import tag_ada_vip

VIPS = {"tags": {"all": ["vip"]}}
ONE = "/admin/segments/shop/vips"


async def put(client: TestClient, path: str, body: Any, status: int) -> Any:
    response = await client.put(path, json=body, headers=AUTH)
    assert response.status == status, await response.text()
    return await response.json()


async def get(client: TestClient, path: str, status: int = 200) -> Any:
    response = await client.get(path, headers=AUTH)
    assert response.status == status, await response.text()
    return await response.json()


async def tag_ada(client: TestClient) -> None:
    change = ContactChange(add=("vip",))
    await client.server.app[CONTACT_STORE].update("shop", "shop:rest:ada", change, 1.0)


async def test_a_segment_saved_listed_previewed_and_deleted_through_the_api(shop: Any) -> None:
    _, first, second = shop
    await tag_ada(first)
    made = await put(first, ONE, {"definition": VIPS, "description": "Our best"}, 201)
    assert (made["definition"], made["description"]) == (VIPS, "Our best")
    assert made["explained"] == ["tags: every one of vip"]
    assert (await get(second, ONE))["definition"] == VIPS  # the other worker reads it
    await put(first, "/admin/segments/shop/everyone", {"definition": {}}, 201)
    listed = await get(second, "/admin/segments?bot=shop")
    assert [s["name"] for s in listed["segments"]] == ["everyone", "vips"]

    preview = await post(second, f"{ONE}/preview")
    assert (preview["purpose"], preview["conversations"], preview["outside_segment"]) == (
        "marketing",
        1,
        1,
    )
    assert preview["channels"] == {"rest": 1}
    news = await post(second, f"{ONE}/preview?purpose=notify:news")
    assert (news["conversations"], news["outside_segment"]) == (0, 0)

    again = await put(first, ONE, {"definition": {"channels": ["web"]}}, 200)
    assert again["created_at"] == made["created_at"] and again["description"] == ""
    assert (await post(first, f"{ONE}/preview"))["conversations"] == 0

    assert (await first.delete(ONE, headers=AUTH)).status == 200
    await get(second, ONE, 404)
    assert (await first.delete(ONE, headers=AUTH)).status == 404
    assert (await first.post(f"{ONE}/preview", headers=AUTH)).status == 404


async def test_a_broadcast_copies_a_saved_segment_when_it_is_made(shop: Any) -> None:
    _, first, _ = shop
    await tag_ada(first)
    await put(first, ONE, {"definition": VIPS}, 201)
    broadcast_id = await created(first, segment="vips")
    status = await get(first, f"/admin/broadcasts/{broadcast_id}")
    assert status["segment"] == VIPS
    await put(first, ONE, {"definition": {"channels": ["web"]}}, 200)
    assert (await first.delete(ONE, headers=AUTH)).status == 200
    status = await get(first, f"/admin/broadcasts/{broadcast_id}")
    assert status["segment"] == VIPS  # the saved one changed, then went: the copy stays
    preview = await post(first, f"/admin/broadcasts/{broadcast_id}/preview")
    assert (preview["conversations"], preview["outside_segment"]) == (1, 1)


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "said"),
    [
        ("PUT", ONE, {"definition": {"tags": {"all": ["Not A Tag"]}}}, 400, "definition: tags"),
        ("PUT", ONE, {"definition": "vip"}, 400, "a segment is an object"),
        ("PUT", ONE, {"definition": {}, "description": "x" * 201}, 400, "more than the 200"),
        ("PUT", ONE, {"definition": {}, "colour": "red"}, 400, "takes definition and"),
        ("PUT", ONE, [], 400, "a JSON object"),
        ("PUT", "/admin/segments/shop/Not%20A%20Name", {}, 400, "is not a segment's name"),
        ("PUT", "/admin/segments/nobot/vips", {}, 400, "name a bot"),
        ("GET", ONE, None, 404, "has no saved segment 'vips'"),
        ("POST", f"{ONE}/preview", None, 404, "has no saved segment"),
        ("GET", "/admin/segments?bot=nobot", None, 400, "name a bot"),
    ],
)
async def test_the_api_refuses_with_the_reason_and_keeps_nothing(
    shop: Any, method: str, path: str, body: Any, status: int, said: str
) -> None:
    _, first, _ = shop
    response = await first.request(method, path, json=body, headers=AUTH)
    assert response.status == status
    assert said in (await response.json())["error"]
    assert (await get(first, "/admin/segments?bot=shop"))["segments"] == []
    keyless = await first.request(method, path, json=body)
    assert keyless.status == 403 and "admin key" in (await keyless.json())["error"]


async def test_a_preview_of_a_purpose_that_is_none_and_a_broadcast_of_an_unknown_name(
    shop: Any,
) -> None:
    _, first, _ = shop
    await put(first, ONE, {"definition": VIPS}, 201)
    response = await first.post(f"{ONE}/preview?purpose=ads", headers=AUTH)
    assert response.status == 400 and "purpose: a purpose" in (await response.json())["error"]
    body = {"bot": "shop", "text": "spring_offer", "values": {"discount": "1"}, "segment": "gone"}
    response = await first.post("/admin/broadcasts", json=body, headers=AUTH)
    assert response.status == 400
    assert "has no saved segment 'gone'" in (await response.json())["error"]
    assert (await first.put(ONE, json={"definition": {}})).status == 403  # no admin key
    assert (await first.delete(ONE)).status == 403
    assert (await get(first, ONE))["definition"] == VIPS


def segments(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["segments", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_terminal_saves_shows_previews_and_deletes_and_broadcasts_name_one(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(tag_ada_vip(workspace))
    w = str(workspace)
    (workspace / "vips.yaml").write_text("tags:\n  all: [vip]\n", encoding="utf-8")
    code, out, err = segments(
        capsys,
        "save",
        "vips",
        "-w",
        w,
        "--definition",
        f"@{workspace / 'vips.yaml'}",
        "--description",
        "Our best",
    )
    assert code == 0, err
    assert "Segment vips of shop – Our best" in out and "tags: every one of vip" in out
    code, out, _ = segments(capsys, "list", "-w", w)
    assert "vips  Our best" in out
    code, out, _ = segments(capsys, "show", "vips", "-w", w, "--json")
    assert json.loads(out)["definition"] == VIPS
    code, out, err = segments(capsys, "preview", "vips", "-w", w)
    assert code == 0, err
    assert "of holders of marketing reaches 1 person now: whatsapp 1" in out  # ada, tagged vip
    assert "leaves out 2 holder(s)" in out

    code, out, err = theke(
        capsys, "create", "-w", w, "--text", "spring_offer", "--segment", "vips", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["segment"] == VIPS
    code, _, err = segments(capsys, "save", "vips", "-w", w, "--definition", "{channels: [web]}")
    assert code == 0, err
    code, out, _ = theke(capsys, "status", json.loads(out)["id"], "-w", w, "--json")
    assert json.loads(out)["segment"] == VIPS

    code, out, _ = segments(capsys, "delete", "vips", "-w", w)
    assert code == 0 and "Deleted the segment vips" in out
    code, _, err = theke(capsys, "create", "-w", w, "--text", "spring_offer", "--segment", "vips")
    assert code == 1 and "has no saved segment 'vips'" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["save", "vips", "--definition", "{tags: {all: [Not A Tag]}}"], "definition: tags.all"),
        (["save", "vips", "--definition", "{tags: ["], "--definition is no YAML or JSON"),
        (["save", "vips"], "save needs --definition"),
        (["save", "Vips!", "--definition", "{}"], "is not a segment's name"),
        (["save", "vips", "--definition", "{}", "--description", "x" * 201], "more than the 200"),
        (["show"], "show needs the segment's name"),
        (["show", "vips"], "has no saved segment 'vips'"),
        (["delete", "vips"], "has no saved segment 'vips'"),
        (["preview", "vips"], "has no saved segment 'vips'"),
        (["show", "vips", "--definition", "{}"], "--definition goes with save"),
    ],
)
def test_the_terminal_refuses_with_the_reason_without_a_traceback(
    workspace: Path, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    code, _, err = segments(capsys, *args, "-w", str(workspace))
    assert code == 1 and said in err and "Traceback" not in err
    code, out, _ = segments(capsys, "list", "-w", str(workspace), "--json")
    assert json.loads(out)["segments"] == []
