# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Input guards the nodes share (no ROS): stamp validation per stream and error counting.

The rule (docs/robustness.md): a node never dies or stalls on a message. A bad message is
counted under a kind, logged with its reason (at most once per period per kind, with the
number suppressed since), and skipped.

:class:`StampGuard` checks one stream's stamps against the node clock and the stream's own
history:

- negative stamps, and stamps more than ``max_future_s`` ahead of the node clock, are refused;
- a stamp equal to the last accepted one is a duplicate, an older one is out of order: both
  refused. But when ``resync_after`` frames in a row are older than the last accepted stamp
  and increase among themselves, the stream's clock went back (an upstream restart, a bag
  played again): the guard accepts them as a new stream and says so (``restarted``). A single
  stamp from the far future therefore holds the stream up for ``resync_after`` frames, not
  for ever.

Gaps (a lost frame, an outage) are not the guard's business: what spans them is a window of
consecutive frames, so :class:`hupr_ros.inference.PoseEstimator` restarts its window itself.
"""

from collections import OrderedDict
from dataclasses import dataclass
import time
from typing import Callable, Dict, List, Optional

NEGATIVE = 'negative_stamp'
FUTURE = 'future_stamp'
DUPLICATE = 'duplicate_stamp'
OUT_OF_ORDER = 'out_of_order'


@dataclass(frozen=True)
class StampVerdict:
    """
    What to do with a stamp.

    ``accepted`` or refused for ``kind`` (with ``reason``); ``restarted`` when it is accepted as
    the first of a new run (the clock went back).
    """

    accepted: bool
    kind: str = ''
    reason: str = ''
    restarted: bool = False


class StampGuard:
    """
    Validates the stamps of one stream (see the module docstring).

    :param name: the stream, for messages (e.g. 'horizontal raw frame').
    :param max_future_s: largest lead over the node clock that is accepted.
    :param resync_after: backwards stamps in a row, increasing, that are taken as a clock reset.
    """

    def __init__(self, name: str, max_future_s: float = 1.0, resync_after: int = 3) -> None:
        if max_future_s <= 0 or resync_after < 1:
            raise ValueError('max_future_s must be > 0 and resync_after >= 1; got '
                             f'{max_future_s}, {resync_after}')
        self.name = name
        self.max_future_ns = int(max_future_s * 1e9)
        self.resync_after = resync_after
        self.last_ns: Optional[int] = None
        self._backwards: List[int] = []

    def reset(self) -> None:
        self.last_ns = None
        self._backwards = []

    def check(self, stamp_ns: int, now_ns: int = 0) -> StampVerdict:
        """
        Judge ``stamp_ns``.

        ``now_ns`` is the node clock (0 or less: not known, e.g. sim time before the first /clock
        message; the future check is then skipped).
        """
        if stamp_ns < 0:
            return StampVerdict(False, NEGATIVE, f'{self.name} stamp {stamp_ns} ns is negative')
        if now_ns > 0 and stamp_ns > now_ns + self.max_future_ns:
            return StampVerdict(False, FUTURE, f'{self.name} stamp is '
                                f'{(stamp_ns - now_ns) * 1e-9:.3f} s ahead of the node clock '
                                f'(more than {self.max_future_ns * 1e-9:g} s)')
        last = self.last_ns
        if last is not None and stamp_ns <= last:
            if self._backwards and stamp_ns <= self._backwards[-1]:
                self._backwards = []
            self._backwards.append(stamp_ns)
            if len(self._backwards) >= self.resync_after:
                self._backwards = []
                self.last_ns = stamp_ns
                return StampVerdict(True, restarted=True, reason=(
                    f'{self.name} clock went back {(last - stamp_ns) * 1e-9:.3f} s for '
                    f'{self.resync_after} frames in a row: taken as a restarted stream'))
            if stamp_ns == last:
                return StampVerdict(False, DUPLICATE, f'{self.name} stamp {stamp_ns} ns '
                                    'repeats the previous one')
            return StampVerdict(False, OUT_OF_ORDER, f'{self.name} stamp is '
                                f'{(last - stamp_ns) * 1e-9:.3f} s older than the previous one')
        self._backwards = []
        self.last_ns = stamp_ns
        return StampVerdict(True)


class ErrorLog:
    """
    Counts problems per kind and rate-limits their log lines per kind, not per call site.

    ``report(kind, message)`` counts and returns the line to log now, or None while that kind
    was logged less than ``period_s`` ago (the next line says how many were suppressed).
    """

    def __init__(self, period_s: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.period_s = period_s
        self.clock = clock
        self.counts: Dict[str, int] = {}
        self._last: Dict[str, float] = {}
        self._suppressed: Dict[str, int] = {}

    def report(self, kind: str, message: str) -> Optional[str]:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        now = self.clock()
        last = self._last.get(kind)
        if last is not None and now - last < self.period_s:
            self._suppressed[kind] = self._suppressed.get(kind, 0) + 1
            return None
        self._last[kind] = now
        suppressed = self._suppressed.pop(kind, 0)
        more = f' (+{suppressed} more {kind} in the last {now - last:.0f} s)' \
            if suppressed and last is not None else ''
        return f'[{kind}] {message}{more}'


class BoundedDict(OrderedDict):
    """
    A dict that keeps at most ``maxlen`` items, forgetting the oldest inserted first.

    For what a node remembers per distinct input (a cube geometry, a chirp configuration, a
    frame's stamp): bounded whatever arrives.
    """

    def __init__(self, maxlen: int) -> None:
        if maxlen < 1:
            raise ValueError(f'maxlen must be >= 1, got {maxlen}')
        super().__init__()
        self.maxlen = maxlen

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        while len(self) > self.maxlen:
            self.popitem(last=False)


__all__ = ['BoundedDict', 'DUPLICATE', 'ErrorLog', 'FUTURE', 'NEGATIVE', 'OUT_OF_ORDER',
           'StampGuard', 'StampVerdict']
