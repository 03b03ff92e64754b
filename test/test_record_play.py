# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
hupr-record / hupr-play.

A recorder killed with SIGKILL leaves a readable bag, and playing that bag drives the pose node;
the recorded QoS lets reliable and best-effort subscribers in.
"""

import signal
import subprocess
import sys
import time

from conftest import REPO, requires_ros
from conftest import spawn_module as _spawn, spawn_replay_pose_node
import numpy as np
import pytest

pytestmark = requires_ros


def _stop(process, timeout=20):
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.stdout.read()


def test_subscription_qos_matches_every_publisher():
    from hupr_ros.nodes.qos import subscription_qos
    from rclpy.qos import QoSDurabilityPolicy as D
    from rclpy.qos import QoSProfile
    from rclpy.qos import QoSReliabilityPolicy as R
    reliable = QoSProfile(depth=5, reliability=R.RELIABLE, durability=D.TRANSIENT_LOCAL)
    best = QoSProfile(depth=5, reliability=R.BEST_EFFORT, durability=D.VOLATILE)
    assert subscription_qos([reliable]).reliability == R.RELIABLE
    assert subscription_qos([reliable]).durability == D.TRANSIENT_LOCAL
    mixed = subscription_qos([reliable, best])
    assert (mixed.reliability, mixed.durability) == (R.BEST_EFFORT, D.VOLATILE)


@pytest.mark.slow
def test_killed_recorder_leaves_a_readable_bag_that_drives_the_pose_node(tmp_path):
    from hupr_msgs.msg import Skeleton2D
    from hupr_ros import topics
    from hupr_ros.bags.recording import bag_summary, recorded_counts
    from rclpy.node import Node
    from rclpy.qos import QoSProfile, QoSReliabilityPolicy
    from ros_harness import harness
    bag = tmp_path / 'walk'
    sim = _spawn('hupr_ros.nodes', 'sim_node', '--ros-args', '-p', 'motion:=wave_both',
                 '-p', 'seed:=3')
    recorder = _spawn('hupr_ros.nodes', 'hupr-record', str(bag), '--flush-s', '0.5')
    try:
        deadline = time.monotonic() + 90
        counts = {}
        while time.monotonic() < deadline:
            time.sleep(0.25)
            counts = recorded_counts(bag)        # metadata: safe while it is written
            raw = (topics.RADAR_HORI_RAW, topics.RADAR_VERT_RAW)
            if min(counts.get('/' + t, 0) for t in raw) >= 25:
                break
        assert recorder.poll() is None, recorder.stdout.read()
        recorder.send_signal(signal.SIGKILL)      # no chance to close the bag
        recorder.wait(10)
    finally:
        sim_log = _stop(sim)
        if recorder.poll() is None:
            recorder.kill()
    counts = bag_summary(bag)                    # readable, from the messages themselves
    assert counts.get('/' + topics.RADAR_HORI_RAW, 0) >= 25, (counts, sim_log[-2000:])
    assert counts.get('/' + topics.RADAR_VERT_RAW, 0) >= 25, counts
    assert counts.get('/' + topics.CAMERA_IMAGE, 0) >= 15, counts
    assert counts.get('/' + topics.SIM_GROUND_TRUTH, 0) >= 15, counts

    pose = spawn_replay_pose_node()
    player = None
    try:
        with harness() as h:
            probe = h.add(Node, node_name='play_probe')
            got = {'reliable': 0, 'best_effort': 0}
            for name, policy in (('reliable', QoSReliabilityPolicy.RELIABLE),
                                 ('best_effort', QoSReliabilityPolicy.BEST_EFFORT)):
                probe.create_subscription(
                    Skeleton2D, topics.POSE_SKELETON,
                    lambda m, n=name: got.__setitem__(n, got[n] + 1),
                    QoSProfile(depth=10, reliability=policy))
            # The probe must hear the pose node before the first skeleton: discovery between
            # processes takes seconds on a loaded machine, and a skeleton published before the
            # subscriptions matched is gone.
            assert h.spin_until(lambda: all(
                sub.get_publisher_count() > 0 for sub in probe.subscriptions), 60), \
                _stop(pose)[-3000:]
            # Played in a loop until both subscribers have 5 skeletons: how many windows the
            # node completes per pass depends on its inference time, which a loaded machine
            # stretches (test_under_load.py is about that); this test is about the bag.
            player = _spawn('hupr_ros.nodes', 'hupr-play', str(bag), '--restamp', '--loop',
                            '--topics', '*/raw', '--rate', '1.0', '--wait-subscribers', '30')
            assert h.spin_until(lambda: min(got.values()) >= 5, 120), \
                (got, counts, player.poll(), pose.poll(), _stop(player)[-2000:],
                 _stop(pose)[-4000:])
        log = _stop(player)
        assert player.returncode == 0, log
        assert 'messages from' in log, log
    finally:
        pose_log = _stop(pose)
        if player is not None and player.poll() is None:
            player.kill()
    assert 'Traceback' not in pose_log, pose_log[-3000:]


def test_restamped_replay_keeps_the_recorded_stamps_spacing_and_pairs(tmp_path):
    """
    --restamp moves every header stamp by one offset (scaled by --rate).

    The two radars' frames of a pair carry one stamp, but the recorder receives some of them
    tens of milliseconds apart (a recording of the simulator on a loaded machine had one pair
    in six 70-85 ms apart: its commits delay messages). Restamping from the receive times split
    those pairs (the pose node pairs within 50 ms); the header stamps must survive as recorded.
    """
    from hupr_msgs.msg import RadarFrame
    from hupr_ros import topics
    from hupr_ros.bags.recording import RecordingWriter
    from hupr_ros.messages.ros import ns_from_stamp, stamp_from_ns
    from rclpy.node import Node
    from rclpy.serialization import serialize_message
    from ros_harness import harness
    raw = {'hori': '/' + topics.RADAR_HORI_RAW, 'vert': '/' + topics.RADAR_VERT_RAW}
    t0 = 1_700_000_000_000_000_000
    writer = RecordingWriter(tmp_path / 'bag').open()
    for topic in raw.values():
        writer.add_topic(topic, 'hupr_msgs/msg/RadarFrame')
    for k in range(6):
        stamp = t0 + k * 100_000_000
        for side, late_ms in (('hori', 5), ('vert', 85 if k % 3 == 1 else 7)):
            msg = RadarFrame(frame_number=k)
            msg.header.stamp = stamp_from_ns(stamp)
            writer.write(raw[side], stamp + late_ms * 1_000_000, serialize_message(msg))
    writer.close()
    got = {}
    with harness() as h:
        probe = h.add(Node, node_name='restamp_probe')
        for side, topic in raw.items():
            probe.create_subscription(
                RadarFrame, topic,
                lambda m, side=side: got.setdefault(m.frame_number, {}).__setitem__(
                    side, ns_from_stamp(m.header.stamp)), 20)
        player = _spawn('hupr_ros.nodes', 'hupr-play', str(tmp_path / 'bag'), '--restamp',
                        '--rate', '2', '--wait-subscribers', '30')
        all_came = h.spin_until(lambda: sum(map(len, got.values())) == 12, 60)
        log = _stop(player)
    assert all_came, ({k: sorted(v) for k, v in got.items()}, log)
    assert sorted(got) == list(range(6)), log
    first = got[0]['hori']
    for k, pair in got.items():
        assert pair['hori'] == pair['vert'], (k, pair)
        assert pair['hori'] - first == k * 50_000_000, (k, pair['hori'] - first)
    assert abs(first - time.time_ns()) < 60e9          # moved to the time of playing


def test_a_player_interrupted_while_waiting_for_acks_stops_quietly():
    """Ctrl-C shuts the context down; waiting for acks then must not raise (a CI run saw it)."""
    from types import SimpleNamespace
    from hupr_ros import topics
    from hupr_ros.nodes.bag_tools import Player
    import rclpy
    context = rclpy.Context()
    rclpy.init(context=context)
    connection = SimpleNamespace(topic='/' + topics.RADAR_HORI_RAW,
                                 msgtype='hupr_msgs/msg/RadarFrame',
                                 ext=SimpleNamespace(offered_qos_profiles=[]))
    player = Player(None, [connection], context=context)
    assert player.wait_for_acks(1.0)          # nothing published: nothing to wait for
    context.shutdown()
    assert player.wait_for_acks(1.0)          # interrupted: no RCLError


@pytest.mark.parametrize('args, needle', [
    (['record', '{tmp}/exists'], 'exists'),
    (['record', '{tmp}/no/such/dir/bag'], 'is not a folder'),
    (['play', '{tmp}/missing'], 'bag not found'),
    (['play', '{tmp}/exists'], 'cannot read bag'),
    (['play', '{tmp}/exists', '--rate', '0'], '--rate must be > 0'),
])
def test_bag_tools_refuse_bad_input_with_one_line(tmp_path, args, needle):
    (tmp_path / 'exists').mkdir()
    args = [a.format(tmp=tmp_path) for a in args]
    result = subprocess.run([sys.executable, '-m', 'hupr_ros.nodes', f'hupr-{args[0]}', *args[1:]],
                            capture_output=True, text=True, timeout=60, cwd=REPO)
    assert result.returncode == 2, result.stderr
    assert needle in result.stderr and 'Traceback' not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_writer_killed_mid_transaction_leaves_its_committed_messages(tmp_path):
    """
    Storage level, deterministic.

    5 messages committed, then 40 x 1 MiB written and the process dies without committing. The
    bag reads back with exactly the 5 committed messages (the uncommitted end of the
    write-ahead log is ignored).
    """
    script = f"""
