"""The ledger's action: one line per call, with its request id, in the file THEKE_TEST_LEDGER
names; the slot `line` says how many lines the file has after it."""

import os
from pathlib import Path

from framework.actions import ActionContext, action


@action("note")
def note(context: ActionContext) -> dict[str, int]:
    ledger = Path(os.environ["THEKE_TEST_LEDGER"])
    with ledger.open("a", encoding="utf-8") as file:
        file.write(f"{context.request_id}\n")
    return {"line": len(ledger.read_text(encoding="utf-8").splitlines())}
