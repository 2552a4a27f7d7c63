"""JSON text as every store keeps it: compact, readable UTF-8.

A lone surrogate (a broken `\\ud83d` from a webhook payload) cannot be encoded as UTF-8: a
value holding one is kept as escaped ASCII instead, which reads back to the same value. So no
customer text, however broken, can make a store refuse a turn.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["dump"]

_UTF8 = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_ASCII = json.JSONEncoder(separators=(",", ":")).encode


def dump(value: Any) -> str:
    text = _UTF8(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _ASCII(value)
    return text
