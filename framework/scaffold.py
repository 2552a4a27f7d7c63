"""`theke new <folder>`: a small working bot to start from, with conversation tests that pass
(as `rasa init` gives a Rasa project). The bots are in framework/scaffolds/<kind>/ — the
ordering one is the bakery of docs/tutorial.md."""

from __future__ import annotations

import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from framework.errors import ThekeError

__all__ = ["KINDS", "new_bot"]

KINDS = ("ordering",)
_NAME = re.compile(r"^name: \S+$", re.MULTILINE)


def new_bot(folder: Path, kind: str = "ordering") -> list[Path]:
    """Write the bot of `kind` into `folder` (which must not hold anything yet), named after
    the folder; the files written."""
    if kind not in KINDS:
        raise ThekeError(f"no bot of the kind {kind!r}: {', '.join(KINDS)}")
    if folder.exists() and any(folder.iterdir()):
        raise ThekeError(f"{folder} is not empty: theke new writes a bot into a new folder")
    name = re.sub(r"[^a-z0-9_]", "_", folder.resolve().name.lower()).strip("_") or "bot"
    if not name[0].isalpha():
        name = f"bot_{name}"
    return _copy(resources.files("framework").joinpath("scaffolds", kind), folder, name)


def _copy(source: Traversable, target: Path, name: str) -> list[Path]:
    written = []
    target.mkdir(parents=True, exist_ok=True)
    for entry in sorted(source.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            written += _copy(entry, target / entry.name, name)
        elif entry.name.endswith(".yaml"):
            text = entry.read_text(encoding="utf-8")
            if entry.name == "bot.yaml":
                text = _NAME.sub(f"name: {name}", text, count=1)
            path = target / entry.name
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
