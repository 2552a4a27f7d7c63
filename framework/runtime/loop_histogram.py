"""A histogram observed once a turn, as cheaply as counting: prometheus_client's `Histogram`
takes a lock for its sum and again for its bucket, found by a loop in Python (~9,500
instructions an observation, benchmarks/README.md 2026-12-05 morning). Observed and collected
on the event loop only, so plain numbers do; exposed exactly as a `Histogram` without labels
is (buckets, count, sum, created)."""

from __future__ import annotations

import math
import time
from bisect import bisect_left
from collections.abc import Iterator, Sequence

from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import HistogramMetricFamily, Metric
from prometheus_client.samples import Sample
from prometheus_client.utils import floatToGoString

__all__ = ["LoopHistogram"]


class LoopHistogram:
    """A histogram without labels, for one event loop's observations (not thread-safe)."""

    def __init__(
        self,
        name: str,
        documentation: str,
        buckets: Sequence[float],
        registry: CollectorRegistry,
    ) -> None:
        self._name, self._documentation = name, documentation
        self._bounds = (*sorted(buckets), math.inf)
        self._les: list[str] = [floatToGoString(b) for b in self._bounds]  # type: ignore[no-untyped-call]
        self._counts = [0] * len(self._bounds)
        self._sum = 0.0
        self._created = time.time()
        registry.register(self)

    def observe(self, amount: float) -> None:
        """Counted in the first bucket whose bound is at or above `amount`, as `Histogram`."""
        self._counts[bisect_left(self._bounds, amount)] += 1
        self._sum += amount

    def collect(self) -> Iterator[Metric]:
        family = HistogramMetricFamily(self._name, self._documentation)
        cumulative, buckets = 0, []
        for le, count in zip(self._les, self._counts, strict=True):
            cumulative += count
            buckets.append((le, float(cumulative)))
        family.add_metric([], buckets, self._sum)
        family.samples.append(Sample(f"{self._name}_created", {}, self._created))
        yield family
