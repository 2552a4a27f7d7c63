"""JSON text as every store keeps it and the REST channel answers: compact, readable UTF-8.

A lone surrogate (a broken `\\ud83d` from a webhook payload) cannot be encoded as UTF-8: a
value holding one is kept as escaped ASCII instead, which reads back to the same value. So no
customer text, however broken, can make a store refuse a turn.

orjson (the `fast` extra) writes and reads the text when it is installed: a pizza session took
23.6 µs to write and 16.8 µs to read with the standard library, 2.6 µs and 4.2 µs with orjson
(benchmarks/README.md, 2026-12-04 late). The standard library is the fallback, and both give the
same text and the same values:
- what orjson refuses to write (an integer beyond 64 bits, a lone surrogate, nesting deeper than
  254, a date-time or a dataclass, which the standard library refuses too) the standard library
  writes, or refuses; a key that is no str (a YAML reader's str subclass, a number) is written
  as the standard library writes it;
- orjson writes a float that is not finite as null: text with a null in it that does not read
  back as the value is written by the standard library (`NaN`, `Infinity`, which Python reads
  back, as an action's kept answer must); and a float below 1e-4 its own way (`1e-7`,
  `0.000025`): text that may hold one is the standard library's too;
- reading, orjson would make a float of an integer beyond 64 bits: text with 19 digits in a row
  is read by the standard library, and so is whatever orjson refuses (`NaN`, an escaped lone
  surrogate, nesting deeper than 1,024).
Only values that the standard library refuses to write at all (an Enum, a UUID) orjson writes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from framework.optional import optional_module

__all__ = ["dump", "dump_bytes", "load"]


orjson: Any = optional_module("orjson")
"""The fast codec, or None: the standard library's alone (tests set it to None)."""
_OPTIONS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
    if orjson
    else 0
)
_UTF8 = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_ASCII = json.JSONEncoder(separators=(",", ":")).encode
_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_TINY_EXPONENT, _TINY_DECIMAL = re.compile(rb"e-\d"), re.compile(rb"0\.0000")
"""How orjson writes a float below 1e-4 ("1e-7", "0.000025"), where the standard library
writes "1e-07", "2.5e-05": text with either goes to the standard library (a string holding
"e-1" too: the same text, written slower). Two patterns, each starting with a literal that the
regex engine skips to: one for both, starting with a digit, was tried at every position,
~12 µs for a 700-byte session, 11 % of a REST turn's instructions on the memory store
(benchmarks/README.md, 2026-12-05 morning)."""
_LONG_NUMBER = b"0" * 19
"""19 digits in a row: maybe an integer beyond 64 bits, which orjson reads as a float.

Bytes are searched with `find`, not `in`: `in` first tries its operand as an integer (a byte
value) and formats a TypeError's message for a bytes operand, ~2,500 instructions each time."""


def dump(value: Any) -> str:
    written = _fast(value)
    return _standard(value) if written is None else str(written, "utf-8")


def dump_bytes(value: Any) -> bytes:
    """`dump` as UTF-8 bytes: an HTTP body."""
    written = _fast(value)
    return _standard(value).encode("utf-8") if written is None else written


def load(text: str | bytes, standard: Callable[[Any], Any] = json.loads) -> Any:
    """The value of JSON text as `standard` reads it (`json.loads`; a stricter reader of
    bodies from outside, channels/common.py, whose refusals orjson's are too)."""
    if orjson is not None:
        raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
        if raw.translate(_ZEROS).find(_LONG_NUMBER) < 0:
            try:
                return orjson.loads(raw)
            except ValueError:  # orjson.JSONDecodeError: the standard library decides
                pass
    return standard(text)


def _fast(value: Any) -> bytes | None:
    """orjson's text, or None where the standard library decides."""
    if orjson is None:
        return None
    try:
        written: bytes = orjson.dumps(value, option=_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError
        return None
    if written.find(b"null") >= 0 and orjson.loads(written) != value:
        return None  # a float that is not finite, written as null
    if _TINY_EXPONENT.search(written) or _TINY_DECIMAL.search(written):
        return None  # maybe a float below 1e-4: the standard library writes 1e-07, not 1e-7
    return written


def _standard(value: Any) -> str:
    text = _UTF8(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _ASCII(value)
    return text
