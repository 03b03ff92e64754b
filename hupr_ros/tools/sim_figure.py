# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
hupr-sim-figure: the simulator documentation figure (no ROS).

    python -m hupr_ros.tools.sim_figure docs/images/simulator.png

Writes one row per motion: a simulated camera frame with its ground-truth skeleton, the
horizontal radar's range-azimuth map and the vertical radar's elevation-range map of the same
instant (computed by the real VRDAEMap preprocessing).
"""

import argparse
import pathlib
import sys
from typing import Optional, Sequence

from hupr_ros.dsp import vrdae_map
from hupr_ros.sim.body import make_subjects, Motion, MOTIONS
from hupr_ros.sim.scene import Simulator
from hupr_ros.visualization import sensor_panel
import numpy as np


def figure(seed: int = 0, time_s: float = 1.3) -> np.ndarray:
    rows = []
    subject = make_subjects(seed)[0]
    for kind in MOTIONS:
        sim = Simulator(subject, Motion(kind=kind, position=(0.2, 2.6), static_pose=2),
                        seed=seed)
        frame = sim.frame(int(round(time_s * sim.config.frame_rate)))
        rows.append(sensor_panel(frame.image, vrdae_map(frame.hori), vrdae_map(frame.vert),
                                 frame.keypoints))
    return np.concatenate(rows, axis=0)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='hupr-sim-figure',
                                     description=__doc__.strip().split('\n')[0])
    parser.add_argument('out', type=pathlib.Path)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    from PIL import Image
    args.out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(figure(args.seed)).save(args.out)
    print(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
