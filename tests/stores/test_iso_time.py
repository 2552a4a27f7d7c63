"""`iso_time` writes what `datetime.isoformat` writes, for every moment."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from framework.stores.records import iso_time


def isoformat(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat()


@given(st.floats(min_value=-62_135_596_800.0, max_value=253_402_300_799.0))
@example(0.0)
@example(1_764_000_000.0)
@example(1_764_000_000.9999995)  # rounds up into the next second
@example(1_764_000_000.0000005)
@example(1_764_000_000.5)
@example(5e-324)
@example(-0.0000004)  # before 1970
@example(253_402_300_799.9999)
def test_the_same_text_as_isoformat(moment: float) -> None:
    assert iso_time(moment) == isoformat(moment)


@pytest.mark.parametrize("moment", [float("nan"), float("inf"), 1e20])
def test_what_datetime_refuses_is_refused(moment: float) -> None:
    with pytest.raises((ValueError, OverflowError)) as expected:
        isoformat(moment)
    with pytest.raises(expected.type):
        iso_time(moment)
