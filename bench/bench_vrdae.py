# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Benchmark: VRDAEMap + network-input normalisation per radar frame, on one core.

Prints ms/frame for hupr_ros.dsp (single frame and batched) and for the straightforward
implementation of docs/published_model.md section 2 (hupr_ros.dsp.reference: the published steps in
complex128 with full-size FFTs, no per-bin Python loops), measured in the same run.

    python bench/bench_vrdae.py            # one core (sets the BLAS threads to 1)
"""

import os
import sys

for _var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(_var, '1')

from hupr_ros.dsp import model_input, vrdae_map  # noqa: E402
from hupr_ros.dsp.reference import model_input_reference, vrdae_map_reference  # noqa: E402
import numpy as np  # noqa: E402
from timing import time_ms  # noqa: E402


def main() -> None:
    rng = np.random.default_rng(0)
    frame = (rng.integers(-2000, 2000, (192, 4, 256)) +
             1j * rng.integers(-2000, 2000, (192, 4, 256))).astype(np.complex64)
    batch = np.stack([frame] * 32)
    cube = vrdae_map(frame)
    ours = time_ms(lambda: vrdae_map(frame), 50)
    ours_batch = time_ms(lambda: vrdae_map(batch), 5) / len(batch)
    ours_input = time_ms(lambda: model_input(cube), 50)
    plain = time_ms(lambda: vrdae_map_reference(frame), 5)
    plain_input = time_ms(lambda: model_input_reference(cube), 3)
    print(f'threads: BLAS={os.environ["OPENBLAS_NUM_THREADS"]}, numpy {np.__version__}, '
          f'python {sys.version.split()[0]}')
    print(f'{"step":34s} {"hupr_ros ms":>12s} {"plain ms":>10s} {"speed-up":>9s}')
    print(f'{"vrdae_map, one frame":34s} {ours:12.2f} {plain:10.1f} {plain / ours:8.0f}x')
    print(f'{"vrdae_map, batch of 32 (per frame)":34s} {ours_batch:12.2f} {plain:10.1f} '
          f'{plain / ours_batch:8.0f}x')
    print(f'{"model_input, one frame":34s} {ours_input:12.2f} {plain_input:10.1f} '
          f'{plain_input / ours_input:8.0f}x')
    total, total_plain = ours + ours_input, plain + plain_input
    print(f'{"frame -> network input":34s} {total:12.2f} {total_plain:10.1f} '
          f'{total_plain / total:8.0f}x')
    print('published code (Python loops over bins): 1400-2600 ms/frame, measured side by side '
          '(docs/benchmarks.md)')


if __name__ == '__main__':
    main()
