# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Benchmark: two radars' raw streams received on loopback.

How fast two radars' raw streams can be received on loopback before datagrams are lost,
and what receiving costs per radar at the real rate.

    python bench/bench_capture.py [--frames 100]

Two DCA1000 emulators in a child process stream HuPR-profile frames (786,432 bytes, 541
datagrams each) to two receivers in this process (the driver's receive path: socket,
reassembly by byte count, the frame handed to a callback). The rate goes up by doubling until
a stream loses datagrams or the sender can't go faster; the figure is the highest loss-free
rate in multiples of real time (10 frames/s per radar). Then both streams run at 10 frames/s
for ``--seconds`` and the CPU time of this (receiving) process per radar is reported.
"""

import argparse
import multiprocessing
import resource
import sys
import time

from hupr_ros.radar import HUPR_CHIRP_CONFIG
from hupr_ros.radar.dca1000_emulator import Dca1000Emulator
from hupr_ros.radar.dca1000_net import Dca1000Receiver
import numpy as np

FRAME = HUPR_CHIRP_CONFIG.frame_bytes
DATA = [np.random.default_rng(k).integers(-800, 800, FRAME // 2, dtype=np.int16).tobytes()
        for k in range(8)]


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _send(ports, fps: float, frames: int) -> None:
    boards = [Dca1000Emulator(lambda k: DATA[k % len(DATA)], data_port=port, fps=fps,
                              max_frames=frames) for port in ports]
    for board in boards:
        board.start()
        board.record_start()
    while any(b.frames_sent < frames for b in boards):
        time.sleep(0.005)
    time.sleep(0.05)
    for board in boards:
        board.close()


def run(fps: float, frames: int) -> dict:
    """Two radars at ``fps`` frames/s each for ``frames`` frames: counts and receiving CPU."""
    got = {0: 0, 1: 0}
    receivers = []
    for radar in range(2):
        def on_frame(frame, radar=radar):
            got[radar] += 1
        receivers.append(Dca1000Receiver('127.0.0.1', 0, FRAME, on_frame).start())
    ports = [r.port for r in receivers]
    sender = multiprocessing.Process(target=_send, args=(ports, fps, frames))
    start_cpu, start = cpu_s(), time.monotonic()
    sender.start()
    while min(got.values()) < frames and sender.is_alive():
        time.sleep(0.005)
    elapsed = time.monotonic() - start
    sender.join(timeout=60)
    used = cpu_s() - start_cpu
    stats = []
    for receiver in receivers:
        receiver.stop(drain_s=0.05)
        stats.append(receiver.assembler.stats)
    return {'fps': fps, 'seconds': elapsed, 'cpu_s': used, 'lost': sum(s.lost for s in stats),
            'frames': [got[0], got[1]],
            'zero_filled': sum(s.zero_filled_frames for s in stats),
            'kernel_drops': [r.kernel_drops for r in receivers]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().split('\n')[0])
    parser.add_argument('--frames', type=int, default=100, help='frames per radar per rate')
    parser.add_argument('--seconds', type=float, default=10.0,
                        help='length of the 10 frames/s CPU measurement')
    args = parser.parse_args(argv)
    print(f'$ python bench/bench_capture.py --frames {args.frames} --seconds {args.seconds:g}')
    best = None
    fps, failed = 10.0, None

    def attempt(fps):
        result = run(fps, args.frames)
        achieved = args.frames / result['seconds']
        ok = result['lost'] == 0 and result['frames'] == [args.frames] * 2
        print(f'asked {fps:6.0f} frames/s per radar: achieved {achieved:6.1f} '
              f'({achieved / 10:5.1f}x real time), datagrams lost {result["lost"]}, frames '
              f'{result["frames"]}, zero-filled {result["zero_filled"]}')
        return ok, achieved
    while fps <= 2560:                 # double until a loss, then bisect twice
        ok, achieved = attempt(fps)
        if not ok:
            failed = fps
            break
        best = achieved
        if achieved < 0.8 * fps:      # the sender is the limit now
            break
        fps *= 2
    if failed is not None and best is not None:
        low = failed / 2
        for _ in range(2):
            middle = (low + failed) / 2
            ok, achieved = attempt(middle)
            if ok:
                best, low = max(best, achieved), middle
            else:
                failed = middle
    print(f'highest loss-free rate: {best or 0:.1f} frames/s per radar = '
          f'{(best or 0) / 10:.1f}x real time, two radars at once')
    both = run(10.0, int(args.seconds * 10))
    per_radar = both['cpu_s'] / 2 / both['seconds']
    print(f'at 10 frames/s for {both["seconds"]:.1f} s: receiving costs '
          f'{100 * per_radar:.1f}% of one core per radar; datagrams lost {both["lost"]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
