"""`theke contacts list|show` on a workspace's SQLite file: the shop's contacts listed by tag,
language and channel, page by page; one shown with its tags, time zone, last seen, its
channels' windows and its consents; refusals say why without a traceback."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from framework.cli import main
from framework.stores.contacts import ContactChange
from framework.stores.opening import open_contacts
from tests.broadcasts.test_broadcast_cli import workspace as workspace  # the shop's files
from tests.broadcasts.test_broadcasts_served import NOW

PEOPLE = {
    "shop:whatsapp:ada": ContactChange(
        "whatsapp",
        "de",
        "",
        ("vip", "vegetarian"),
        ordered=True,
        answers=(("diet", "vegan"), ("town", "Zürich")),
    ),
    "shop:telegram:ben": ContactChange("telegram", "en", "America/New_York", ("vip",)),
    "shop:whatsapp:cem": ContactChange("whatsapp", "de", "", ("vegetarian",)),
    "shop:web:dora": ContactChange("web", "de"),
}


@pytest.fixture
def shop(workspace: Path) -> Path:
    async def fill() -> None:
        contacts = await open_contacts(f"sqlite:///{workspace / 'state.db'}")
        for key, change in PEOPLE.items():
            await contacts.update("shop", key, change, NOW)
        await contacts.close()

    asyncio.run(fill())
    return workspace


def theke(capsys: pytest.CaptureFixture[str], shop: Path, *args: str) -> tuple[int, str, str]:
    code = main(["contacts", *args, "-w", str(shop)])
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys: pytest.CaptureFixture[str], shop: Path, *args: str) -> tuple[list[str], str]:
    code, out, err = theke(capsys, shop, "list", *args, "--json")
    assert code == 0, err
    found = json.loads(out)
    return [c["conversations"][0] for c in found["contacts"]], found["after"]


def test_contacts_are_listed_by_tag_language_and_channel(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert listed(capsys, shop)[0] == sorted(PEOPLE)
    assert listed(capsys, shop, "--tag", "vip")[0] == ["shop:telegram:ben", "shop:whatsapp:ada"]
    assert listed(capsys, shop, "--tag", "vip", "--tag", "vegetarian")[0] == ["shop:whatsapp:ada"]
    assert listed(capsys, shop, "--lang", "de", "--channel", "whatsapp")[0] == [
        "shop:whatsapp:ada",
        "shop:whatsapp:cem",
    ]
    first, after = listed(capsys, shop, "--limit", "2")
    assert first == sorted(PEOPLE)[:2] and after == sorted(PEOPLE)[1]
    rest, end = listed(capsys, shop, "--after", after)
    assert rest == sorted(PEOPLE)[2:] and end == ""
    code, out, _ = theke(capsys, shop, "list", "--tag", "vegetarian", "--limit", "1")
    assert code == 0 and "shop:whatsapp:ada  de" in out and "tags vegetarian, vip" in out
    assert "More: --after shop:whatsapp:ada" in out


def test_one_contact_is_shown_with_its_windows_and_consents(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = theke(capsys, shop, "show", "shop:whatsapp:ada")
    assert code == 0, err
    assert "language de, time zone Europe/Berlin (the business's)" in out
    assert "tags vegetarian, vip" in out
    assert "answers diet: vegan, town: Zürich" in out
    assert "whatsapp: last wrote" in out and "24-hour window closed since" in out
    assert "consent marketing: granted" in out and "(flow:o)" in out  # the fixture's grant
    code, out, _ = theke(capsys, shop, "show", "shop:telegram:ben", "--json")
    shown = json.loads(out)
    assert shown["contact"]["answers"] == {}
    assert shown["contact"]["timezone"] == "America/New_York"
    assert shown["contact"]["inbound"] == {"telegram": NOW}
    assert shown["consents"]["marketing"]["state"] == "granted"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["show"], "show needs the conversation"),
        (["show", "nobody"], "bot:channel:customer"),
        (["show", "shop:web:nobody"], "no contact shop:web:nobody"),
        (["list", "--tag", "Not A Tag"], "is not a tag"),
        (["list", "--lang", "deutsch!"], "--lang is a language code"),
        (["list", "--limit", "0"], "--limit is a number from 1 to 1000"),
        (["export"], "export needs the conversation"),
    ],
)
def test_refusals_say_why_without_a_traceback(
    shop: Path, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    code, _, err = theke(capsys, shop, *args)
    assert code == 1 and said in err and "Traceback" not in err
