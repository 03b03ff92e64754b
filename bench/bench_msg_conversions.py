# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Benchmark: NumPy <-> message conversion of a 2 MiB VRDAEMap cube and a raw radar frame.

Prints ms per conversion for our fast path (hupr_ros.messages.ros) and for the
straightforward baseline (assigning the numpy array to the message field, reading it back
with np.array), measured in the same run.

    python bench/bench_msg_conversions.py
"""

from hupr_msgs.msg import RadarCube
from hupr_ros.messages import ros as conv
from hupr_ros.radar.config import HUPR_CHIRP_CONFIG
import numpy as np
from timing import time_ms


def main() -> None:
    rng = np.random.default_rng(0)
    cube = (rng.standard_normal((16, 64, 64, 8)) +
            1j * rng.standard_normal((16, 64, 64, 8))).astype(np.complex64)
    axes = [conv.AxisSpec(n, s) for n, s in
            (('doppler', 16), ('range', 64), ('azimuth', 64), ('elevation', 8))]
    kw = {'stamp_ns': 0, 'frame_id': 'radar_hori', 'frame_number': 0, 'orientation': 'horizontal'}
    msg = conv.cube_to_msg(cube, axes, **kw)

    def baseline_to_msg():
        m = RadarCube()
        m.data = cube.view(np.float32).ravel()  # per-element conversion in the setter
        return m

    baseline_msg = baseline_to_msg()
    rows = [
        ('cube -> msg (2 MiB)', time_ms(lambda: conv.cube_to_msg(cube, axes, **kw), 20, min),
         time_ms(baseline_to_msg, 3, min)),
        ('msg -> cube (2 MiB)', time_ms(lambda: conv.msg_to_cube(msg), 20, min),
         time_ms(lambda: np.array(baseline_msg.data, dtype=np.float32), 3, min)),
    ]
    cfg = HUPR_CHIRP_CONFIG
    iq = rng.integers(-2000, 2000, (cfg.num_chirps, cfg.num_rx, cfg.num_samples, 2), np.int16)
    fmsg = conv.frame_to_msg(iq, cfg, **kw)
    rows.append(('frame -> msg (768 KiB)',
                 time_ms(lambda: conv.frame_to_msg(iq, cfg, **kw), 20, min),
                 float('nan')))
    rows.append(('msg -> frame complex64', time_ms(lambda: conv.msg_to_frame(fmsg), 20, min),
                 float('nan')))
    print(f'{"conversion":28s} {"ours ms":>9s} {"baseline ms":>12s} {"speed-up":>9s}')
    for name, ours, base in rows:
        if np.isnan(base):
            print(f'{name:28s} {ours:9.3f} {"-":>12s} {"-":>9s}')
        else:
            print(f'{name:28s} {ours:9.3f} {base:12.2f} {base / max(ours, 1e-3):8.0f}x')


if __name__ == '__main__':
    main()
