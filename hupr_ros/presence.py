# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Is anybody in front of the radars? Decided from radar energy, not from the network (no ROS).

The network was trained on frames that all hold a person, so it draws a skeleton into an empty
room too. The radar itself knows better: after static clutter removal an empty room leaves only
receiver noise in the moving (non-zero Doppler) bins, spread evenly over range and azimuth,
while a person -- even one standing still sways by about a centimetre -- concentrates energy in
a few cells. The score is that concentration: the peak of the range-azimuth motion map over its
median, in dB. It does not depend on the radar's gain, and noise alone keeps it low: summed over
15 Doppler and 8 elevation bins, the noisiest of 4,096 cells sits only ~2-3 dB above their
median, while a person in HuPR-Sim scores 18-50 dB.

:class:`PresenceDetector` adds hysteresis: a person appears after ``on_frames`` frames above
``on_db`` and leaves after ``off_frames`` frames below ``off_db``. Thresholds are calibrated on
HuPR-Sim (``bench/bench_presence.py``, figures in docs/results.md); recalibrate on a real room.
"""

from dataclasses import dataclass

import numpy as np

#: Defaults from bench/bench_presence.py on HuPR-Sim: halfway (10.3 dB) between the calibration
#: subjects' highest empty-room score (2.8 dB) and lowest person score (17.7 dB), +-1 dB.
PRESENCE_ON_DB = 11.0
PRESENCE_OFF_DB = 9.0


def motion_map(cube: np.ndarray) -> np.ndarray:
    """
    Return the moving energy of one VRDAEMap over (range, azimuth): float (R, A).

    :param cube: complex (doppler=16, range, azimuth, elevation); the central (zero-Doppler) bin
        (static clutter, removed upstream) is left out.
    """
    if cube.dtype == np.complex64 and cube.flags.c_contiguous:
        # Sums of squares of the interleaved re/im floats, without the power temporaries: the
        # same sums to float rounding, about 4x faster (a pose-node cost per pair).
        parts = cube.view(np.float32)
        centre = parts[parts.shape[0] // 2]
        return np.einsum('drae,drae->ra', parts, parts) - np.einsum('rae,rae->ra', centre, centre)
    power = cube.real ** 2 + cube.imag ** 2
    return power.sum(axis=(0, 3)) - power[power.shape[0] // 2].sum(axis=-1)


def motion_energy_db(cube: np.ndarray) -> float:
    """
    Peak-to-median ratio (dB) of the moving energy of one VRDAEMap (see module docstring).

    :param cube: complex (doppler, range, azimuth, elevation), or its :func:`motion_map`.
    """
    moving = cube if cube.ndim == 2 else motion_map(cube)
    median = float(np.median(moving))
    if median <= 0:
        return 0.0
    return float(10 * np.log10(moving.max() / median))


@dataclass
class PresenceDetector:
    """Hysteresis over per-frame scores (dB); ``update(score)`` returns the current decision."""

    on_db: float = PRESENCE_ON_DB
    off_db: float = PRESENCE_OFF_DB
    on_frames: int = 2
    off_frames: int = 3
    present: bool = False
    _run: int = 0

    def __post_init__(self) -> None:
        if self.off_db > self.on_db:
            raise ValueError(f'off_db ({self.off_db}) must not exceed on_db ({self.on_db})')
        if self.on_frames < 1 or self.off_frames < 1:
            raise ValueError('on_frames and off_frames must be >= 1')

    def update(self, score_db: float) -> bool:
        crossing = score_db < self.off_db if self.present else score_db >= self.on_db
        self._run = self._run + 1 if crossing else 0
        if self._run >= (self.off_frames if self.present else self.on_frames):
            self.present, self._run = not self.present, 0
        return self.present

    def reset(self) -> None:
        self.present, self._run = False, 0
