"""What Meta said of each WhatsApp template and business number, in the session store's SQLite
file, run on that file's thread (writer.py says why).

Two tables: `template_states`, a row per template name and language with its state's JSON,
and `number_states`, a row per phone number id (its own schema version: a file made before it
gets it when opened). `note` and `note_number` read, fold the news in (`noted`,
`noted_number`) and write in one transaction. The store is opened
with the channels, before the event loop runs, so its file is opened on its first call. The
table keeps its schema version in `template_states_schema`.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from framework.stores.number_states import NumberNews, NumberState, check_number, noted_number
from framework.stores.sqlite.connection import create_versioned
from framework.stores.sqlite.on_file import OnFile
from framework.stores.sqlite.writer import Writer
from framework.stores.template_states import TemplateNews, TemplateState, check_name, noted

__all__ = ["NUMBER_STATES_SCHEMA_VERSION", "TEMPLATE_STATES_SCHEMA_VERSION", "SqliteTemplateStates"]

TEMPLATE_STATES_SCHEMA_VERSION = NUMBER_STATES_SCHEMA_VERSION = 1

_SCHEMA = f"""
CREATE TABLE template_states (name TEXT NOT NULL, language TEXT NOT NULL, state TEXT NOT NULL,
    PRIMARY KEY (name, language)) WITHOUT ROWID;
INSERT INTO template_states_schema VALUES ({TEMPLATE_STATES_SCHEMA_VERSION})
"""
_NUMBER_SCHEMA = f"""
CREATE TABLE number_states (number TEXT PRIMARY KEY, state TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO number_states_schema VALUES ({NUMBER_STATES_SCHEMA_VERSION})
"""


def _create_tables(db: sqlite3.Connection, path: str) -> None:
    create_versioned(
        db,
        path,
        "template_states_schema",
        TEMPLATE_STATES_SCHEMA_VERSION,
        _SCHEMA,
        "template states",
    )
    create_versioned(
        db,
        path,
        "number_states_schema",
        NUMBER_STATES_SCHEMA_VERSION,
        _NUMBER_SCHEMA,
        "number states",
    )


class SqliteTemplateStates:
    def __init__(self, path: str | Path) -> None:
        self._path = str(path)
        self._file: OnFile | None = None
        self._opening = asyncio.Lock()
        self._closed = False

    async def _on_file(self) -> OnFile:
        async with self._opening:
            if self._file is None:
                writer = await Writer.open(self._path, _create_tables)
                self._file = OnFile(writer, "the template states")
                if self._closed:
                    await self._file.close()  # closed before it was used: the call is refused
        return self._file

    async def note(self, news: TemplateNews) -> TemplateState:
        news = news.checked()
        return await (await self._on_file()).call(True, self._note, news)

    # -- running on the file's thread ---------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        if self._file is None:
            raise RuntimeError("the template states' file is not open")
        return self._file.db

    def _note(self, news: TemplateNews) -> TemplateState:
        db = self._db
        row = db.execute(
            "SELECT state FROM template_states WHERE name = ? AND language = ?",
            (news.name, news.language),
        ).fetchone()
        state = noted(TemplateState.from_json(json.loads(row[0])) if row else None, news)
        db.execute(
            "INSERT OR REPLACE INTO template_states VALUES (?, ?, ?)",
            (news.name, news.language, json.dumps(state.to_json())),
        )
        return state

    async def of_template(self, name: str) -> dict[str, TemplateState]:
        check_name(name)
        rows = await (await self._on_file()).call(False, self._of_template, name)
        return {language: TemplateState.from_json(json.loads(state)) for language, state in rows}

    def _of_template(self, name: str) -> list[tuple[str, str]]:
        query = "SELECT language, state FROM template_states WHERE name = ? ORDER BY language"
        return list(self._db.execute(query, (name,)))

    async def note_number(self, news: NumberNews) -> NumberState:
        news = news.checked()
        return await (await self._on_file()).call(True, self._note_number, news)

    def _note_number(self, news: NumberNews) -> NumberState:
        db = self._db
        query = "SELECT state FROM number_states WHERE number = ?"
        row = db.execute(query, (news.number,)).fetchone()
        state = noted_number(NumberState.from_json(json.loads(row[0])) if row else None, news)
        db.execute(
            "INSERT OR REPLACE INTO number_states VALUES (?, ?)",
            (news.number, json.dumps(state.to_json())),
        )
        return state

    async def of_number(self, number: str) -> NumberState | None:
        check_number(number)
        kept = await (await self._on_file()).call(False, self._of_number, number)
        return NumberState.from_json(json.loads(kept)) if kept else None

    def _of_number(self, number: str) -> str | None:
        query = "SELECT state FROM number_states WHERE number = ?"
        row = self._db.execute(query, (number,)).fetchone()
        return str(row[0]) if row else None

    # -----------------------------------------------------------------------------------

    async def close(self) -> None:
        self._closed = True
        if self._file is not None:
            await self._file.close()
