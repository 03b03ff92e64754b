# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""Timing helper shared by the benchmarks (run them as ``python bench/<name>.py``)."""

import statistics
import time
from typing import Callable


def time_ms(fn: Callable[[], object], repeat: int,
            reduce: Callable = statistics.median) -> float:
    """Milliseconds per call of ``fn``: one warm-up call, then ``reduce`` over ``repeat``."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * reduce(times)
