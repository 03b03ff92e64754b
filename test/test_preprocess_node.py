# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""The preprocessing node over real DDS: pairs, VRDAEMaps, flags, and bad input survival."""

from conftest import requires_ros
import numpy as np
import pytest

pytestmark = requires_ros


@pytest.fixture(scope='session')
def frames():
    from hupr_ros.radar.antenna import HORIZONTAL_MOUNT, VERTICAL_MOUNT
    from hupr_ros.sim.fmcw import quantize, synthesize_frame
    rng = np.random.default_rng(3)
    point, velocity = np.array([[0.4, 2.5, 0.2]]), np.array([[0.0, 0.5, 0.0]])
    return {mount_name: quantize(synthesize_frame(point, velocity, [800.0], mount=mount),
                                 noise_std=5.0, rng=rng)
            for mount_name, mount in (('horizontal', HORIZONTAL_MOUNT),
                                      ('vertical', VERTICAL_MOUNT))}


T0 = 1_700_000_000_000_000_000


def make_rig(h, frames, **parameters):
    """
    Return the node under test plus a tester node.

    Returns (node, send(orientation, stamp, number, **frame_kw) -> msg, publishers, received
    pairs).
    """
    from hupr_msgs.msg import RadarCubePair, RadarFrame
    from hupr_ros.messages import ros as conv
    from hupr_ros import topics
    from hupr_ros.nodes.qos import SENSOR_QOS
    from hupr_ros.nodes.preprocess_node import PreprocessNode
    from hupr_ros.radar.config import HUPR_CHIRP_CONFIG
    from rclpy.node import Node
    from rclpy.parameter import Parameter
    from ros_harness import wait_for_match

    node = h.add(PreprocessNode, parameter_overrides=[
        Parameter(name, value=value) for name, value in parameters.items()])
    tester = h.add(Node, node_name='preprocess_tester')
    pubs = {o: tester.create_publisher(RadarFrame, t, SENSOR_QOS) for o, t in
            (('horizontal', topics.RADAR_HORI_RAW), ('vertical', topics.RADAR_VERT_RAW))}
    received = []
    tester.create_subscription(RadarCubePair, topics.RADAR_CUBE_PAIR, received.append,
                               SENSOR_QOS)
    for pub in pubs.values():
        wait_for_match(h, pub)
    assert h.spin_until(lambda: node.publisher.get_subscription_count() > 0)

    def send(orientation, stamp, number, **kw):
        msg = conv.frame_to_msg(frames[orientation], HUPR_CHIRP_CONFIG, stamp_ns=stamp,
                                frame_id=f'radar_{orientation[:4]}', frame_number=number,
                                orientation=orientation, **kw)
        pubs[orientation].publish(msg)
        return msg
    return node, send, pubs, received


def test_preprocess_node_pairs_and_converts(frames):
    from hupr_ros.messages import ros as conv
    from hupr_ros.dsp import vrdae_map
    from hupr_ros.radar.config import HUPR_CHIRP_CONFIG
    from ros_harness import harness

    with harness() as h:
        node, send, pubs, received = make_rig(h, frames)
        t0 = T0
        expected_stamps = []
        for i in range(4):
            stamp = t0 + i * 100_000_000
            if i == 1:  # a vertical frame far off in time, and a malformed horizontal one
                send('vertical', stamp - 70_000_000, 100)
                h.spin_until(lambda: node.counts['frames'] >= 2 * i + 1, 5)
                bad = conv.frame_to_msg(frames['horizontal'], HUPR_CHIRP_CONFIG,
                                        stamp_ns=stamp - 60_000_000, frame_id='radar_hori',
                                        frame_number=101, orientation='horizontal')
                del bad.data[-100:]
                pubs['horizontal'].publish(bad)
                assert h.spin_until(lambda: node.counts['malformed'] == 1, 10)
            zero_filled = 1456 if i == 2 else 0
            send('horizontal', stamp, i, bytes_zero_filled=zero_filled)
            send('vertical', stamp + 2_000_000, i)
            expected_stamps.append(stamp)
            assert h.spin_until(lambda: len(received) == i + 1, 15), f'pair {i} not received'

        assert [conv.ns_from_stamp(p.header.stamp) for p in received] == expected_stamps
        assert [conv.ns_from_stamp(p.vertical.header.stamp) for p in received] == \
            [s + 2_000_000 for s in expected_stamps]
        assert [p.horizontal.zero_filled for p in received] == [False, False, True, False]
        pair = received[0]
        assert pair.horizontal.orientation == 'horizontal'
        assert [a.name for a in pair.horizontal.axes] == ['doppler', 'range', 'azimuth',
                                                          'elevation', 'complex']
        for orientation, cube_msg in (('horizontal', pair.horizontal),
                                      ('vertical', pair.vertical)):
            expected = vrdae_map(frames[orientation])
            np.testing.assert_allclose(conv.msg_to_cube(cube_msg), expected, rtol=0,
                                       atol=1e-6 * np.abs(expected).max())
        assert node.counts['malformed'] == 1 and node.counts['zero_filled'] == 1
        assert node.pairer.stats.unpaired_vertical == 1
        assert node.timer_stats.mean_ms('vrdae_map') is not None
        node.log_stats()  # summary line works after traffic


