"""`theke broadcast create --whatsapp-template` on a workspace's SQLite file: the template as
YAML or from a file, shown by preview (per language, with its header and buttons) and status;
a bad one refused with the reason, nothing made."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from framework.stores.broadcasts import Broadcast
from framework.stores.opening import open_broadcasts
from tests.broadcasts.test_broadcast_cli import theke, workspace

__all__ = ["workspace"]

TEMPLATE = (
    "{name: spring_offer, category: marketing, languages: {de: de, en: en_US}, "
    "parameters: [discount]}"
)


def create(capsys: pytest.CaptureFixture[str], w: str, template: str) -> tuple[int, str, str]:
    return theke(
        capsys,
        "create",
        "-w",
        w,
        "--text",
        "spring_offer",
        "--value",
        "discount=20 %",
        "--whatsapp-template",
        template,
        "--json",
    )


def test_a_template_is_made_previewed_and_shown(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    code, out, err = create(capsys, str(workspace), f"@{workspace / 'template.yaml'}")
    assert code == 0, err
    made = json.loads(out)
    assert made["whatsapp_template"]["languages"] == {"de": "de", "en": "en_US"}
    code, out, _ = theke(capsys, "preview", made["id"], "-w", str(workspace))
    assert "WhatsApp [de]: template spring_offer (de, marketing), {{1}} 20 %" in out
    assert "WhatsApp [en]: template spring_offer (en_US, marketing), {{1}} 20 %" in out
    code, out, _ = theke(capsys, "status", made["id"], "-w", str(workspace))
    assert "WhatsApp template spring_offer (marketing; de de, en en_US)" in out


def test_a_template_s_header_and_buttons_are_previewed(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rich = TEMPLATE.removesuffix("}") + (
        ", header: {type: document, link: 'https://shop.example/t.pdf', filename: ticket.pdf}, "
        "buttons: [{type: quick_reply, payload: YES}, {type: url, parameter: code}]}"
    )
    code, out, err = theke(
        capsys,
        "create",
        "-w",
        str(workspace),
        "--text",
        "spring_offer",
        "--value",
        "discount=20 %",
        "--value",
        "code=A1",
        "--whatsapp-template",
        rich,
        "--json",
    )
    assert code == 0, err
    made = json.loads(out)
    assert made["whatsapp_template"]["buttons"][1] == {"type": "url", "parameter": "code"}
    code, out, _ = theke(capsys, "preview", made["id"], "-w", str(workspace))
    assert (
        "WhatsApp [de]: template spring_offer (de, marketing), header document "
        "https://shop.example/t.pdf ticket.pdf, {{1}} 20 %, button 0 quick_reply YES, "
        "button 1 url A1"
    ) in out


@pytest.mark.parametrize(
    ("template", "said"),
    [
        ("{name: spring_offer, category: utility, languages: {de: de}}", "needs a marketing"),
        ("{name: spring_offer, category: marketing, languages: {fr: fr}}", "does not speak fr"),
        ("[not, a, template]", "an object of name, category"),
        (
            TEMPLATE.removesuffix("}") + ", header: {type: image, link: 'http://a.example/b.jpg'}}",
            "http is refused",
        ),
        ("{name: [", "is no YAML or JSON"),
    ],
)
def test_a_bad_template_is_refused_and_nothing_is_made(
    workspace: Path, capsys: pytest.CaptureFixture[str], template: str, said: str
) -> None:
    code, out, err = create(capsys, str(workspace), template)
    assert code != 0 and said in err and "Traceback" not in err
    assert out == ""
    assert asyncio.run(made_for_shop(workspace)) == []


async def made_for_shop(workspace: Path) -> list[Broadcast]:
    store = await open_broadcasts(f"sqlite:///{workspace / 'state.db'}")
    try:
        return await store.of_bot("shop")
    finally:
        await store.close()
