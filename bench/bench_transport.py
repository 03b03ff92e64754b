# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Large messages between two processes under each Fast DDS transport set-up.

    python bench/bench_transport.py [--seconds 8] [--mib 8 0.75]

A publisher process sends messages of the size of a cube pair (8 MiB) or of a raw radar frame
(0.75 MiB) at 10 Hz (best effort, as the sensor topics, or reliable) to a subscriber process;
each side gets its own environment:
Fast DDS's defaults, the project's profile (hupr_msgs/config/fastdds_large_data.xml) or Fast DDS's
``FASTDDS_BUILTIN_TRANSPORTS=LARGE_DATA``, and the mixed pairs (a node with the profile, a
tool started from another shell with LARGE_DATA or nothing). Prints delivered / sent per case.
Plain rclpy and sensor_msgs (importing hupr_ros.nodes would set the profile itself).
"""

import argparse
import os
import pathlib
import signal
import subprocess
import sys
import time

PROFILE = str(pathlib.Path(__file__).resolve().parents[1] / 'hupr_msgs' / 'config' /
              'fastdds_large_data.xml')
ENVS = {
    'default': {},
    'profile': {'FASTDDS_DEFAULT_PROFILES_FILE': PROFILE},
    'LARGE_DATA': {'FASTDDS_BUILTIN_TRANSPORTS': 'LARGE_DATA'},
}
CASES = [('default', 'default'), ('profile', 'profile'), ('LARGE_DATA', 'LARGE_DATA'),
         ('profile', 'default'), ('default', 'profile'), ('profile', 'LARGE_DATA'),
         ('LARGE_DATA', 'profile')]

CHILD = r"""
import array, sys, time
import rclpy
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import Image
role, topic, size, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
policy = ReliabilityPolicy.RELIABLE if sys.argv[5] == 'reliable' else ReliabilityPolicy.BEST_EFFORT
rclpy.init()
node = rclpy.create_node('bench_' + role)
qos = QoSProfile(depth=5, reliability=policy)
if role == 'pub':
    pub = node.create_publisher(Image, topic, qos)
    msg = Image(height=1, width=size, encoding='mono8', step=size)
    msg.data = array.array('B', bytes(size))
    deadline = time.monotonic() + 20
    while pub.get_subscription_count() == 0 and time.monotonic() < deadline:
        rclpy.spin_once(node, timeout_sec=0.05)
    time.sleep(1.0)
    sent, start = 0, time.monotonic()
    while time.monotonic() - start < seconds:
        pub.publish(msg)
        sent += 1
        rclpy.spin_once(node, timeout_sec=max(0.0, start + sent / 10 - time.monotonic()))
    time.sleep(1.0)
    print(sent, flush=True)
else:
    got = [0]
    node.create_subscription(Image, topic, lambda m: got.__setitem__(0, got[0] + 1), qos)
    end = time.monotonic() + seconds + 25
    try:
        while time.monotonic() < end and rclpy.ok():
            rclpy.spin_once(node, timeout_sec=0.1)
    except (KeyboardInterrupt, Exception):
        pass
    print(got[0], flush=True)
"""


def run_case(pub_env: str, sub_env: str, mib: float, seconds: float, domain: int,
             reliability: str) -> tuple:
    base = {k: v for k, v in os.environ.items()
            if k not in ('FASTDDS_DEFAULT_PROFILES_FILE', 'FASTDDS_BUILTIN_TRANSPORTS')}
    base['ROS_DOMAIN_ID'] = str(domain)
    size = int(mib * 1024 * 1024)
    topic = f'bench_{domain}'
    sub = subprocess.Popen([sys.executable, '-c', CHILD, 'sub', topic, str(size),
                            str(seconds), reliability], env={**base, **ENVS[sub_env]},
                           stdout=subprocess.PIPE, text=True)
    pub = subprocess.Popen([sys.executable, '-c', CHILD, 'pub', topic, str(size),
                            str(seconds), reliability], env={**base, **ENVS[pub_env]},
                           stdout=subprocess.PIPE, text=True)
    sent = int(pub.communicate(timeout=seconds + 60)[0].strip() or 0)
    time.sleep(1.0)
    sub.send_signal(signal.SIGINT)      # rclpy shuts down; the subscriber prints its count
    got = int(sub.communicate(timeout=30)[0].strip() or 0)
    return sent, got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().split('\n')[0])
    parser.add_argument('--seconds', type=float, default=8.0)
    parser.add_argument('--mib', type=float, nargs='+', default=[8.0, 0.75])
    parser.add_argument('--cases', nargs='+', default=None, metavar='PUB:SUB',
                        help='only these publisher:subscriber set-ups (default: all)')
    parser.add_argument('--reliability', choices=['best_effort', 'reliable'],
                        default='best_effort',
                        help='best_effort: the sensor topics (raw frames, cube pairs)')
    args = parser.parse_args()
    print(f'{args.reliability}, 10 Hz, {args.seconds:g} s per case')
    print('| message | publisher | subscriber | sent | delivered | share |')
    print('| --- | --- | --- | --- | --- | --- |')
    domain = 150
    for mib in args.mib:
        cases = [tuple(c.split(':')) for c in args.cases] if args.cases else CASES
        for pub_env, sub_env in cases:
            domain += 1
            sent, got = run_case(pub_env, sub_env, mib, args.seconds, domain, args.reliability)
            print(f'| {mib:g} MiB | {pub_env} | {sub_env} | {sent} | {got} | '
                  f'{100 * got / max(sent, 1):.0f}% |', flush=True)


if __name__ == '__main__':
    main()
