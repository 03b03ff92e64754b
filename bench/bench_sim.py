# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Benchmark: HuPR-Sim frames per second (both radars + camera), one process and dataset CLI.

Prints, measured in the same run: frames/s of ``Simulator.frame`` (both radars, camera, ground
truth) on one core, the share of each stage, and the hupr-sim dataset CLI's frames/s with two
worker processes (writing captures, JPEGs and annotations). The live target is 10 frames/s.

    python bench/bench_sim.py
"""

import os
import tempfile
import time

os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')

from hupr_ros.sim.body import Motion, Subject  # noqa: E402
from hupr_ros.sim.dataset import write_dataset  # noqa: E402
from hupr_ros.sim.scene import Simulator  # noqa: E402
import numpy as np  # noqa: E402


def main() -> None:
    sim = Simulator(Subject(), Motion(kind='walk_wave'), seed=0)
    rng = np.random.default_rng(0)
    sim.frame(0)
    n = 30
    t0 = time.perf_counter()
    for k in range(n):
        sim.frame(k)
    per_frame = (time.perf_counter() - t0) / n
    stages = {}
    for name, fn in (('hori radar', lambda t: sim.radar_frame(t, sim.config.hori_mount, rng)),
                     ('vert radar', lambda t: sim.radar_frame(t, sim.config.vert_mount, rng)),
                     ('camera', lambda t: sim.render(
                         np.zeros((14, 3)) + [0, 2.5, 0], rng))):
        t0 = time.perf_counter()
        for k in range(10):
            fn(k / 10)
        stages[name] = (time.perf_counter() - t0) / 10
    points, _, _ = sim.scatterers(0.0, sim.config.hori_mount)
    print(f'scatterers per radar frame: {len(points)} (body, facing the radar, + clutter)')
    print(f'Simulator.frame, one core: {1e3 * per_frame:.1f} ms = {1 / per_frame:.1f} frames/s '
          f'(both radars + camera; live target 10 frames/s)')
    print('  ' + ', '.join(f'{k} {1e3 * v:.1f} ms' for k, v in stages.items()))
    with tempfile.TemporaryDirectory() as tmp:
        frames = 60
        t0 = time.perf_counter()
        write_dataset(__import__('pathlib').Path(tmp) / 'ds', num_sequences=6, frames=frames,
                      workers=2, progress=False)
        elapsed = time.perf_counter() - t0
    print(f'hupr-sim dataset CLI, 2 workers: {6 * frames / elapsed:.1f} frames/s '
          f'(6 sequences x {frames} frames in {elapsed:.1f} s)')


if __name__ == '__main__':
    main()
