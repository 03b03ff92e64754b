# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Temporal smoothing of keypoints: the One-Euro filter (no ROS).

Casiez, Roussel and Vogel, "1 Euro Filter: A Simple Speed-based Low-pass Filter for Noisy Input
in Interactive Systems", CHI 2012. Each coordinate is low-pass filtered with a cut-off that rises
with its (filtered) speed: still joints are smoothed hard (little jitter), moving joints lightly
(little lag). ``min_cutoff`` (Hz) sets the smoothing at rest, ``beta`` how fast the cut-off rises
with speed (per pixel/s), ``d_cutoff`` (Hz) the smoothing of the speed estimate.
"""

import math
from typing import Optional

import numpy as np


def _alpha(cutoff: np.ndarray, dt: float) -> np.ndarray:
    tau = 1.0 / (2 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """
    One-Euro filter over an array of values (e.g. keypoints (14, 2), pixels).

    :param min_cutoff: cut-off at rest, Hz (lower: smoother, more lag when starting to move).
    :param beta: speed coefficient (higher: less lag on fast moves).
    :param d_cutoff: cut-off of the derivative, Hz.
    :param max_gap_s: a gap longer than this between samples (or a step back in time) restarts the
        filter instead of smoothing across it.
    """

    def __init__(self, min_cutoff: float = 1.0, beta: float = 0.05, d_cutoff: float = 1.0,
                 max_gap_s: float = 0.5) -> None:
        if min_cutoff <= 0 or d_cutoff <= 0 or beta < 0 or max_gap_s <= 0:
            raise ValueError(f'One-Euro parameters must be positive: min_cutoff={min_cutoff}, '
                             f'beta={beta}, d_cutoff={d_cutoff}, max_gap_s={max_gap_s}')
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self.max_gap_s = max_gap_s
        self._value: Optional[np.ndarray] = None
        self._speed: Optional[np.ndarray] = None
        self._time: Optional[float] = None

    def reset(self) -> None:
        """Forget the past (e.g. when the person left)."""
        self._value = self._speed = self._time = None

    def __call__(self, value: np.ndarray, time_s: float) -> np.ndarray:
        """Filter one sample taken at ``time_s`` (seconds); returns the smoothed value."""
        value = np.asarray(value, dtype=np.float64)
        if not np.isfinite(value).all():
            raise ValueError('One-Euro filter input contains NaN or inf')
        dt = None if self._time is None else time_s - self._time
        if self._value is None or dt is None or dt <= 0 or dt > self.max_gap_s \
                or value.shape != self._value.shape:
            self._value, self._speed, self._time = value, np.zeros_like(value), time_s
            return value.copy()
        speed = (value - self._value) / dt
        a_d = _alpha(np.asarray(self.d_cutoff), dt)
        self._speed = a_d * speed + (1 - a_d) * self._speed
        cutoff = self.min_cutoff + self.beta * np.abs(self._speed)
        a = _alpha(cutoff, dt)
        self._value = a * value + (1 - a) * self._value
        self._time = time_s
        return self._value.copy()