def test_drop_zero_filled_parameter(frames):
    from ros_harness import harness
    with harness() as h:
        node, send, _, received = make_rig(h, frames, drop_zero_filled=True, tolerance_s=0.01)
        assert node.pairer.tolerance_ns == 10_000_000
        send('horizontal', T0, 0, bytes_zero_filled=100)
        send('vertical', T0 + 1_000_000, 0)
        assert h.spin_until(lambda: node.counts['frames'] == 2, 10)
        send('horizontal', T0 + 100_000_000, 1)
        send('vertical', T0 + 105_000_000, 1)          # 5 ms apart: within 10 ms
        assert h.spin_until(lambda: len(received) == 1, 15)
        assert node.counts['dropped_zero_filled'] == 1
        assert received[0].horizontal.frame_number == 1
        assert not received[0].horizontal.zero_filled


def test_preprocess_node_sends_input_pairs_to_their_subscribers_and_cubes_only_when_wanted(
        frames):
    # The pose node's default input: the pair reduced to the network input (0.3 MiB, not
    # 8 MiB). While only input pairs are subscribed, no cube pair is made or published.
    from hupr_msgs.msg import RadarCubePair, RadarFrame, RadarInputPair
    from hupr_ros import topics
    from hupr_ros.dsp import VRDAEConfig, vrdae_map
    from hupr_ros.messages import ros as conv
    from hupr_ros.nodes.preprocess_node import PreprocessNode
    from hupr_ros.nodes.qos import SENSOR_QOS
    from hupr_ros.radar.config import HUPR_CHIRP_CONFIG
    from hupr_ros.window_input import frame_input
    from rclpy.node import Node
    from ros_harness import harness, wait_for_match

    with harness() as h:
        node = h.add(PreprocessNode)
        tester = h.add(Node, node_name='input_pair_tester')
        pubs = {o: tester.create_publisher(RadarFrame, t, SENSOR_QOS) for o, t in
                (('horizontal', topics.RADAR_HORI_RAW), ('vertical', topics.RADAR_VERT_RAW))}
        inputs, cubes = [], []
        tester.create_subscription(RadarInputPair, topics.RADAR_INPUT_PAIR, inputs.append,
                                   SENSOR_QOS)
        for pub in pubs.values():
            wait_for_match(h, pub)
        assert h.spin_until(lambda: node.input_publisher.get_subscription_count() > 0)

        def send_pair(i):
            for orientation in ('horizontal', 'vertical'):
                pubs[orientation].publish(conv.frame_to_msg(
                    frames[orientation], HUPR_CHIRP_CONFIG, stamp_ns=T0 + i * 100_000_000,
                    frame_id=f'radar_{orientation[:4]}', frame_number=i,
                    orientation=orientation))
        for i in range(2):
            send_pair(i)
            assert h.spin_until(lambda: len(inputs) == i + 1, 15), f'input pair {i} missing'
        assert node.counts['input_pairs'] == 2 and node.counts['cube_pairs'] == 0
        msg = inputs[-1]
        assert conv.ns_from_stamp(msg.header.stamp) == T0 + 100_000_000
        assert msg.horizontal.frame_number == 1 and msg.vertical.orientation == 'vertical'
        assert [(a.name, a.size) for a in msg.horizontal.axes] == \
            [('doppler', 8), ('part', 2), ('range', 64), ('azimuth', 64)]
        expected = frame_input(vrdae_map(frames['horizontal']), vrdae_map(frames['vertical']),
                               VRDAEConfig())
        got = conv.msg_to_frame_input(msg)
        np.testing.assert_allclose(got.hori, expected.hori[..., 0], atol=1e-5)
        np.testing.assert_allclose(got.vert, expected.vert[..., 0], atol=1e-5)
        np.testing.assert_allclose(got.motion, expected.motion, rtol=1e-5)
        assert got.presence_db == pytest.approx(expected.presence_db, abs=1e-4)
        # A cube subscriber (a recording, the demo's panel) gets full cube pairs beside them.
        tester.create_subscription(RadarCubePair, topics.RADAR_CUBE_PAIR, cubes.append,
                                   SENSOR_QOS)
        assert h.spin_until(lambda: node.publisher.get_subscription_count() > 0)
        send_pair(2)
        assert h.spin_until(lambda: len(cubes) == 1 and len(inputs) == 3, 15)
        assert node.counts['cube_pairs'] == 1 and node.counts['published'] == 3
