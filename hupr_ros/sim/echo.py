# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Where the radar echo of a simulated body goes: which body parts fill the network's input (no ROS).

A model that cannot place the arms may lack the data or the learning. This module answers the
first half from the simulator: for one frame it synthesises each group of body parts alone
(noiseless, without clutter), runs the real preprocessing, and measures the energy each group
leaves in the Doppler bins the network reads (``read``) against all bins the cube stores
(``stored``). Static clutter removal takes away what does not move within a frame, and the
network reads only the central Doppler bins (about +-0.5 m/s with the published settings), so a
fast wrist leaves part of its echo outside the input.
"""

import dataclasses
from dataclasses import dataclass
from typing import Dict, Mapping, Tuple

from hupr_ros.dsp.config import HUPR_VRDAE_CONFIG, VRDAEConfig
from hupr_ros.dsp.vrdae import input_doppler_indices, vrdae_map
from hupr_ros.sim.body import BODY_PARTS, BodySampling, joint_positions, \
    PART_GROUPS  # noqa: F401  (re-exported)
from hupr_ros.sim.fmcw import synthesize_frame
from hupr_ros.sim.scene import Simulator
from hupr_ros.skeleton import JOINT_INDEX
import numpy as np


@dataclass(frozen=True)
class GroupEcho:
    """Echo energy of one group of body parts in one radar frame (arbitrary units)."""

    read: float        # in the Doppler bins the network reads
    stored: float      # in every Doppler bin of the stored cube


def echo_by_group(sim: Simulator, index: int, groups: Mapping[str, Tuple[str, ...]] = PART_GROUPS,
                  config: VRDAEConfig = HUPR_VRDAE_CONFIG
                  ) -> Dict[str, Dict[str, GroupEcho]]:
    """
    Echo energy of each group of body parts in frame ``index``, per radar (``hori``, ``vert``).

    Each group is synthesised alone (its scatterers only, no noise, no clutter) and
    preprocessed into the VRDAEMap cube; the energies of different groups do not add up exactly
    (their echoes interfere), so compare them as shares.

    :raises KeyError: a group names an unknown body part.
    """
    parts = {part.name: part for part in BODY_PARTS}
    keep = input_doppler_indices(config)
    t = index / sim.config.frame_rate
    out: Dict[str, Dict[str, GroupEcho]] = {'hori': {}, 'vert': {}}
    for group, names in groups.items():
        alone = Simulator(sim.subject, sim.motion, dataclasses.replace(sim.config, clutter=False),
                          sim.seed)
        alone.sampling = BodySampling(sim.sampling.along, sim.sampling.around,
                                      tuple(parts[name] for name in names))
        for radar, mount in (('hori', sim.config.hori_mount), ('vert', sim.config.vert_mount)):
            points, velocity, amplitude = alone.scatterers(t, mount)
            cube = vrdae_map(synthesize_frame(points, velocity, amplitude, sim.config.chirp,
                                              mount), config)
            per_bin = (np.abs(cube.astype(np.complex128)) ** 2).sum(axis=(1, 2, 3))
            out[radar][group] = GroupEcho(float(per_bin[keep].sum()), float(per_bin.sum()))
    return out


def fastest_wrist_speed(sim: Simulator, index: int) -> float:
    """Return the faster wrist's speed over frame ``index`` (m/s, joints one frame apart)."""
    c = sim.config
    a = joint_positions(sim.subject, sim.motion, index / c.frame_rate, c.sensor_height)
    b = joint_positions(sim.subject, sim.motion, (index + 1) / c.frame_rate, c.sensor_height)
    return max(float(np.linalg.norm(b[JOINT_INDEX[w]] - a[JOINT_INDEX[w]])) * c.frame_rate
               for w in ('L_Wrist', 'R_Wrist'))
