"""A store's calls on its SQLite file's thread (writer.py says why there is one per file).

Every SQLite store wraps its calls the same way: refused once the store is closed, and the
file's own failures (the disk, permissions, a lock another process held beyond the busy
timeout) turned into a StoreError that says what to check, since trying again may help. An
error of the call's work (a rule refusing a change) passes as it was raised. The handoff store
uses `OnFile`; the older stores have a `_call` method of their own that does the same.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from framework.stores.session_store import StoreError
from framework.stores.sqlite.writer import Writer

__all__ = ["OnFile"]

T = TypeVar("T")


class OnFile:
    def __init__(self, writer: Writer, what: str) -> None:
        self._writer = writer
        self._what = what
        """What the store keeps, for messages: "the handoffs"."""
        self._closed = False

    @property
    def db(self) -> sqlite3.Connection:
        """The file's connection, for the work of a call (it runs on the file's thread)."""
        return self._writer.db

    async def call(self, write: bool, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` in a transaction on the file's thread (a write one when `write`)."""
        where = self._writer.path
        if self._closed:
            raise StoreError(f"{self._what} in {where} are closed; open the store again")
        try:
            return await self._writer.call(write, work, *args)
        except sqlite3.Error as error:
            raise StoreError(
                f"{self._what} in {where} failed ({error}); check the disk, its permissions "
                "and that no other process holds the file"
            ) from error

    async def close(self) -> None:
        """The store is done with the file (the last store of the process closes it)."""
        if not self._closed:
            self._closed = True
            await self._writer.leave()
