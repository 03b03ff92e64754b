# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
IWR1843BOOST antenna geometry and how a radar is mounted (TI SDK antenna_geometry.c).

Radar antenna frame: x along the array (RX0 -> RX3), y = boresight, z up towards the
TX0/TX2 row; positions in units of half a wavelength:
TX0 (0, 1), TX1 (2, 0), TX2 (4, 1); RX0..RX3 (0, 0) .. (3, 0) as (x, z).
"""

from dataclasses import dataclass, field

from hupr_ros.radar.config import ChirpConfig, HUPR_CHIRP_CONFIG
import numpy as np

TX_POSITIONS = np.array([[0.0, 1.0], [2.0, 0.0], [4.0, 1.0]])   # (x, z) in lambda/2
RX_POSITIONS = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [3.0, 0.0]])


def element_positions(config: ChirpConfig = HUPR_CHIRP_CONFIG):
    """Return (tx (3, 3), rx (4, 3)) element positions in metres in the radar frame."""
    half = config.wavelength / 2.0

    def to_xyz(xz: np.ndarray) -> np.ndarray:
        return np.stack([xz[:, 0], np.zeros(len(xz)), xz[:, 1]], axis=1) * half
    return to_xyz(TX_POSITIONS[:config.num_tx]), to_xyz(RX_POSITIONS[:config.num_rx])


def _rotation_about_boresight(degrees: float) -> np.ndarray:
    a = np.deg2rad(degrees)
    # Columns: the radar's x, y, z axes in the mounting (world) frame; y is the rotation axis.
    return np.array([[np.cos(a), 0.0, -np.sin(a)],
                     [0.0, 1.0, 0.0],
                     [np.sin(a), 0.0, np.cos(a)]])


@dataclass(frozen=True)
class RadarMount:
    """
    Where a radar sits in the sensor frame (x right, y forward, z up; metres).

    ``roll_degrees`` rotates the board about its boresight: 0 for the horizontal radar, 90 for
    the vertical one (its array x axis then points up, so its azimuth axis measures elevation).
    """

    origin: tuple = (0.0, 0.0, 0.0)
    roll_degrees: float = 0.0
    rotation: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, 'rotation', _rotation_about_boresight(self.roll_degrees))

    def to_radar(self, points: np.ndarray) -> np.ndarray:
        """Sensor-frame points (..., 3) -> radar-frame points (..., 3)."""
        return (np.asarray(points) - np.asarray(self.origin)) @ self.rotation


HORIZONTAL_MOUNT = RadarMount((0.0, 0.0, 0.0), 0.0)
#: The vertical radar, 3 cm beside the horizontal one (paper section 3.1), rolled 90 degrees.
VERTICAL_MOUNT = RadarMount((0.03, 0.0, 0.0), 90.0)
