# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Benchmark: the preprocessing node fed two radars at 10 Hz over DDS.

Runs the node in its own process (as in deployment), publishes simulated raw frame pairs at
10 Hz from this process for a fixed time, and reports: the node process's CPU time per pair
(from /proc) against the bare cost of two vrdae_map calls measured in the same run, and the
end-to-end latency from publishing the second frame to receiving its RadarCubePair.

    python bench/bench_preprocess_node.py [seconds]
"""

import os
import signal
import subprocess
import sys
import time

from hupr_msgs.msg import RadarCubePair, RadarFrame
from hupr_ros import topics
from hupr_ros.dsp import vrdae_map
from hupr_ros.messages import ros as conv
from hupr_ros.nodes.environment import apply_process_defaults
from hupr_ros.nodes.qos import SENSOR_QOS
from hupr_ros.radar.antenna import HORIZONTAL_MOUNT, VERTICAL_MOUNT
from hupr_ros.radar.config import HUPR_CHIRP_CONFIG
from hupr_ros.sim.fmcw import quantize, synthesize_frame
import numpy as np
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node


def process_cpu_seconds(pid: int) -> float:
    """Return the user + system CPU seconds of a process, from /proc (Linux)."""
    fields = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    rng = np.random.default_rng(0)
    points = rng.uniform([-0.3, 2.0, -0.8], [0.3, 2.4, 0.8], (200, 3))
    velocities = rng.normal(0, 0.3, (200, 3))
    frames = {o: quantize(synthesize_frame(points, velocities, np.full(200, 50.0), mount=m),
                          5.0, rng)
              for o, m in (('horizontal', HORIZONTAL_MOUNT), ('vertical', VERTICAL_MOUNT))}
    node_process = subprocess.Popen(
        [sys.executable, '-m', 'hupr_ros.nodes', 'preprocess_node', '--ros-args', '-p',
         'stats_period_s:=1000.0'])
    apply_process_defaults()     # the large-data transport before rclpy starts DDS
    rclpy.init()
    tester = Node('bench_tester')
    executor = SingleThreadedExecutor()
    executor.add_node(tester)
    pubs = {'horizontal': tester.create_publisher(RadarFrame, topics.RADAR_HORI_RAW, SENSOR_QOS),
            'vertical': tester.create_publisher(RadarFrame, topics.RADAR_VERT_RAW, SENSOR_QOS)}
    latencies, sent_at = [], {}

    def on_pair(msg: RadarCubePair) -> None:
        latencies.append(time.perf_counter() - sent_at[conv.ns_from_stamp(msg.header.stamp)])
    sub = tester.create_subscription(RadarCubePair, topics.RADAR_CUBE_PAIR, on_pair, SENSOR_QOS)

    def spin_until(t_end: float) -> None:
        while (left := t_end - time.perf_counter()) > 0:
            executor.spin_once(timeout_sec=left)
    try:
        deadline = time.perf_counter() + 30
        while min(p.get_subscription_count() for p in pubs.values()) == 0 or \
                sub.get_publisher_count() == 0:
            spin_until(time.perf_counter() + 0.1)
            if time.perf_counter() > deadline:
                raise RuntimeError('the node did not come up')
        n = int(seconds * 10)
        messages = []
        for i in range(n):
            stamp = 1_000_000_000 * 1_700_000_000 + i * 100_000_000
            messages.append((stamp, {o: conv.frame_to_msg(
                f, HUPR_CHIRP_CONFIG, stamp_ns=stamp + (o == 'vertical'), frame_id=o,
                frame_number=i, orientation=o) for o, f in frames.items()}))
        spin_until(time.perf_counter() + 1.0)
        cpu0 = process_cpu_seconds(node_process.pid)
        start = time.perf_counter()
        for i, (stamp, msgs) in enumerate(messages):
            pubs['horizontal'].publish(msgs['horizontal'])
            sent_at[stamp] = time.perf_counter()
            pubs['vertical'].publish(msgs['vertical'])
            spin_until(start + (i + 1) * 0.1)
        spin_until(time.perf_counter() + 0.5)
        cpu = process_cpu_seconds(node_process.pid) - cpu0
    finally:
        node_process.send_signal(signal.SIGINT)
        node_process.wait(timeout=10)
        tester.destroy_node()
        rclpy.shutdown()
    bare = []
    for _ in range(20):
        t0 = time.perf_counter()
        vrdae_map(frames['horizontal'])
        bare.append(time.perf_counter() - t0)
    bare_pair = 2e3 * float(np.median(bare))
    lat = np.array(latencies) * 1e3
    print(f'pairs sent {n}, received {len(latencies)} in {seconds:.0f} s at 10 Hz')
    print(f'node process CPU per pair: {1e3 * cpu / n:.1f} ms = {100 * cpu / (n * 0.1):.0f}% '
          f'of one core (bare vrdae_map x2 = {bare_pair:.1f} ms; overhead ratio '
          f'{1e3 * cpu / n / bare_pair:.2f})')
    print(f'latency second frame published -> pair received: mean {lat.mean():.1f} ms, '
          f'p95 {np.percentile(lat, 95):.1f} ms')


if __name__ == '__main__':
    main()
