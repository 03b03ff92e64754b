# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
What the pose window keeps of one radar frame pair, computed from the cubes (no torch).

The pose node makes it itself from cube pairs (or raw frames, fused), or takes it from the
preprocessing node as hupr_msgs/RadarInputPair, so that the 8 MiB cube pair need not cross
processes on a small CPU.
"""

from dataclasses import dataclass

from hupr_ros.dsp import model_input, model_input_elevation_mean, VRDAEConfig
from hupr_ros.presence import motion_energy_db, motion_map
import numpy as np


@dataclass
class FrameInput:
    """
    One frame pair as the window keeps it.

    Both radars' network input and what the presence detector and the marker depth read from
    the full cubes. :func:`frame_input` makes it from the cubes; the preprocessing node sends it
    as hupr_msgs/RadarInputPair, so that the 8 MiB cube pair need not cross processes.
    """

    hori: np.ndarray          # float32 (K, 2, R, A, 1) averaged over elevation, or E = all
    vert: np.ndarray
    motion: np.ndarray        # float (R, A): the horizontal cube's moving energy
    presence_db: float        # the pair's motion energy (both radars' mean, dB)


def frame_input(hori_cube: np.ndarray, vert_cube: np.ndarray, config: VRDAEConfig,
                elevation_mean: bool = True) -> FrameInput:
    """
    Reduce one cube pair to its :class:`FrameInput`.

    :param elevation_mean: the network input averaged over elevation (the network's first
        operation; the same numbers to float32 rounding), else the full published input.
    :raises PreprocessingError: a cube has the wrong shape / dtype or NaN.
    """
    if elevation_mean:
        hori = model_input_elevation_mean(hori_cube, config)[..., None]
        vert = model_input_elevation_mean(vert_cube, config)[..., None]
    else:
        hori = model_input(hori_cube, config)
        vert = model_input(vert_cube, config)
    moving = motion_map(hori_cube)
    score = 0.5 * (motion_energy_db(moving) + motion_energy_db(vert_cube))
    return FrameInput(hori, vert, moving, score)