import os
import numpy as np
from rclpy.serialization import serialize_message
from sensor_msgs.msg import Image
from hupr_ros.bags.recording import RecordingWriter
w = RecordingWriter({str(tmp_path / 'bag')!r}, flush_s=1000.0).open()
w.add_topic('/img', 'sensor_msgs/msg/Image')
def msg(n):
    return serialize_message(Image(height=1, width=n, encoding='mono8', step=n,
                                   data=bytes(n)))
for i in range(5):
    w.write('/img', i, msg(10))
w.flush()
for i in range(40):
    w.write('/img', 100 + i, msg(1 << 20))
os._exit(9)
"""
    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                            timeout=120, cwd=REPO)
    assert result.returncode == 9, result.stderr
    from hupr_ros.bags.recording import bag_summary
    assert bag_summary(tmp_path / 'bag') == {'/img': 5}


@pytest.mark.slow
def test_a_recording_that_gets_no_message_fails_and_says_so(tmp_path):
    """No publisher at all: exit 1 after --start-timeout, one line naming the topics."""
    result = subprocess.run([sys.executable, '-m', 'hupr_ros.nodes', 'hupr-record',
                             str(tmp_path / 'empty'), '--duration', '1', '--start-timeout', '1.5',
                             '--topics', '/nobody/publishes/this'],
                            capture_output=True, text=True, timeout=120, cwd=REPO)
    assert result.returncode == 1, result.stderr
    line = [li for li in result.stderr.splitlines() if 'error' in li]
    assert len(line) == 1 and 'recorded no message' in line[0], result.stderr
    assert '/nobody/publishes/this' in line[0] and '--start-timeout' in line[0]


@pytest.mark.slow
def test_bags_with_relative_topic_names_replay_into_a_namespace(tmp_path):
    """
    Bags written before topics were stored fully qualified still play where they should.

    They stored 'radar/hori/raw'; --namespace rig_a must publish /rig_a/radar/hori/raw (not
    /rig_aradar/hori/raw), and --topics takes the fully qualified name.
    """
    from hupr_msgs.msg import RadarFrame
    from hupr_ros.bags import rosbags_backend, typestore
    from hupr_ros.messages import radar_frame
    from hupr_ros.radar.config import HUPR_CHIRP_CONFIG
    from rclpy.node import Node
    from rclpy.qos import qos_profile_sensor_data
    from ros_harness import harness
    from rosbags.rosbag2 import StoragePlugin, Writer
    store = typestore()
    msgtype = 'hupr_msgs/msg/RadarFrame'
    with Writer(tmp_path / 'old', version=9, storage_plugin=StoragePlugin.MCAP) as writer:
        connection = writer.add_connection('radar/hori/raw', msgtype, typestore=store)
        for k in range(20):
            msg = radar_frame(rosbags_backend(store), np.zeros((192, 4, 256), np.complex64),
                              HUPR_CHIRP_CONFIG, stamp_ns=10**9 + k * 10**8,
                              frame_id='radar_hori', frame_number=k, orientation='horizontal')
            writer.write(connection, 10**9 + k * 10**8, store.serialize_cdr(msg, msgtype))
    player = None
    with harness() as h:
        probe = h.add(Node, node_name='ns_probe')
        got = []
        probe.create_subscription(RadarFrame, '/rig_a/radar/hori/raw',
                                  lambda m: got.append(m.frame_number), qos_profile_sensor_data)
        player = _spawn('hupr_ros.nodes', 'hupr-play', str(tmp_path / 'old'),
                        '--namespace', 'rig_a', '--topics', '/radar/hori/raw',
                        '--wait-subscribers', '30')
        try:
            assert h.spin_until(lambda: len(got) >= 15, 60), (got, player.poll())
        finally:
            output = _stop(player)
    assert 'rig_aradar' not in output
