# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Pair the horizontal and vertical radars' frames by stamp (no ROS).

Both radars are triggered by one clock, so matching frames have stamps within a fraction of a
frame period. A frame is paired with the closest pending frame of the other radar whose stamp
is within ``tolerance_ns``; anything it overtakes can no longer be paired and is dropped and
counted. Queues are bounded, so nothing grows without bound when one radar stops.
"""

from collections import deque
from dataclasses import dataclass
from typing import Any, Deque, Dict, List, Optional, Tuple

from hupr_ros.topics import ORIENTATION_HORIZONTAL, ORIENTATION_VERTICAL, ORIENTATIONS

#: Largest stamp difference of a radar pair, or of a frame and its label or image: half a
#: 10 Hz period. The preprocessing node's default ``tolerance_s``, and that of the offline
#: tools that pair recorded frames.
PAIR_TOLERANCE_S = 0.05


@dataclass
class PairingStats:
    """Counters of a FramePairer."""

    paired: int = 0
    unpaired_horizontal: int = 0
    unpaired_vertical: int = 0
    out_of_order: int = 0


class FramePairer:
    """
    Match frames of two streams by stamp.

    :param tolerance_ns: largest stamp difference of a pair (default: half a 10 Hz period).
    :param max_pending: frames kept per radar while waiting for the other one.
    """

    def __init__(self, tolerance_ns: int = int(PAIR_TOLERANCE_S * 1e9),
                 max_pending: int = 4) -> None:
        if tolerance_ns <= 0 or max_pending < 1:
            raise ValueError(f'tolerance_ns must be > 0 and max_pending >= 1, got '
                             f'{tolerance_ns}, {max_pending}')
        self.tolerance_ns = int(tolerance_ns)
        self.max_pending = int(max_pending)
        self.stats = PairingStats()
        self._pending: Dict[str, Deque[Tuple[int, Any]]] = {o: deque() for o in ORIENTATIONS}
        self._last_stamp: Dict[str, Optional[int]] = dict.fromkeys(ORIENTATIONS)

    def push(self, orientation: str, stamp_ns: int, item: Any) -> Optional[Tuple[int, Any, Any]]:
        """
        Add one frame.

        Return ``(horizontal stamp, horizontal item, vertical item)`` when it completes a pair,
        else None.
        """
        if orientation not in ORIENTATIONS:
            raise ValueError(f'orientation must be one of {ORIENTATIONS}, got {orientation!r}')
        last = self._last_stamp[orientation]
        if last is not None and stamp_ns <= last:
            self.stats.out_of_order += 1          # dropped; counted here, not as unpaired
            return None
        self._last_stamp[orientation] = stamp_ns
        other = ORIENTATION_VERTICAL if orientation == ORIENTATION_HORIZONTAL \
            else ORIENTATION_HORIZONTAL
        candidates = self._pending[other]
        best = None
        for index, (stamp, _) in enumerate(candidates):
            gap = abs(stamp - stamp_ns)
            if gap <= self.tolerance_ns and (best is None or gap < best[0]):
                best = (gap, index)
        if best is None:
            # Frames of the other radar this much older can never pair any more.
            while candidates and candidates[0][0] < stamp_ns - self.tolerance_ns:
                candidates.popleft()
                self._drop(other, 1)
            queue = self._pending[orientation]
            queue.append((stamp_ns, item))
            if len(queue) > self.max_pending:
                queue.popleft()
                self._drop(orientation, 1)
            return None
        for _ in range(best[1]):                 # older frames of the other radar: overtaken
            candidates.popleft()
            self._drop(other, 1)
        stamp, match = candidates.popleft()
        own = self._pending[orientation]         # own older frames waited in vain
        self._drop(orientation, len(own))
        own.clear()
        self.stats.paired += 1
        if orientation == ORIENTATION_HORIZONTAL:
            return stamp_ns, item, match
        return stamp, match, item

    def reset(self, orientation: Optional[str] = None) -> None:
        """
        Start one stream (or both) afresh, e.g. after its clock went back.

        Its pending frames are dropped and counted, and its next stamp is not compared with older
        ones.
        """
        for name in ORIENTATIONS if orientation is None else (orientation,):
            self._drop(name, len(self._pending[name]))
            self._pending[name].clear()
            self._last_stamp[name] = None

    def pending(self, orientation: str) -> List[int]:
        """Stamps of the frames of one radar still waiting for a partner."""
        return [stamp for stamp, _ in self._pending[orientation]]

    def _drop(self, orientation: str, count: int) -> None:
        name = f'unpaired_{orientation}'
        setattr(self.stats, name, getattr(self.stats, name) + count)
