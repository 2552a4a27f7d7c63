"""The turn histogram reads at /metrics exactly as prometheus_client's Histogram would."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from framework.runtime.loop_histogram import LoopHistogram

BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)


def exposition(registry: CollectorRegistry) -> str:
    return re.sub(r"_created \S+", "_created T", generate_latest(registry).decode())


@given(st.lists(st.floats(min_value=0, max_value=5) | st.sampled_from(BUCKETS)))
def test_the_same_exposition_as_a_histogram(amounts: list[float]) -> None:
    theirs, ours = CollectorRegistry(), CollectorRegistry()
    histogram = Histogram("theke_turn_seconds", "Turns", buckets=BUCKETS, registry=theirs)
    loop_histogram = LoopHistogram("theke_turn_seconds", "Turns", BUCKETS, ours)
    for amount in amounts:
        histogram.observe(amount)
        loop_histogram.observe(amount)
    assert exposition(ours) == exposition(theirs)
    assert ours.get_sample_value("theke_turn_seconds_count") == len(amounts)
