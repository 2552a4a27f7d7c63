"""Stores' JSON text (stores/json_text.py): orjson when installed, the standard library
otherwise, the same text and the same values either way."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from framework.channels.common import parse_json
from framework.errors import BadRequest
from framework.stores import json_text
from framework.stores.json_text import dump, dump_bytes, load

pytest.importorskip("orjson")  # in the `fast` extra, locked in requirements/dev.txt
FAST = json_text.orjson
DEEP: list[Any] = []
for _ in range(300):  # orjson writes 254 levels at most
    DEEP = [DEEP]
BIG = 2**70


class Key(str):
    """A str subclass as a key, as the YAML reader's positioned strings reach sessions."""


@pytest.fixture(params=["orjson", "standard"])
def codec(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "standard":
        monkeypatch.setattr(json_text, "orjson", None)
    yield request.param


TEXT = st.text(st.characters(codec="utf-8") | st.sampled_from("\x00\x1f\x7f\u2028€😀"))
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.integers(2**64, 2**80)
    | st.floats(allow_nan=False)
    | TEXT
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


@given(VALUES)
@example(1.192092896e-07)  # orjson: 1.192092896e-7
@example({"share": 2.5e-05})  # orjson: 0.000025
@example(["0.00001 e-7 3e-5"])  # a string that looks so: the standard library's, the same text
def test_orjson_writes_the_text_the_standard_library_writes(value: Any) -> None:
    assert json_text.orjson is not None
    fast = dump(value)
    try:
        json_text.orjson = None
        assert dump(value) == fast
        assert dump_bytes(value) == fast.encode()
    finally:
        json_text.orjson = FAST


@given(VALUES)
def test_what_is_written_reads_back_as_the_standard_library_reads_it(value: Any) -> None:
    text = dump(value)
    assert load(text) == json.loads(text) == value


@pytest.mark.usefixtures("codec")
@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({Key("size"): ["large"], 1: True, None: 2}, '{"size":["large"],"1":true,"null":2}'),
        ({"big": BIG, "small": -BIG}, f'{{"big":{BIG},"small":{-BIG}}}'),
        ({"nan": math.nan, "inf": [-math.inf]}, '{"nan":NaN,"inf":[-Infinity]}'),
        ({"none": None, "half": 0.5}, '{"none":null,"half":0.5}'),
        ((1, "a\ud800"), '[1,"a\\ud800"]'),  # a lone surrogate: escaped ASCII
        (DEEP, "[" * 301 + "]" * 301),
    ],
)
def test_values_orjson_leaves_to_the_standard_library(value: Any, text: str) -> None:
    assert dump(value) == text
    assert dump_bytes(value) == text.encode()


@pytest.mark.usefixtures("codec")
@pytest.mark.parametrize("value", [datetime(2026, 12, 4, tzinfo=UTC), {1j: 1}, object()])
def test_what_the_standard_library_refuses_is_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        dump(value)


@pytest.mark.usefixtures("codec")
@pytest.mark.parametrize(
    "text",
    [
        '{"n":123456789012345678901234567890}',
        "[-9223372036854775809, 18446744073709551616]",
        "[NaN, Infinity, 1E400]",
        '"\\ud800"',
        "[" * 500 + "]" * 500,
        '{"a":1,"a":2}',
    ],
)
def test_reading_gives_what_the_standard_library_reads(text: str) -> None:
    expected = json.loads(text)
    for raw in (text, text.encode()):
        assert repr(load(raw)) == repr(expected)


@pytest.mark.usefixtures("codec")
@pytest.mark.parametrize(
    "body",
    [b"[NaN]", b'"\xed\xa0\x80"', b"\xef\xbb\xbf{}", b"\xff", b"{", b"[" * 100_000],
)
def test_a_body_from_outside_is_refused_either_way(body: bytes) -> None:
    with pytest.raises(BadRequest):
        parse_json(body)


@pytest.mark.usefixtures("codec")
def test_a_body_from_outside_reads_as_before() -> None:
    assert parse_json(b'{"sender":"ada","message":"\\ud83d","n":99999999999999999999}') == {
        "sender": "ada",
        "message": "\ud83d",
        "n": 99999999999999999999,
    }
