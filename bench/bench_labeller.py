# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Benchmark: labeller throughput per backend on 256x256 simulated camera frames.

For each backend, on the same frames and alternating the backends round by round: frames/s
(wall clock) and CPU seconds per frame (this process and BlazePose's worker process), plus
the cost of recording a labelled frame (both radars and the label into an sqlite3 bag),
which is all the ``ground_truth`` source costs. HRNet's speed does not
depend on its weights, so random weights in the official format stand in for a checkpoint.
The camera runs at 10 frames/s; a backend slower than that leaves frames unlabelled live
(counted) unless the queue absorbs the burst, and labels a recording offline instead.

    python bench/bench_labeller.py [--rounds 3] [--frames 10]
"""

import argparse
import os
import pathlib
import resource
import sys
import tempfile
import time

import numpy as np
import torch

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hupr_ros.labeller import hrnet  # noqa: E402, I100 (after the path set-up)
from hupr_ros.labeller.backends import BlazePoseLabeller, HRNetBackend  # noqa: E402
from hupr_ros.sim.dataset import simulated_frames  # noqa: E402


def cpu_s(labeller=None) -> float:
    """CPU seconds of this process, plus those of the labeller's worker process if any."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    total = own.ru_utime + own.ru_stime
    worker = getattr(labeller, '_proc', None)
    if worker is not None:          # a live child: RUSAGE_CHILDREN counts only finished ones
        fields = pathlib.Path(f'/proc/{worker.pid}/stat').read_text().rsplit(')', 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
    return total


def record_cost(frames) -> float:
    """Return the ms to record one labelled frame (2 radar frames and a label) in sqlite3."""
    from hupr_ros import messages
    from hupr_ros.bags import rosbags_backend
    from hupr_ros.labeller.recorder import LabelRecorder
    from hupr_ros.radar.config import HUPR_CHIRP_CONFIG
    from hupr_ros.bags.recording import RecordingWriter
    with tempfile.TemporaryDirectory() as tmp:
        writer = RecordingWriter(pathlib.Path(tmp) / 'bag').open()
        recorder = LabelRecorder(writer, None, live=False)
        backend = rosbags_backend(writer.store)
        radar = np.zeros((192, 4, 256), np.complex64)
        cdr = writer.store.serialize_cdr(messages.radar_frame(
            backend, radar, HUPR_CHIRP_CONFIG, stamp_ns=1, frame_id='r', frame_number=0,
            orientation='horizontal'), 'hupr_msgs/msg/RadarFrame')
        label = writer.store.serialize_cdr(messages.skeleton(
            backend, np.zeros((14, 2)), None, stamp_ns=1, frame_id='c', source='s'),
            'hupr_msgs/msg/Skeleton2D')
        start = time.perf_counter()
        for _ in range(len(frames)):
            recorder.radar('radar/hori/raw', cdr)
            recorder.radar('radar/vert/raw', cdr)
            recorder.ground_truth(label)
        recorder.close()
        return 1e3 * (time.perf_counter() - start) / len(frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().split('\n')[0])
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--frames', type=int, default=10)
    args = parser.parse_args()
    frames = [image for image, _, _ in simulated_frames(2, args.frames)][:args.frames]
    with tempfile.TemporaryDirectory() as tmp:
        weights = pathlib.Path(tmp) / 'hrnet_w32_mpii_random.pth'
        torch.save(hrnet.PoseHighResolutionNet(16).state_dict(), weights)
        backends = {'hrnet': HRNetBackend(str(weights)),
                    'hrnet flip test': HRNetBackend(str(weights), flip_test=True)}
    python = os.environ.get('HUPR_BLAZEPOSE_PYTHON') or str(
        REPO / '.venv-blazepose' / 'bin' / 'python')
    if pathlib.Path(python).is_file():
        backends['blazepose'] = BlazePoseLabeller(python)
    else:
        print(f'blazepose: not measured ({python} missing: scripts/setup.sh --blazepose)')
    for labeller in backends.values():
        labeller(frames[0])                                     # warm-up
    wall = dict.fromkeys(backends, 0.0)
    cpu = dict.fromkeys(backends, 0.0)
    for _ in range(args.rounds):
        for name, labeller in backends.items():
            c0, t0 = cpu_s(labeller), time.perf_counter()
            for image in frames:
                labeller(image)
            wall[name] += time.perf_counter() - t0
            cpu[name] += cpu_s(labeller) - c0
    n = args.rounds * len(frames)
    print(f'{n} frames of 256x256 per backend, torch threads {torch.get_num_threads()}, '
          f'{os.cpu_count()} CPUs')
    for name in backends:
        print(f'{name:16s} {n / wall[name]:6.1f} frames/s   {1e3 * wall[name] / n:7.1f} ms/frame'
              f'   CPU {cpu[name] / n:.3f} s/frame')
    print(f'recording a labelled frame (2 radar frames + label, sqlite3): '
          f'{record_cost(frames):.1f} ms')
    for labeller in backends.values():
        labeller.close()


if __name__ == '__main__':
    main()
