# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
``hupr-record`` and ``hupr-play``: rosbag2 record and replay without ``ros2 bag``.

    hupr-record BAG [--topics T ...] [--namespace NS] [--duration S]
    hupr-play BAG [--rate R] [--loop] [--start-offset S] [--topics GLOB ...] [--restamp]
              [--wait-subscribers S] [--wait-acked S]

The recorder subscribes to the graph's topics as they appear, with a QoS matched to their
publishers (as ``ros2 bag record`` does), and stores the serialised messages with the
publishers' QoS in an sqlite3 bag that is flushed every second: killed at any moment, it
leaves a readable bag. The player publishes a bag's messages with their recorded timing (or
``--rate`` times faster), so the pose node runs on a recording as on live radars.
"""

import argparse
import fnmatch
import importlib
import signal
import sys
import time
from typing import Dict, List, Optional

from hupr_ros import topics
from hupr_ros.bags import BagError, fully_qualified, open_reader
from hupr_ros.bags.recording import RecordingWriter
from hupr_ros.cli import fail
from hupr_ros.messages.ros import ns_from_stamp, stamp_from_ns
from hupr_ros.nodes.qos import rclpy_qos, rosbags_qos, subscription_qos
import rclpy
from rclpy.duration import Duration
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from rclpy.qos import QoSProfile
from rclpy.serialization import deserialize_message, serialize_message

#: What ``hupr-record`` records by default: the inputs the pose node needs, the camera and the
#: ground truth or labels (for training), its output, the static transforms and diagnostics.
DEFAULT_TOPICS = (topics.RADAR_HORI_RAW, topics.RADAR_VERT_RAW, topics.CAMERA_IMAGE,
                  topics.SIM_GROUND_TRUTH, topics.LABEL_SKELETON, topics.POSE_SKELETON,
                  '/tf_static', '/diagnostics')
#: Topics that live outside a rig's namespace.
GLOBAL_TOPICS = ('/tf', '/tf_static', '/diagnostics')


def message_class(msgtype: str):
    """'pkg/msg/Type' -> the rclpy message class."""
    package, _, name = msgtype.split('/')
    try:
        return getattr(importlib.import_module(f'{package}.msg'), name)
    except (ImportError, AttributeError):
        raise BagError(f'message type {msgtype} is not installed here') from None


class Recorder(Node):
    """Records ``wanted`` topics into ``writer`` as their publishers appear."""

    def __init__(self, writer: RecordingWriter, wanted, **kwargs) -> None:
        super().__init__('hupr_record', **kwargs)
        self.writer = writer
        self.wanted = [self.resolve_topic_name(t) for t in wanted]
        self.counts: Dict[str, int] = {}
        self.first_message_s: Optional[float] = None     # monotonic time of the first one
        self._recorded_subs = []
        self.create_timer(0.5, self.discover)
        self.discover()

    def discover(self) -> None:
        types = dict(self.get_topic_names_and_types())
        for topic in self.wanted:
            if self.writer.has_topic(topic) or topic not in types:
                continue
            msgtype = types[topic][0]
            offered = [i.qos_profile for i in self.get_publishers_info_by_topic(topic)]
            if not offered:
                continue
            try:
                cls = message_class(msgtype)
                self.writer.add_topic(topic, msgtype, [rosbags_qos(q) for q in offered])
            except BagError as error:
                self.get_logger().error(f'not recording {topic}: {error}')
                self.wanted.remove(topic)
                continue
            self._recorded_subs.append(self.create_subscription(
                cls, topic, lambda data, t=topic: self._store(t, data),
                subscription_qos(offered), raw=True))
            self.get_logger().info(f'recording {topic} ({msgtype})')

    def _store(self, topic: str, data: bytes) -> None:
        if self.first_message_s is None:
            self.first_message_s = time.monotonic()
        self.writer.write(topic, self.get_clock().now().nanoseconds, data)
        self.counts[topic] = self.counts.get(topic, 0) + 1


def _recording_done(recorder: Recorder, duration_s: float, start_timeout_s: float,
                    started_s: float) -> Optional[str]:
    """Return why a recording should stop now ('' for its duration), None to go on."""
    now = time.monotonic()
    if recorder.first_message_s is None:
        if start_timeout_s and now - started_s >= start_timeout_s:
            return f'no message within --start-timeout {start_timeout_s:g} s'
        return None
    if duration_s and now - recorder.first_message_s >= duration_s:
        return ''
    return None


def _stop_on_sigterm() -> None:
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))


def record_main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog='hupr-record', description=__doc__.strip().split('\n\n')[0] + ' Records a rosbag2 '
        '(sqlite3) bag that stays readable if the recorder is killed.')
    parser.add_argument('bag', help='new bag folder (never overwritten)')
    parser.add_argument('--topics', nargs='+', default=list(DEFAULT_TOPICS),
                        help='topics to record; relative names resolve in --namespace '
                             f'(default: {" ".join(DEFAULT_TOPICS)})')
    parser.add_argument('--namespace', default='', help='namespace of the rig to record')
    parser.add_argument('--duration', type=float, default=0.0,
                        help='record this many seconds, counted from the first message '
                             '(0: until Ctrl-C / SIGTERM)')
    parser.add_argument('--start-timeout', type=float, default=0.0, metavar='S',
                        help='give up (exit 1) when no message has arrived after S seconds '
                             '(0: wait as long as it takes)')
    parser.add_argument('--flush-s', type=float, default=1.0,
                        help='commit to disk this often; a kill loses at most this much')
    args = parser.parse_args(argv)
    if args.duration < 0 or args.start_timeout < 0 or not args.flush_s > 0:
        return fail(parser.prog, '--duration and --start-timeout must be >= 0 and --flush-s > 0')
    try:
        writer = RecordingWriter(args.bag, flush_s=args.flush_s).open()
    except (BagError, ValueError) as error:
        return fail(parser.prog, str(error))
    _stop_on_sigterm()
    rclpy.init(args=None)
    recorder = None
    stopped = None
    try:
        recorder = Recorder(writer, args.topics, namespace=args.namespace or None)
        started = time.monotonic()
        while rclpy.ok():
            rclpy.spin_once(recorder, timeout_sec=0.1)
            stopped = _recording_done(recorder, args.duration, args.start_timeout, started)
            if stopped is not None:
                break
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        writer.close()
        wanted = list(recorder.wanted) if recorder is not None else args.topics
        if recorder is not None:
            counts = ', '.join(f'{t}: {n}' for t, n in sorted(recorder.counts.items()))
            print(f'hupr-record: {args.bag}: {writer.messages} messages ({counts or "none"})',
                  file=sys.stderr)
            recorder.destroy_node()
        if rclpy.ok():
            rclpy.shutdown()
    if not writer.messages:
        return fail(parser.prog, f'{args.bag} recorded no message'
                    + (f' ({stopped})' if stopped else '')
                    + f': nothing was published on {", ".join(wanted)} (is the graph running, '
                    'in this ROS_DOMAIN_ID and namespace?)', 1)
    return 0


class Player(Node):
    """Publishes a bag's messages with their recorded timing."""

    def __init__(self, reader, connections, namespace: str = '', **kwargs) -> None:
        super().__init__('hupr_play', **kwargs)
        self.reader = reader
        self.connections = connections
        self.publishers_by_topic = {}
        self.classes = {}
        for c in connections:
            topic = fully_qualified(c.topic)      # bags of older BagWriters store 'radar/...'
            if namespace and topic not in GLOBAL_TOPICS:
                topic = '/' + namespace.strip('/') + topic
            offered = getattr(c.ext, 'offered_qos_profiles', None) or []
            qos = rclpy_qos(offered[0]) if offered else QoSProfile(depth=10)
            self.classes[c.topic] = message_class(c.msgtype)
            self.publishers_by_topic[c.topic] = self.create_publisher(
                self.classes[c.topic], topic, qos)

    def wait_for_subscribers(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if all(p.get_subscription_count() > 0 for p in self.publishers_by_topic.values()):
                return True
            rclpy.spin_once(self, timeout_sec=0.1)
        return False

    def wait_for_acks(self, timeout_s: float) -> bool:
        """Wait until reliable subscribers have every message (False: ``timeout_s`` passed)."""
        deadline = time.monotonic() + timeout_s
        for publisher in self.publishers_by_topic.values():
            left = max(0.0, deadline - time.monotonic())
            try:
                if not publisher.wait_for_all_acked(Duration(nanoseconds=int(left * 1e9))):
                    return False
            except Exception:         # rclpy's RCLError once Ctrl-C has shut the context down
                if self.context.ok():
                    raise
                return True           # interrupted: the user does not want to wait
        return True

    def play(self, rate: float, start_offset_s: float, loop: bool, restamp: bool) -> int:
        first = self.reader.start_time + int(start_offset_s * 1e9)
        span = max(1, self.reader.end_time - first)
        shift = 0          # ns added to header stamps (restamp) and to the schedule (loop)
        played = 0
        wall0 = time.monotonic()
        stamp0 = self.get_clock().now().nanoseconds
        # Restamping moves the recorded header stamps by one offset, so that messages stamped
        # alike (the two radars' halves of a frame pair) stay alike: the recorder's receive
        # times differ by its own delays (a commit, a busy CPU) and would split the pairs.
        # origin: the header clock's reading at the bag's first message, from the first stamp.
        origin = None
        while True:
            for connection, log_ns, data in self.reader.messages(connections=self.connections,
                                                                 start=first):
                due = wall0 + (log_ns - first + shift) / 1e9 / rate
                while (delay := due - time.monotonic()) > 0:
                    time.sleep(min(delay, 0.05))
                    if not rclpy.ok():
                        return played
                if restamp:
                    msg = deserialize_message(data, self.classes[connection.topic])
                    header = getattr(msg, 'header', None)
                    if header is not None:
                        recorded = ns_from_stamp(header.stamp)
                        if recorded and origin is None:
                            origin = recorded - (log_ns - first)
                        since = recorded - origin if recorded else log_ns - first   # unstamped
                        header.stamp = stamp_from_ns(stamp0 + int((since + shift) / rate))
                    data = serialize_message(msg)
                self.publishers_by_topic[connection.topic].publish(bytes(data))
                played += 1
            if not loop:
                return played
            shift += span + int(1e8)


def play_main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog='hupr-play', description='Replay a rosbag2 bag (sqlite3 or mcap) into the graph '
        'with its recorded timing.')
    parser.add_argument('bag', help='bag folder')
    parser.add_argument('--rate', type=float, default=1.0, help='speed factor (2 = twice)')
    parser.add_argument('--loop', action='store_true', help='play again from the start')
    parser.add_argument('--start-offset', type=float, default=0.0,
                        help='skip this many seconds from the start of the bag')
    parser.add_argument('--topics', nargs='+', default=['*'],
                        help="topics or shell globs ('*/raw') to play (default: all)")
    parser.add_argument('--namespace', default='',
                        help='prefix the topics with this namespace (not /tf, /diagnostics)')
    parser.add_argument('--restamp', action='store_true',
                        help='shift header stamps by one offset to the time of playing, their '
                             'spacing kept (needed with --loop, and for nodes that check stamps '
                             'against their clock)')
    parser.add_argument('--wait-subscribers', type=float, default=0.0, metavar='S',
                        help='wait up to S seconds for a subscriber on every played topic')
    parser.add_argument('--wait-acked', type=float, default=5.0, metavar='S',
                        help='at the end, wait up to S seconds for reliable subscribers to '
                             'acknowledge every message (0: do not wait; default: 5)')
    args = parser.parse_args(argv)
    if not args.rate > 0 or min(args.start_offset, args.wait_subscribers, args.wait_acked) < 0:
        return fail(parser.prog, '--rate must be > 0, --start-offset, --wait-subscribers and '
                                 '--wait-acked >= 0')
    try:
        reader = open_reader(args.bag)
    except BagError as error:
        return fail(parser.prog, str(error))
    connections = [c for c in reader.connections if any(
        fnmatch.fnmatch(fully_qualified(c.topic), p)
        or fnmatch.fnmatch(fully_qualified(c.topic), fully_qualified(p)) for p in args.topics)]
    if not connections:
        names = sorted({c.topic for c in reader.connections})
        reader.close()
        return fail(parser.prog, f'no topic of {args.bag} matches {args.topics} '
                                 f'(it has {names})')
    if args.start_offset * 1e9 >= reader.end_time - reader.start_time:
        reader.close()
        return fail(parser.prog, f'--start-offset {args.start_offset} s is past the end of '
                                 f'the bag ({(reader.end_time - reader.start_time) / 1e9:.1f} s)')
    _stop_on_sigterm()
    rclpy.init(args=None)
    player = None
    played = 0
    try:
        player = Player(reader, connections, args.namespace)
        if args.wait_subscribers and not player.wait_for_subscribers(args.wait_subscribers):
            player.get_logger().warning(
                f'no subscriber on some topics after {args.wait_subscribers} s: playing anyway')
        played = player.play(args.rate, args.start_offset, args.loop, args.restamp)
        # A reliable message still unacknowledged when the process ends is lost to its
        # subscriber (a late-matching one, a busy one): wait for the acks first, as
        # ros2 bag play --wait-for-all-acked does.
        if args.wait_acked and rclpy.ok() and not player.wait_for_acks(args.wait_acked):
            player.get_logger().warning(
                f'some reliable subscribers had not acknowledged every message after '
                f'{args.wait_acked} s: they may have missed the end of the bag')
    except BagError as error:
        return fail(parser.prog, str(error))
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        reader.close()
        if player is not None:
            player.destroy_node()
        if rclpy.ok():
            rclpy.shutdown()
    print(f'hupr-play: {played} messages from {args.bag}', file=sys.stderr)
    return 0


def record_entry() -> None:
    sys.exit(record_main())


def play_entry() -> None:
    sys.exit(play_main())
