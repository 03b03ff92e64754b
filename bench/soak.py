# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Soak the node graph: kill -9 and restart each node in turn, and check that it recovers.

    python bench/soak.py --seconds 600 --kill-every 30 [--order pose,preprocess,sim]

Starts ``sim_node``, ``preprocess_node`` and ``pose_node`` (the shipped model) as separate
processes in the given order, plus a recorder of the pairs the pose node takes (``pair``:
``radar/input_pair``, or ``radar/cube_pair`` with the pose argument ``input:=cube_pair``) and
of ``pose/skeleton``.
Every ``--kill-every`` seconds one node (sim, preprocess, pose, in turn) is killed with SIGKILL
and started again. It prints, as JSON: per kill, the seconds until both topics flow again;
per topic, messages, stamps that went backwards or repeated; per node, RSS at its start and
at the end (MiB); and exit codes of the final SIGINT (0 = clean). ``test/test_faults.py``
runs a short version of it in CI.
"""

import argparse
import json
import os
import pathlib
import random
import signal
import subprocess
import sys
import time
from typing import Dict, List, Optional, Sequence

REPO = pathlib.Path(__file__).resolve().parents[1]
NODES = ('sim', 'preprocess', 'pose')


def rss_mib(pid: int) -> Optional[float]:
    try:
        for line in pathlib.Path(f'/proc/{pid}/status').read_text().splitlines():
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Graph:
    """The three node processes and a recorder node in this process."""

    def __init__(self, log_dir: pathlib.Path, pose_args: Sequence[str] = ('torch_threads:=1',),
                 preprocess_args: Sequence[str] = (), sim_args: Sequence[str] = (),
                 record_raw: bool = False) -> None:
        self.log_dir = log_dir
        self.stalled: Dict[str, int] = {}    # topics that did not flow again: messages since
        #                                      the kill, none stamped after it
        log_dir.mkdir(parents=True, exist_ok=True)
        python = sys.executable

        def params(args):
            return [a for p in args for a in ('-p', p)]
        self.commands = {
            'sim': [python, '-m', 'hupr_ros.nodes', 'sim_node', '--ros-args', '-p', 'seed:=0',
                    '-p', 'motion:=wave_both', '-p', 'subject:=5'] + params(sim_args),
            'preprocess': [python, '-m', 'hupr_ros.nodes', 'preprocess_node', '--ros-args',
                           '-p', 'stats_period_s:=10.0'] + params(preprocess_args),
            'pose': [python, '-m', 'hupr_ros.nodes', 'pose_node', '--ros-args'] +
            params(pose_args),
        }
        self.processes: Dict[str, subprocess.Popen] = {}
        self.rss: Dict[str, List[float]] = {name: [] for name in NODES}
        os.environ.setdefault('ROS_DOMAIN_ID', str(random.randint(101, 200)))
        os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
        from hupr_ros.nodes.environment import apply_process_defaults
        apply_process_defaults()     # the large-data transport before rclpy starts DDS
        import rclpy
        from hupr_msgs.msg import RadarCubePair, RadarFrame, RadarInputPair, Skeleton2D
        from rclpy.executors import SingleThreadedExecutor
        from rclpy.node import Node

        from hupr_ros import topics
        from hupr_ros.messages.ros import ns_from_stamp
        from hupr_ros.nodes.qos import RESULT_QOS, SENSOR_QOS
        self.context = rclpy.Context()
        rclpy.init(context=self.context)
        self.node = Node('hupr_soak_recorder', context=self.context)
        names = ['pair', 'skeleton'] + (['raw_hori'] if record_raw else [])
        self.stamps: Dict[str, List[int]] = {name: [] for name in names}
        self.arrivals: Dict[str, List[float]] = {name: [] for name in names}
        self.received_ns: Dict[str, List[int]] = {name: [] for name in names}

        def record(topic):
            def callback(msg):
                self.received_ns[topic].append(time.time_ns())
                self.stamps[topic].append(ns_from_stamp(msg.header.stamp))
                self.arrivals[topic].append(time.monotonic())
            return callback
        if record_raw:
            self.node.create_subscription(RadarFrame, topics.RADAR_HORI_RAW,
                                          record('raw_hori'), SENSOR_QOS)
        # The pairs the pose node takes (a cube subscriber here would make the preprocessing
        # node publish 8 MiB cube pairs that the default graph does not send).
        if 'input:=cube_pair' in pose_args:
            self.node.create_subscription(RadarCubePair, topics.RADAR_CUBE_PAIR,
                                          record('pair'), SENSOR_QOS)
        else:
            self.node.create_subscription(RadarInputPair, topics.RADAR_INPUT_PAIR,
                                          record('pair'), SENSOR_QOS)
        self.node.create_subscription(Skeleton2D, topics.POSE_SKELETON, record('skeleton'),
                                      RESULT_QOS)
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)

    def start(self, name: str) -> None:
        log = open(self.log_dir / f'{name}.log', 'a')
        self.processes[name] = subprocess.Popen(self.commands[name], stdout=log,
                                                stderr=subprocess.STDOUT, cwd=REPO)
        log.close()

    def kill(self, name: str) -> None:
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait()

    def spin(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.executor.spin_once(timeout_sec=0.02)

    def wait_flowing(self, timeout: float, topics: Sequence[str] = ('pair', 'skeleton'),
                     since_ns: Optional[int] = None) -> Optional[float]:
        """
        Seconds until each of ``topics`` delivers a new message, or None on timeout.

        With ``since_ns``, only messages stamped at or after it count: after a kill, a message
        still in flight from before it is not a recovery.
        """
        start = time.monotonic()
        counts = {topic: len(self.stamps[topic]) for topic in topics}

        def fresh(topic: str) -> bool:
            new = self.stamps[topic][counts[topic]:]
            return any(s >= since_ns for s in new) if since_ns is not None else bool(new)
        while time.monotonic() - start < timeout:
            self.executor.spin_once(timeout_sec=0.02)
            if all(fresh(t) for t in counts):
                return time.monotonic() - start
        self.stalled = {t: len(self.stamps[t]) - counts[t] for t in counts if not fresh(t)}
        return None

    def log_tail(self, name: str, lines: int = 12) -> List[str]:
        """Return the last lines a node wrote (its log collects every start)."""
        try:
            text = (self.log_dir / f'{name}.log').read_text(errors='replace')
        except OSError:
            return []
        return text.splitlines()[-lines:]

    def cpu_seconds(self) -> Dict[str, float]:
        """Return the user + system CPU seconds of each node process so far."""
        ticks = os.sysconf('SC_CLK_TCK')
        out = {}
        for name, process in self.processes.items():
            try:
                fields = pathlib.Path(f'/proc/{process.pid}/stat').read_text().rsplit(')', 1)
                values = fields[1].split()
                out[name] = (int(values[11]) + int(values[12])) / ticks
            except (OSError, IndexError, ValueError):
                pass
        return out

    def sample_rss(self) -> None:
        for name, process in self.processes.items():
            value = rss_mib(process.pid)
            if value is not None:
                self.rss[name].append(value)

    def stop(self) -> Dict[str, Optional[int]]:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        codes = {}
        for name, process in self.processes.items():
            try:
                codes[name] = process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                codes[name] = None
        self.node.destroy_node()
        self.executor.shutdown()
        import rclpy
        rclpy.try_shutdown(context=self.context)
        return codes


def backwards(stamps: List[int]) -> int:
    return sum(1 for a, b in zip(stamps, stamps[1:]) if b <= a)


def soak(seconds: float, kill_every: float, order: Sequence[str] = NODES,
         log_dir: pathlib.Path = pathlib.Path('out/soak'),
         pose_args: Sequence[str] = ('torch_threads:=1',),
         recover_timeout: float = 60.0, kills: Optional[int] = None) -> dict:
    """Run the graph for ``seconds`` or ``kills`` kills, killing one node every ``kill_every``."""
    graph = Graph(log_dir, pose_args)
    report: dict = {'order': list(order), 'kills': []}
    try:
        for name in order:
            graph.start(name)
            graph.spin(min(0.5, kill_every))
        first = graph.wait_flowing(90.0)
        if first is None:
            raise RuntimeError(f'the graph did not start; logs in {log_dir}')
        report['startup_s'] = round(first, 1)
        graph.sample_rss()
        start, turn = time.monotonic(), 0
        while time.monotonic() - start < seconds:
            graph.spin(min(kill_every, max(0.0, seconds - (time.monotonic() - start))))
            if time.monotonic() - start >= seconds or turn == kills:
                break
            victim = NODES[turn % len(NODES)]
            turn += 1
            graph.sample_rss()
            killed_ns = time.time_ns()          # node stamps are this (system) clock
            graph.kill(victim)
            graph.start(victim)
            recovered = graph.wait_flowing(recover_timeout, since_ns=killed_ns)
            kill = {'node': victim,
                    'recovered_s': None if recovered is None else round(recovered, 1)}
            if recovered is None:        # what a reader needs to tell why
                kill['stalled_topics'] = graph.stalled
                kill['logs'] = {name: graph.log_tail(name) for name in NODES}
            report['kills'].append(kill)
        graph.spin(min(1.0, kill_every))
        graph.sample_rss()
    finally:
        report['exit_codes'] = graph.stop()
    report['topics'] = {topic: {'messages': len(stamps), 'backwards': backwards(stamps)}
                        for topic, stamps in graph.stamps.items()}
    report['rss_mib'] = {name: {'first': round(v[0], 1), 'last': round(v[-1], 1),
                                'max': round(max(v), 1)}
                         for name, v in graph.rss.items() if v}
    return report


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().split('\n')[0])
    parser.add_argument('--seconds', type=float, default=600)
    parser.add_argument('--kill-every', type=float, default=30)
    parser.add_argument('--kills', type=int, default=None,
                        help='stop after this many kills (default: as many as fit)')
    parser.add_argument('--order', default=','.join(NODES),
                        help='start order, e.g. pose,preprocess,sim')
    parser.add_argument('--out', type=pathlib.Path, default=REPO / 'out' / 'soak')
    args = parser.parse_args(argv)
    order = args.order.split(',')
    if sorted(order) != sorted(NODES):
        parser.error(f'--order must name each of {NODES} once')
    report = soak(args.seconds, args.kill_every, order, args.out, kills=args.kills)
    print(f'$ python bench/soak.py --seconds {args.seconds:g} --kill-every '
          f'{args.kill_every:g} --order {args.order}' +
          ('' if args.kills is None else f' --kills {args.kills}'))
    print(json.dumps(report, indent=1))
    failed = [k for k in report['kills'] if k['recovered_s'] is None]
    return 1 if failed or any(t['backwards'] for t in report['topics'].values()) else 0


if __name__ == '__main__':
    sys.exit(main())
