# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Fault injection: hostile messages, bad stamps, lost pairs, shutdown mid-inference.

The rule under test (docs/robustness.md): a node never dies or stalls on a message; a bad one
is counted under its kind, logged, and skipped, and valid input that follows is processed.
"""

import fcntl
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

from conftest import remove_zombie_dds_segments, REPO, requires_ros
from hupr_ros.guards import ErrorLog, StampGuard
import numpy as np
import pytest

SECOND = 1_000_000_000
T0 = 1_700_000_000 * SECOND          # 2023: in the past of any node clock
NOW = 1_800_000_000 * SECOND


# --------------------------------------------------------------------------- the guards

def test_stamp_guard_refuses_bad_stamps_and_resyncs_a_stream_whose_clock_went_back():
    guard = StampGuard('pair', max_future_s=1.0)
    assert guard.check(-5, NOW).kind == 'negative_stamp'
    verdict = guard.check(NOW + 3600 * SECOND, NOW)
    assert not verdict.accepted and verdict.kind == 'future_stamp' and '3600.000 s ahead' in \
        verdict.reason
    assert guard.check(T0, NOW).accepted
    assert guard.check(T0, NOW).kind == 'duplicate_stamp'
    assert guard.check(T0 - 1, NOW).kind == 'out_of_order'
    assert guard.check(T0 + SECOND // 10, NOW).accepted
    # An hour ahead when the node clock is unknown (0): accepted, and the stream that follows
    # is taken back after three frames in a row, instead of being refused for an hour.
    assert guard.check(T0 + 3600 * SECOND, 0).accepted
    verdicts = [guard.check(T0 + (2 + i) * SECOND // 10, 0) for i in range(3)]
    assert [v.accepted for v in verdicts] == [False, False, True]
    assert verdicts[-1].restarted and 'taken as a restarted stream' in verdicts[-1].reason
    assert guard.check(T0 + 5 * SECOND // 10, 0).accepted


def test_error_log_throttles_per_kind_not_per_call_site():
    now = [0.0]
    log = ErrorLog(period_s=5.0, clock=lambda: now[0])
    assert log.report('malformed', 'a') == '[malformed] a'
    assert log.report('malformed', 'b') is None
    assert log.report('bad_stamp', 'c') == '[bad_stamp] c'      # another kind: logged
    now[0] = 6.0
    assert log.report('malformed', 'd') == '[malformed] d (+1 more malformed in the last 6 s)'
    assert log.counts == {'malformed': 3, 'bad_stamp': 1}


def test_huge_finite_cube_values_are_an_error_not_nan():
    from hupr_ros.dsp import model_input
    from hupr_ros.dsp.vrdae import PreprocessingError
    cube = np.zeros((16, 64, 64, 8), np.complex64)
    cube[5, 3, 3, 0] = 3e38
    cube[5, 4, 4, 0] = -3e38 - 3e38j      # the same map: max - min overflows float32
    with pytest.raises(PreprocessingError, match='too large to normalise'):
        model_input(cube)


def test_window_fills_missing_frames_and_restarts_after_an_outage():
    """
    A short gap keeps the window, each missing frame filled with the one before it.

    A gap longer than max_gap_s (an outage) restarts it: no window mixes frames from before and
    after an outage.
    """
    from hupr_ros.inference import PoseEstimator
    from hupr_ros.model import build_model
    estimator = PoseEstimator(build_model('realtime', 2).eval(), 'causal', max_gap_s=0.55)
    rng = np.random.default_rng(0)
    cubes = [(rng.standard_normal((16, 64, 64, 8)) + 1j).astype(np.complex64)
             for _ in range(6)]
    for i in range(3):
        window = estimator.push(T0 + i * SECOND // 10, cubes[i], cubes[i])
    assert estimator.restarts == 0 and not np.array_equal(window.hori[0], window.hori[-1])
    window = estimator.push(T0 + 5 * SECOND // 10, cubes[3], cubes[3])    # frames 3, 4 lost
    assert estimator.restarts == 0 and estimator.filled == 2
    assert estimator.last_gap_s == pytest.approx(0.3)
    assert window.target_stamp_ns == T0 + 5 * SECOND // 10
    # window: frame 0 (clamped) x3, 0, 1, 2, 2 (for 3), 2 (for 4), 3 (the new one)
    firsts = [frame[0, 0, 0, 0, 0] for frame in window.hori]
    assert firsts[-4] == firsts[-3] == firsts[-2] != firsts[-1]
    assert firsts[-5] != firsts[-4]
    window = estimator.push(T0 + 12 * SECOND // 10, cubes[4], cubes[4])   # 0.7 s: an outage
    assert estimator.restarts == 1 and estimator.last_gap_s == pytest.approx(0.7)
    assert window.target_stamp_ns == T0 + 12 * SECOND // 10
    assert all(np.array_equal(frame, window.hori[-1]) for frame in window.hori)


# --------------------------------------------------------------------------- the pose node

def other_geometry_axes():
    from hupr_ros.dsp import cube_axes, VRDAEConfig
    from hupr_ros.radar.config import ChirpConfig
    return cube_axes(VRDAEConfig(chirp=ChirpConfig(num_loops=32, num_samples=128)))


def pair_msg(stamp_ns, number, seed=0, scale=1.0, axes=None):
    from hupr_msgs.msg import RadarCubePair
    from hupr_ros.messages import ros as conv
    from hupr_ros.dsp import cube_axes
    rng = np.random.default_rng(seed)
    pair = RadarCubePair(header=conv.make_header(max(stamp_ns, 0), 'radar_hori'))
    cubes = []
    for orientation in ('horizontal', 'vertical'):
        values = (rng.uniform(-1, 1, (16, 64, 64, 8)) * scale).astype(np.complex64)
        cubes.append(conv.cube_to_msg(values, axes or cube_axes(), stamp_ns=max(stamp_ns, 0),
                                      frame_id='radar_' + orientation[:4], frame_number=number,
                                      orientation=orientation))
    pair.horizontal, pair.vertical = cubes
    if stamp_ns < 0:
        pair.header.stamp.sec = -1
    return pair


@pytest.fixture
def pose_rig(data_dir):
    """
    Start a pose node and a tester node.

    Return a pose node (tiny weights, causal window: one skeleton per pair) and a tester that
    publishes pairs and collects skeletons.
    """
    from hupr_msgs.msg import RadarCubePair, Skeleton2D
    from hupr_ros import topics
    from hupr_ros.nodes.qos import RESULT_QOS, SENSOR_QOS
    from hupr_ros.nodes.pose_node import PoseNode
    from rclpy.node import Node
    from rclpy.parameter import Parameter
    from ros_harness import harness, wait_for_match
    with harness() as h:
        node = h.add(PoseNode, parameter_overrides=[
            Parameter('weights_path', value=str(data_dir / 'hupr_nf4_checkpoint.pth')),
            Parameter('num_filters', value=4), Parameter('window_alignment', value='causal'),
            Parameter('presence', value=False), Parameter('torch_threads', value=1),
            Parameter('input', value='cube_pair')])
        tester = h.add(Node, node_name='fault_tester')
        pub = tester.create_publisher(RadarCubePair, topics.RADAR_CUBE_PAIR, SENSOR_QOS)
        skeletons = []
        tester.create_subscription(Skeleton2D, topics.POSE_SKELETON, skeletons.append,
                                   RESULT_QOS)
        wait_for_match(h, pub)
        assert h.spin_until(lambda: node.skeleton_pub.get_subscription_count() > 0)

        def send(msg, done=None):
            before = node.counts['pairs']
            pub.publish(msg)
            assert h.spin_until(lambda: node.counts['pairs'] == before + 1, 10)
            if done is not None:
                assert h.spin_until(done, 20), node.counts
        yield h, node, send, skeletons


@requires_ros
def test_pose_node_survives_hostile_pairs_and_never_goes_back_in_time(pose_rig):
    from hupr_ros.messages.ros import ns_from_stamp
    h, node, send, skeletons = pose_rig
    period = SECOND // 10

    def published(n):
        return lambda: len(skeletons) >= n

    send(pair_msg(T0, 0), published(1))
    send(pair_msg(T0 + period, 1, scale=3e38))                 # +-3e38: finite, overflows
    send(pair_msg(-1, 2))                                       # negative stamp
    send(pair_msg(T0 + period, 3))                              # duplicate of the huge one
    send(pair_msg(T0 - period, 4))                              # out of order
    send(pair_msg(T0 + 2 * period, 5, axes=other_geometry_axes()))   # 32 loops x 128
    send(pair_msg(T0 + 3 * period, 6), published(2))
    assert node.counts['malformed'] == 1 and node.counts['bad_stamp'] == 3
    assert node.counts['wrong_geometry'] == 1
    assert set(node.errors.counts) == {'malformed_pair', 'negative_stamp', 'duplicate_stamp',
                                       'out_of_order', 'wrong_geometry', 'pairs_missing'}
    # Pairs 1 and 5 never entered the window: from T0 to T0 + 3 periods two pairs are missing,
    # filled from pair 0 (a gap that short is no outage: the window goes on).
    assert node.counts['restarts'] == 0 and node.counts['filled'] == 2
    send(pair_msg(T0 + 4 * period, 7), published(3))
    stamps = [ns_from_stamp(s.header.stamp) for s in skeletons]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert node._worker.is_alive()
    mismatch = node.geometry_mismatch(pair_msg(T0, 0, axes=other_geometry_axes()).horizontal)
    assert 'doppler axis spans -2.25 .. 1.97 m/s, the weights were trained on -1.13 .. 0.986' \
        in mismatch and 'range axis spans' in mismatch


@requires_ros
def test_pose_node_fills_a_lost_pair_and_restarts_its_window_after_an_outage(pose_rig):
    h, node, send, skeletons = pose_rig
    period = SECOND // 10
    for i in range(3):
        send(pair_msg(T0 + i * period, i), lambda: len(skeletons) >= 1)
    assert node.counts['restarts'] == 0
    send(pair_msg(T0 + 4 * period, 4))                    # pair 3 lost in transport
    assert node.counts['restarts'] == 0 and node.counts['filled'] == 1
    assert node.estimator._count == 5                     # 0, 1, 2, 3 (filled from 2), 4
    send(pair_msg(T0 + 25 * SECOND, 5))                  # upstream down for 20 s
    assert node.counts['restarts'] == 1 and node.estimator._count == 1


@requires_ros
def test_pose_node_worker_survives_a_publish_failure(pose_rig, monkeypatch):
    h, node, send, skeletons = pose_rig

    def broken(*args):
        raise RuntimeError('publisher broke')
    monkeypatch.setattr(node, 'publish', broken)
    send(pair_msg(T0, 0), lambda: node.counts['errors'] == 1)
    monkeypatch.undo()
    send(pair_msg(T0 + SECOND // 10, 1), lambda: len(skeletons) == 1)


@requires_ros
def test_nodes_survive_random_values_in_every_numeric_field(pose_rig):
    """Random numbers in each numeric field of a cube pair, then a valid pair: a skeleton."""
    h, node, send, skeletons = pose_rig
    rng = np.random.default_rng(7)
    fields = ['header.stamp.sec', 'header.stamp.nanosec', 'horizontal.frame_number',
              'horizontal.header.stamp.sec', 'vertical.frame_number']
    stamp = T0
    for trial in range(12):
        msg = pair_msg(stamp, trial, seed=trial)
        cube = msg.horizontal if trial % 2 else msg.vertical
        axis = cube.axes[trial % len(cube.axes)]
        choice = trial % 4
        if choice == 0:
            axis.size = int(rng.integers(0, 2 ** 32))
        elif choice == 1:
            axis.values = rng.standard_normal(axis.size).astype(np.float32) * 1e30
        elif choice == 2:
            index = rng.integers(0, len(cube.data), 50)
            for i in index:
                cube.data[int(i)] = float(rng.choice([np.inf, -np.inf, np.nan, 3.4e38]))
        else:
            name = fields[trial % len(fields)].split('.')
            target = msg
            for part in name[:-1]:
                target = getattr(target, part)
            setattr(target, name[-1], int(rng.integers(0, 2 ** 31)))
        send(msg)
        stamp += SECOND // 10
    before = len(skeletons)
    send(pair_msg(time.time_ns() - SECOND, 99), lambda: len(skeletons) > before)
    assert node._worker.is_alive()


# --------------------------------------------------------------------------- preprocessing

@requires_ros
def test_preprocess_node_survives_bad_stamps():
    from hupr_ros.radar.antenna import HORIZONTAL_MOUNT, VERTICAL_MOUNT
    from hupr_ros.sim.fmcw import quantize, synthesize_frame
    from ros_harness import harness
    from test_preprocess_node import make_rig
    rng = np.random.default_rng(3)
    point, velocity = np.array([[0.4, 2.5, 0.2]]), np.array([[0.0, 0.5, 0.0]])
    frames = {name: quantize(synthesize_frame(point, velocity, [800.0], mount=mount),
                             noise_std=5.0, rng=rng)
              for name, mount in (('horizontal', HORIZONTAL_MOUNT),
                                  ('vertical', VERTICAL_MOUNT))}
    with harness() as h:
        node, send, pubs, received = make_rig(h, frames)
        from hupr_ros.messages import ros as conv
        from hupr_ros.radar.config import HUPR_CHIRP_CONFIG

        def raw(orientation, stamp, number):
            msg = conv.frame_to_msg(frames[orientation], HUPR_CHIRP_CONFIG, stamp_ns=0,
                                    frame_id='r', frame_number=number, orientation=orientation)
            msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(stamp, SECOND)
            return msg

        def pair(stamp, number, expect_pairs):
            frames_before = node.counts['frames']
            for orientation in ('horizontal', 'vertical'):
                pubs[orientation].publish(raw(orientation, stamp, number))
            assert h.spin_until(lambda: node.counts['frames'] == frames_before + 2, 10)
            assert h.spin_until(lambda: len(received) == expect_pairs, 15), node.counts

        # A negative stamp on both radars first (its pair used to kill the node at
        # make_header), then a default message, then a pair an hour ahead.
        for orientation in ('horizontal', 'vertical'):
            msg = raw(orientation, 0, 0)
            msg.header.stamp.sec = -3
            pubs[orientation].publish(msg)
        pubs['horizontal'].publish(raw('horizontal', 0, 0).__class__())   # all defaults
        assert h.spin_until(lambda: node.counts['frames'] == 3, 10)
        assert node.counts['bad_stamp'] == 2 and node.counts['malformed'] == 1
        now = time.time_ns()
        pair(now + 3600 * SECOND, 1, 0)
        assert node.counts['bad_stamp'] == 4        # 2 x negative + 2 x future
        for i in range(3):
            pair(now + i * SECOND // 10, 2 + i, i + 1)
        # A clock that went back (an upstream restart): pairs again after three frames.
        for i in range(4):
            pair(now - 60 * SECOND + i * SECOND // 10, 10 + i, 3 + max(0, i - 1))
        assert 'stream_restarted' in node.errors.counts
        stamps = [conv.ns_from_stamp(p.header.stamp) for p in received]
        assert stamps[:3] == sorted(stamps[:3])

        # Random numbers in every numeric field of a raw frame, one field at a time, then a
        # valid pair: it still comes out.
        rng = np.random.default_rng(11)
        numeric = ['frame_number', 'packets_expected', 'packets_received', 'bytes_zero_filled',
                   *(f'config.{f}' for f in ('num_tx', 'num_rx', 'num_loops', 'num_chirps',
                                             'num_samples', 'start_frequency', 'slope',
                                             'sample_rate', 'idle_time', 'adc_start_time',
                                             'ramp_end_time', 'chirp_period', 'frame_period'))]
        base = time.time_ns() - 5 * SECOND
        for i, field in enumerate(numeric):
            msg = raw('horizontal', base + i * SECOND // 100, 100 + i)
            target, name = (msg.config, field[7:]) if field.startswith('config.') else \
                (msg, field)
            value = getattr(target, name)
            if isinstance(value, float):
                setattr(target, name, float(rng.choice([0.0, -1.0, 1e300, np.nan, np.inf])))
            else:
                setattr(target, name, int(rng.integers(0, 2 ** 16)))
            before = node.counts['frames']
            pubs['horizontal'].publish(msg)
            assert h.spin_until(lambda: node.counts['frames'] == before + 1, 10)
        msg = raw('horizontal', base + 4 * SECOND, 200)
        msg.data = rng.integers(-2 ** 15, 2 ** 15, len(msg.data)).astype(np.int16)
        pubs['horizontal'].publish(msg)
        pubs['vertical'].publish(raw('vertical', base + 4 * SECOND, 200))
        count = len(received)
        assert h.spin_until(lambda: len(received) == count + 1, 15), node.counts
        assert node.errors.counts.get('internal_error', 0) == 0, node.errors.counts


# --------------------------------------------------------------------------- shutdown

def _pose_process():
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    return subprocess.Popen(
        [sys.executable, '-m', 'hupr_ros.nodes', 'pose_node', '--ros-args',
         '-p', f'weights_path:={REPO / "test" / "data" / "hupr_nf4_checkpoint.pth"}',
         '-p', 'num_filters:=4', '-p', 'presence:=false', '-p', 'window_alignment:=causal',
         '-p', 'torch_threads:=1', '-p', 'input:=cube_pair'],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)


@requires_ros
@pytest.mark.parametrize('signum', [signal.SIGINT, signal.SIGTERM, signal.SIGINT])
@pytest.mark.slow
def test_pose_node_exits_cleanly_on_a_signal_during_inference(signum):
    """Pairs stream in at 20 Hz; the signal lands while windows are being inferred."""
    from hupr_msgs.msg import RadarCubePair, Skeleton2D
    from hupr_ros import topics
    from hupr_ros.nodes.qos import RESULT_QOS, SENSOR_QOS
    from rclpy.node import Node
    from ros_harness import harness
    process = _pose_process()
    try:
        with harness() as h:
            tester = h.add(Node, node_name='shutdown_tester')
            pub = tester.create_publisher(RadarCubePair, topics.RADAR_CUBE_PAIR, SENSOR_QOS)
            skeletons = []
            tester.create_subscription(Skeleton2D, topics.POSE_SKELETON, skeletons.append,
                                       RESULT_QOS)
            assert h.spin_until(lambda: pub.get_subscription_count() > 0, 60), \
                'the pose node did not start'
            msgs = [pair_msg(T0, i, seed=i) for i in range(3)]
            start = time.time_ns()
            # Until skeletons flow (a loaded machine takes longer than the 1 s an idle one
            # does), at most 60 s: the signal must land while windows are being inferred.
            deadline = time.monotonic() + 60
            i = 0
            while time.monotonic() < deadline and not (i > 20 and skeletons):
                msg = msgs[i % 3]
                stamp = start + i * SECOND // 20
                for m in (msg, msg.horizontal, msg.vertical):
                    m.header.stamp.sec, m.header.stamp.nanosec = divmod(stamp, SECOND)
                pub.publish(msg)
                h.spin_until(lambda: False, 0.05)
                i += 1
            assert skeletons, f'no skeleton before the signal ({i} pairs sent)'
            process.send_signal(signum)
            output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    for bad in ('Traceback', 'RCLError', 'terminate called', 'context is invalid'):
        assert bad not in output, output


# --------------------------------------------------------------------------- kill -9, restart

@requires_ros
@pytest.mark.slow
def test_graph_recovers_from_kill_9_of_each_node_in_turn(tmp_path):
    """
    bench/soak.py, short.

    Start order pose, preprocess, sim; each node killed with SIGKILL and restarted once; both
    topics flow again, no stamp goes backwards, SIGINT exits 0.
    """
    sys.path.insert(0, str(REPO / 'bench'))
    try:
        import soak
    finally:
        sys.path.remove(str(REPO / 'bench'))
    # The model does not matter here: a small one with random weights (21 ms a window instead of
    # the shipped model's 58) leaves the CPU to the restarts under test.
    report = soak.soak(seconds=120, kill_every=0.2, kills=3, order=('pose', 'preprocess', 'sim'),
                       log_dir=tmp_path, pose_args=(
                           'torch_threads:=1', 'variant:=realtime', 'num_filters:=2',
                           'allow_random_weights:=true', 'window_alignment:=causal',
                           'presence:=false', 'stats_period_s:=2.0'))
    assert [k['node'] for k in report['kills']] == ['sim', 'preprocess', 'pose'], report
    if any(k['recovered_s'] is None for k in report['kills']):
        # In full: which topic stalled, and what each node logged (pytest would truncate it).
        pytest.fail('a node did not recover:\n' + json.dumps(report, indent=1))
    for topic in ('pair', 'skeleton'):     # both flowed again after every kill
        assert report['topics'][topic]['messages'] > len(report['kills']), report
        assert report['topics'][topic]['backwards'] == 0, report
    assert report['exit_codes'] == {'sim': 0, 'preprocess': 0, 'pose': 0}, report
    rss = report['rss_mib']['preprocess']
    assert rss['max'] < 2 * rss['first'] + 100, report


def test_zombie_segment_cleaning_keeps_young_locked_and_foreign_files(tmp_path):
    names = ('fastdds_0123456789abcdef', 'fastdds_fedcba9876543210', 'fastdds_00000000000000aa')
    for name in names:
        (tmp_path / name).write_bytes(b'x')
        (tmp_path / f'{name}_el').write_bytes(b'')
    (tmp_path / 'fastdds_port7000').write_bytes(b'x')          # a port: not ours to judge
    old = time.time() - 60
    for name in names[:2]:
        os.utime(tmp_path / f'{name}_el', (old, old))
    with open(tmp_path / f'{names[1]}_el', 'ab') as held:       # a live owner's lock
        fcntl.flock(held, fcntl.LOCK_EX)
        assert remove_zombie_dds_segments(tmp_path) == [names[0]]
        assert remove_zombie_dds_segments(tmp_path, since=time.time() + 60, min_age_s=0) == []
        assert remove_zombie_dds_segments(tmp_path, min_age_s=0) == [names[2]]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [names[1], f'{names[1]}_el', 'fastdds_port7000'])


_PARTICIPANT = """
import sys, time, rclpy
from std_msgs.msg import String
rclpy.init()
node = rclpy.create_node('shm_probe')
node.create_publisher(String, 'shm_probe', 10)
print('ready', flush=True)
time.sleep(120)
"""


def _dds_segments_of(pid: int) -> set:
    """
    Names of the Fast DDS participant segments a process owns.

    A participant maps the segments of the others it writes to as well; it holds its own
    segment's ``_el`` lock file open.
    """
    names = set()
    for fd in pathlib.Path(f'/proc/{pid}/fd').iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ''
        if target.startswith('/dev/shm/fastdds_') and target.endswith('_el') and \
                '_port' not in target:
            names.add(target[len('/dev/shm/'):-len('_el')])
    return names


@requires_ros
@pytest.mark.skipif(not pathlib.Path('/dev/shm').is_dir(), reason='no /dev/shm')
def test_the_shared_memory_of_a_killed_participant_is_reclaimed_and_a_live_ones_kept():
    # The suite SIGKILLs nodes on purpose; Fast DDS leaves their segments (tens of MB each) in
    # /dev/shm, so conftest removes those whose owner is gone when the session ends. A real
    # participant's segment, after kill -9, goes; a live one's stays.
    since = time.time() - 1
    processes = [subprocess.Popen([sys.executable, '-c', _PARTICIPANT], stdout=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    try:
        for process in processes:
            assert process.stdout.readline().strip() == 'ready'
        killed, alive = (_dds_segments_of(p.pid) for p in processes)
        assert killed and alive and not killed & alive
        processes[0].send_signal(signal.SIGKILL)
        processes[0].wait(timeout=30)
        shm = pathlib.Path('/dev/shm')
        assert all((shm / name).exists() for name in killed)     # Fast DDS left them
        removed = remove_zombie_dds_segments(shm, since, min_age_s=0)
        assert killed <= set(removed) and not alive & set(removed)
        assert not any((shm / name).exists() or (shm / f'{name}_el').exists()
                       for name in killed)
        assert all((shm / name).exists() for name in alive)
    finally:
        for process in processes:      # rclpy's SIGTERM handler does not end a sleep
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
        remove_zombie_dds_segments(pathlib.Path('/dev/shm'), since, min_age_s=0)


# --------------------------------------------------------------------------- bad parameters

@requires_ros
@pytest.mark.parametrize('module, param, message', [
    ('sim_node', 'frame_rate:=0.0', 'Parameter frame_rate out of range'),
    ('sim_node', 'subject:=9', 'Parameter subject out of range'),
    ('preprocess_node', 'tolerance_s:=0.0', 'Parameter tolerance_s out of range'),
    ('radar_node', 'data_port:=70000', 'Parameter data_port out of range'),
    ('pose_node', 'num_filters:=-1', 'Parameter num_filters out of range'),
    ('tf_node', 'mount_file:=/nope.yaml', 'mount file /nope.yaml'),
    ('pose_node', 'window_alignment:=future', "alignment must be one of ('centered', 'causal')"),
    ('pose_node', 'weights_path:=/nope.pth', 'checkpoint not found: /nope.pth'),
])
def test_a_bad_parameter_stops_a_node_with_one_line(module, param, message):
    result = subprocess.run([sys.executable, '-m', f'hupr_ros.nodes.{module}', '--ros-args',
                             '-p', param], capture_output=True, text=True, timeout=120, cwd=REPO)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert 'Traceback' not in output and message in output, output
    assert sum('cannot start' in line for line in output.splitlines()) == 1


TEST_WEIGHTS = str(REPO / 'test' / 'data' / 'hupr_nf4_checkpoint.pth')


@requires_ros
@pytest.mark.parametrize('precision, weights, expected', [
    ('bf16', TEST_WEIGHTS, "refused: no native bfloat16 kernels|Use precision 'fp32'"),
    ('int8', TEST_WEIGHTS, 'refused: has no int8 calibration|hupr-quantize'),
    ('auto', TEST_WEIGHTS, 'started: in fp32|not in int8: hupr_nf4_checkpoint.pth has no int8'),
    ('auto', 'realtime_causal_sim', 'started: in int8, causal window'),
])
def test_pose_node_precision_on_a_cpu_without_bf16(precision, weights, expected):
    """
    bf16 on a CPU without bfloat16 kernels: 16 s a window there, so one line and exit 1.

    The node process is told its CPU has no bfloat16 kernels (whatever this one has), so the
    test runs on every CPU. ``auto`` then runs the encoders in int8 where the weights have a
    calibration (the shipped ones), fp32 where not (saying why); ``int8`` without one is refused.
    """
    script = ('import sys, hupr_ros.inference as inference\n'
              'inference.cpu_has_native_bf16 = lambda: False\n'
              'from hupr_ros.nodes.launcher import main\n'
              'sys.exit(main(sys.argv[1:]))\n')
    extra = ['-p', 'num_filters:=4'] if weights == TEST_WEIGHTS else []
    process = subprocess.Popen(
        [sys.executable, '-c', script, 'pose_node', '--ros-args', '-p',
         f'precision:={precision}', '-p', f'weights_path:={weights}'] + extra,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO)
    import threading
    watchdog = threading.Timer(90, process.kill)      # bounded, however slow the machine
    watchdog.start()
    lines = []
    try:
        for line in process.stdout:   # until it exits, or has said its precision (and why)
            lines.append(line)
            if 'not in int8' in line or (' window' in line and ' in fp32' not in line):
                break
    finally:
        process.terminate()
        lines.append(process.communicate(timeout=30)[0])
        watchdog.cancel()
    output = ''.join(lines)
    outcome, texts = expected.split(': ', 1)
    assert 'Traceback' not in output, output
    if outcome == 'refused':
        assert process.returncode == 1, output
    for text in texts.split('|'):
        assert text in output, output


@requires_ros
def test_parameters_are_read_only_with_ranges_and_documentation():
    """
    Every parameter is read at start-up.

    A later `ros2 param set` must fail, not be silently ignored; numeric ones carry their valid
    range.
    """
    from hupr_ros.nodes.preprocess_node import PreprocessNode
    from hupr_ros.nodes.sim_node import SimNode
    import rclpy
    from rclpy.parameter import Parameter
    context = rclpy.Context()
    rclpy.init(context=context)
    try:
        for node in (SimNode(context=context), PreprocessNode(context=context)):
            for name, param in node._parameters.items():
                if name == 'use_sim_time':
                    continue
                descriptor = node.describe_parameter(name)
                assert descriptor.read_only and descriptor.description, name
                if param.type_ in (Parameter.Type.DOUBLE, Parameter.Type.INTEGER) and \
                        name not in ('seed',):
                    assert descriptor.floating_point_range or descriptor.integer_range, name
            result = node.set_parameters([Parameter('stats_period_s' if isinstance(
                node, PreprocessNode) else 'frame_rate', value=5.0)])[0]
            assert not result.successful and 'read-only' in result.reason, result
            node.destroy_node()
    finally:
        rclpy.shutdown(context=context)


def test_samples_saturate_never_wrap_and_orientations_are_checked():
    from hupr_ros.radar.dca1000 import encode_samples, interleave_iq
    frame = np.array([40000.7 - 40000.7j, -12.4 + 3.6j], np.complex64)
    assert interleave_iq(frame).tolist() == [[32767, -32768], [-12, 4]]
    assert encode_samples(frame).tolist() == [32767, -12, -32768, 4]
    if requires_ros.args[0]:        # no rclpy: conversions to messages are not importable
        return
    from hupr_ros.messages.ros import ConversionError, frame_to_msg
    from hupr_ros.radar.config import HUPR_CHIRP_CONFIG
    with pytest.raises(ConversionError, match="orientation must be one of .* 'diagonal'"):
        frame_to_msg(np.zeros((192, 4, 256), np.complex64), HUPR_CHIRP_CONFIG, stamp_ns=0,
                     frame_id='r', frame_number=0, orientation='diagonal')


@requires_ros
def test_an_error_racing_the_shutdown_is_the_shutdown_and_any_other_is_raised():
    """
    A signal's shutdown can surface in spin a moment before the context is marked down.

    (Seen as "Unable to convert call argument" from taking a message during SIGINT.)
    ``run_node`` exits cleanly when the context goes down within a second of the error, and
    raises the error when it does not.
    """
    import threading

    from hupr_ros.nodes.common import run_node
    from rclpy.node import Node

    class Racing(Node):
        message = 'Unable to convert call argument'
        shut_down = True

        def __init__(self):
            super().__init__('hupr_racing')
            self.create_timer(0.05, self.fail)

        def fail(self):
            if self.shut_down:
                threading.Timer(0.2, self.context.try_shutdown).start()
            raise RuntimeError(self.message)
    run_node(Racing, [])

    class Failing(Racing):
        message = 'a real failure'
        shut_down = False
    with pytest.raises(RuntimeError, match='a real failure'):
        run_node(Failing, [])
