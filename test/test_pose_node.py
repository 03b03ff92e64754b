# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""The pose node over real DDS: skeleton + markers + overlay, stamps, bad input, no weights."""

from conftest import requires_ros
import numpy as np
import pytest

pytestmark = requires_ros


def make_pair(stamp_ns, number, seed, shape=(16, 64, 64, 8)):
    from hupr_msgs.msg import RadarCubePair
    from hupr_ros.messages import ros as conv
    from hupr_ros.dsp import cube_axes
    rng = np.random.default_rng(seed)
    pair = RadarCubePair(header=conv.make_header(stamp_ns, 'radar_hori'))
    cubes = []
    for orientation in ('horizontal', 'vertical'):
        values = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape))
        axes = cube_axes() if shape == (16, 64, 64, 8) else \
            [conv.AxisSpec(f'a{i}', n) for i, n in enumerate(shape)]
        cubes.append(conv.cube_to_msg(values.astype(np.complex64), axes, stamp_ns=stamp_ns,
                                      frame_id='radar_' + orientation[:4], frame_number=number,
                                      orientation=orientation))
    pair.horizontal, pair.vertical = cubes
    return pair


def test_pose_node_publishes_skeleton_markers_overlay(data_dir):
    from hupr_msgs.msg import RadarCubePair, Skeleton2D
    from hupr_ros.messages import ros as conv
    from hupr_ros import topics
    from hupr_ros.nodes.qos import RESULT_QOS, SENSOR_QOS
    from hupr_ros.nodes.pose_node import PoseNode
    from rclpy.node import Node
    from rclpy.parameter import Parameter
    from ros_harness import harness, wait_for_match
    from sensor_msgs.msg import Image
    from visualization_msgs.msg import Marker, MarkerArray

    with harness() as h:
        node = h.add(PoseNode, parameter_overrides=[
            Parameter('weights_path', value=str(data_dir / 'hupr_nf4_checkpoint.pth')),
            Parameter('num_filters', value=4), Parameter('camera_frame', value='cam'),
            Parameter('window_alignment', value='centered'), Parameter('input', value='cube_pair'),
            Parameter('presence', value=False)])     # noise cubes: nobody would be there
        tester = h.add(Node, node_name='pose_tester')
        pub = tester.create_publisher(RadarCubePair, topics.RADAR_CUBE_PAIR, SENSOR_QOS)
        got = {'skeleton': [], 'markers': [], 'overlay': []}
        tester.create_subscription(Skeleton2D, topics.POSE_SKELETON, got['skeleton'].append,
                                   RESULT_QOS)
        tester.create_subscription(MarkerArray, topics.POSE_MARKERS, got['markers'].append,
                                   RESULT_QOS)
        tester.create_subscription(Image, topics.POSE_OVERLAY, got['overlay'].append,
                                   RESULT_QOS)
        wait_for_match(h, pub)
        assert h.spin_until(lambda: node.overlay_pub.get_subscription_count() > 0 and
                            node.marker_pub.get_subscription_count() > 0)
        t0 = 1_700_000_000_000_000_000
        stamps = [t0 + i * 100_000_000 for i in range(6)]
        sent = 0
        for i, stamp in enumerate(stamps):
            pub.publish(make_pair(stamp, i, seed=i))
            sent += 1
            assert h.spin_until(lambda: node.counts['pairs'] == sent, 10)
            if i == 2:   # malformed pairs in the middle: the node logs and keeps going
                pub.publish(make_pair(stamp + 1, 99, seed=9, shape=(8, 64, 64, 8)))
                bad = make_pair(stamp + 2, 98, seed=8)
                bad.vertical.data[17] = float('nan')
                pub.publish(bad)
                sent += 2
                assert h.spin_until(lambda: node.counts['malformed'] == 1 and
                                    node.counts['wrong_geometry'] == 1, 10)
                assert h.spin_until(lambda: node.counts['pairs'] == sent, 10)
        # centered window: targets 0..2 need frames up to 3..5 -> three inferences at least
        assert h.spin_until(lambda: len(got['skeleton']) >= 1 and len(got['markers']) >= 1
                            and len(got['overlay']) >= 1 and node.counts['inferences'] +
                            node.counts['windows_dropped'] == 3, 30)
        skeleton = got['skeleton'][-1]
        assert conv.ns_from_stamp(skeleton.header.stamp) in stamps[:3]
        assert skeleton.header.frame_id == 'cam' and skeleton.source == 'radar_model'
        assert skeleton.model_name == 'hupr_csam_prgcn'
        keypoints, confidence = conv.msg_to_skeleton(skeleton)
        assert ((keypoints >= 0) & (keypoints < 256)).all() and (confidence > 0).all()
        markers = got['markers'][-1].markers
        assert [(m.id, m.type) for m in markers] == [(0, Marker.LINE_LIST),
                                                     (1, Marker.SPHERE_LIST)]
        assert len(markers[0].points) == 24 and len(markers[1].points) == 14
        assert markers[0].header.frame_id == 'cam' and markers[0].lifetime.nanosec > 0
        assert all(1.3 <= p.z <= 4.1 for p in markers[1].points)   # placed at a radar range
        overlay = got['overlay'][-1]
        assert (overlay.width, overlay.height, overlay.encoding) == (256, 256, 'rgb8')
        assert conv.ns_from_stamp(overlay.header.stamp) in stamps[:3]


def test_pose_node_runs_the_shipped_model_by_default_and_refuses_bad_weights(tmp_path):
    from hupr_ros.model import DEFAULT_PRETRAINED, load_pretrained
    from hupr_ros.nodes.common import StartupError
    from hupr_ros.nodes.pose_node import PoseNode
    import rclpy
    from rclpy.parameter import Parameter
    context = rclpy.Context()
    rclpy.init(context=context)
    try:
        node = PoseNode(context=context)
        shipped = load_pretrained()
        assert node.estimator.model.config == shipped.config
        assert node.estimator.alignment == shipped.alignment
        assert node.model_name == 'hupr_realtime'
        node.destroy_node()
        node = PoseNode(context=context, parameter_overrides=[
            Parameter('weights_path', value=DEFAULT_PRETRAINED),
            Parameter('window_alignment', value='centered'), Parameter('smoothing', value=True)])
        assert node.estimator.alignment == 'centered' and node.estimator.smoother is not None
        node.destroy_node()
        with pytest.raises(StartupError, match='checkpoint not found'):
            PoseNode(context=context, parameter_overrides=[
                Parameter('weights_path', value=str(tmp_path / 'missing.pth'))])
    finally:
        rclpy.shutdown(context=context)


def test_pose_node_publishes_nothing_for_an_empty_room_and_clears_markers():
    # The default input: pairs reduced to the network input, as the preprocessing node sends.
    from hupr_msgs.msg import RadarInputPair, Skeleton2D
    from hupr_ros.messages import ros as conv
    from hupr_ros import topics
    from hupr_ros.dsp import cube_axes, VRDAEConfig, vrdae_map
    from hupr_ros.window_input import frame_input
    from hupr_ros.nodes.qos import RESULT_QOS, SENSOR_QOS
    from hupr_ros.nodes.pose_node import PoseNode
    from hupr_ros.sim.body import make_subjects, Motion
    from hupr_ros.sim.scene import Simulator
    from rclpy.node import Node
    from rclpy.parameter import Parameter
    from ros_harness import harness, wait_for_match
    from visualization_msgs.msg import Marker, MarkerArray

    def pair(stamp, number, frame):
        cubes = [vrdae_map(frame.hori), vrdae_map(frame.vert)]
        parts = [conv.cube_to_msg(cube, cube_axes(), stamp_ns=stamp, frame_id='r',
                                  frame_number=number, orientation=o)
                 for cube, o in zip(cubes, ('horizontal', 'vertical'))]
        return conv.input_pair_to_msg(frame_input(*cubes, VRDAEConfig()), VRDAEConfig(), parts,
                                      stamp_ns=stamp, frame_id='radar_hori')
    person = Simulator(make_subjects(0)[1], Motion(kind='wave_both'), seed=1)
    room = Simulator(make_subjects(0)[1], Motion(kind='empty'), seed=2)
    frames = [person.frame(k) for k in range(4)] + [room.frame(k) for k in range(5)]
    with harness() as h:
        node = h.add(PoseNode, parameter_overrides=[
            Parameter('allow_random_weights', value=True), Parameter('variant', value='realtime'),
            Parameter('num_filters', value=2), Parameter('window_alignment', value='causal')])
        tester = h.add(Node, node_name='presence_tester')
        pub = tester.create_publisher(RadarInputPair, topics.RADAR_INPUT_PAIR, SENSOR_QOS)
        skeletons, markers = [], []
        tester.create_subscription(Skeleton2D, topics.POSE_SKELETON, skeletons.append,
                                   RESULT_QOS)
        tester.create_subscription(MarkerArray, topics.POSE_MARKERS, markers.append, RESULT_QOS)
        wait_for_match(h, pub)
        assert h.spin_until(lambda: node.marker_pub.get_subscription_count() > 0)
        t0 = 1_700_000_000_000_000_000
        for i, frame in enumerate(frames):
            pub.publish(pair(t0 + i * 100_000_000, i, frame))
            assert h.spin_until(lambda: node.counts['pairs'] == i + 1, 10)
            # one frame at a time: every window is inferred, none dropped
            assert h.spin_until(lambda: node.counts['inferences'] + node.counts[
                'windows_dropped'] == i + 1, 20)
        assert node.counts['windows_dropped'] == 0
        # hysteresis: the person appears on the 2nd frame above threshold and leaves on the
        # 3rd frame below it, so frames 1..5 carry a skeleton and 0, 6, 7, 8 do not.
        assert h.spin_until(lambda: len(skeletons) == 5 and node.counts['nobody'] == 4, 10)
        assert h.spin_until(lambda: len(markers) == 6, 10)
        assert sorted(conv.ns_from_stamp(s.header.stamp) for s in skeletons) == \
            [t0 + i * 100_000_000 for i in range(1, 6)]
        assert [m.action for m in markers[-1].markers] == [Marker.DELETEALL]


def test_fused_pose_node_estimates_from_raw_frames(data_dir):
    """
    fused:=true: the pose node pairs the raw frames and computes the VRDAEMaps itself.

    Its skeleton equals what the two-node path gives for the same frames.
    """
    from hupr_msgs.msg import RadarFrame, Skeleton2D
    from hupr_ros.messages import ros as conv
    from hupr_ros import topics
    from hupr_ros.dsp import vrdae_map
    from hupr_ros.nodes.qos import RESULT_QOS, SENSOR_QOS
    from hupr_ros.nodes.pose_node import PoseNode
    from hupr_ros.radar.config import HUPR_CHIRP_CONFIG
    from rclpy.node import Node
    from rclpy.parameter import Parameter
    from ros_harness import harness, wait_for_match
    rng = np.random.default_rng(4)
    frames = [{o: (rng.integers(-300, 300, (192, 4, 256)) +
                   1j * rng.integers(-300, 300, (192, 4, 256))).astype(np.complex64)
               for o in ('horizontal', 'vertical')} for _ in range(3)]
    params = [Parameter('weights_path', value=str(data_dir / 'hupr_nf4_checkpoint.pth')),
              Parameter('num_filters', value=4), Parameter('window_alignment', value='causal'),
              Parameter('presence', value=False), Parameter('torch_threads', value=1)]
    with harness() as h:
        node = h.add(PoseNode, parameter_overrides=params + [Parameter('fused', value=True)])
        tester = h.add(Node, node_name='fused_tester')
        pubs = {o: tester.create_publisher(RadarFrame, t, SENSOR_QOS)
                for o, t in (('horizontal', topics.RADAR_HORI_RAW),
                             ('vertical', topics.RADAR_VERT_RAW))}
        got = []
        tester.create_subscription(Skeleton2D, topics.POSE_SKELETON, got.append, RESULT_QOS)
        for pub in pubs.values():
            wait_for_match(h, pub)
        assert h.spin_until(lambda: node.skeleton_pub.get_subscription_count() > 0)
        t0 = 1_700_000_000_000_000_000
        for i, pair in enumerate(frames):
            for o, frame in pair.items():
                pubs[o].publish(conv.frame_to_msg(frame, HUPR_CHIRP_CONFIG,
                                                  stamp_ns=t0 + i * 100_000_000, frame_id='r',
                                                  frame_number=i, orientation=o))
            assert h.spin_until(lambda: len(got) == i + 1, 20), node.counts
    # The same frames through the estimator directly (what the two-node path computes).
    from hupr_ros.inference import PoseEstimator
    estimator = PoseEstimator(node.estimator.model, 'causal', precision=node.estimator.precision)
    for i, pair in enumerate(frames):
        window = estimator.push(t0 + i * 100_000_000, vrdae_map(pair['horizontal']),
                                vrdae_map(pair['vertical']))
    keypoints, _ = conv.msg_to_skeleton(got[-1])
    np.testing.assert_allclose(keypoints, estimator.infer(window).keypoints)


def test_pose_node_lifecycle(data_dir, tmp_path):
    """
    autostart:=false waits unconfigured.

    Configure loads the weights (a missing file is a clear FAILURE, and the node can be configured
    again); only an active node takes pairs.
    """
    from hupr_msgs.msg import RadarCubePair, Skeleton2D
    from hupr_ros import topics
    from hupr_ros.nodes.common import StartupError
    from hupr_ros.nodes.qos import RESULT_QOS, SENSOR_QOS
    from hupr_ros.nodes.pose_node import PoseNode
    from rclpy.lifecycle import TransitionCallbackReturn as R
    from rclpy.node import Node
    from rclpy.parameter import Parameter
    from ros_harness import harness, wait_for_match

    common = [Parameter('num_filters', value=4), Parameter('presence', value=False),
              Parameter('window_alignment', value='causal'), Parameter('input', value='cube_pair')]
    with harness() as h:
        broken = h.add(PoseNode, parameter_overrides=common + [
            Parameter('autostart', value=False),
            Parameter('weights_path', value=str(tmp_path / 'missing.pth'))])
        assert broken.estimator is None
        assert broken.trigger_configure() == R.FAILURE
        assert 'missing.pth' in broken._failure
        with pytest.raises(StartupError, match='missing.pth'):     # autostart: main() exits 1
            PoseNode(context=broken.context, parameter_overrides=common + [
                Parameter('weights_path', value=str(tmp_path / 'missing.pth'))])

        node = h.add(PoseNode, parameter_overrides=common + [
            Parameter('autostart', value=False),
            Parameter('weights_path', value=str(data_dir / 'hupr_nf4_checkpoint.pth'))])
        tester = h.add(Node, node_name='lifecycle_tester')
        pub = tester.create_publisher(RadarCubePair, topics.RADAR_CUBE_PAIR, SENSOR_QOS)
        skeletons = []
        tester.create_subscription(Skeleton2D, topics.POSE_SKELETON, skeletons.append,
                                   RESULT_QOS)
        assert node.estimator is None                   # unconfigured: no weights loaded
        assert node.trigger_configure() == R.SUCCESS and node.estimator is not None
        assert node.trigger_activate() == R.SUCCESS
        wait_for_match(h, pub)
        t0 = 1_700_000_000_000_000_000
        pub.publish(make_pair(t0, 0, seed=0))
        assert h.spin_until(lambda: len(skeletons) == 1, 20)
        assert node.trigger_deactivate() == R.SUCCESS
        pub.publish(make_pair(t0 + 100_000_000, 1, seed=1))
        h.spin_until(lambda: False, 1.0)
        assert len(skeletons) == 1 and node.counts['pairs'] == 1     # inactive: not taken
        assert node.trigger_activate() == R.SUCCESS
        pub.publish(make_pair(t0 + 200_000_000, 2, seed=2))
        assert h.spin_until(lambda: len(skeletons) == 2, 20)
        assert node.trigger_deactivate() == R.SUCCESS
        assert node.trigger_cleanup() == R.SUCCESS and node.estimator is None


def test_pose_node_refuses_input_pairs_of_another_k_or_not_finite(data_dir, monkeypatch):
    # An input pair made with another K than the model's (the preprocessing node's
    # input_doppler), or holding NaN, is counted and skipped with its reason; good pairs go on.
    from hupr_ros.dsp import cube_axes, VRDAEConfig, vrdae_map
    from hupr_ros.messages import ros as conv
    from hupr_ros.nodes import pose_node
    from hupr_ros.nodes.pose_node import PoseNode
    from hupr_ros.sim.body import make_subjects, Motion
    from hupr_ros.sim.scene import Simulator
    from hupr_ros.window_input import frame_input
    from rclpy.parameter import Parameter
    from ros_harness import harness

    reported = {}
    monkeypatch.setattr(pose_node, 'report', lambda node, errors, kind, message, warn=False:
                        reported.setdefault(kind, message))
    sim = Simulator(make_subjects(0)[1], Motion(kind='wave_both'), seed=1)
    frame = sim.frame(0)
    cubes = [vrdae_map(frame.hori), vrdae_map(frame.vert)]
    parts = [conv.cube_to_msg(c, cube_axes(), stamp_ns=0, frame_id='r', frame_number=7,
                              orientation=o) for c, o in zip(cubes, ('horizontal', 'vertical'))]

    def pair(stamp, k=8, nan=False):
        config = VRDAEConfig(num_input_doppler=k)
        reduced = frame_input(*cubes, config)
        if nan:
            reduced.vert[0, 0, 0, 0] = np.nan
        return conv.input_pair_to_msg(reduced, config, parts, stamp_ns=stamp, frame_id='r')
    with harness() as h:
        node = h.add(PoseNode, parameter_overrides=[
            Parameter('weights_path', value=str(data_dir / 'hupr_nf4_checkpoint.pth')),
            Parameter('num_filters', value=4), Parameter('window_alignment', value='causal'),
            Parameter('presence', value=False)])
        t0 = node.get_clock().now().nanoseconds - 10**9
        node.on_input_pair(pair(t0, k=4))
        assert node.counts['wrong_geometry'] == 1
        assert 'input_doppler' in reported['wrong_geometry'], reported
        node.on_input_pair(pair(t0 + 10**8, nan=True))
        assert node.counts['malformed'] == 1
        assert 'NaN' in reported['malformed_pair'], reported
        node.on_input_pair(pair(t0 + 2 * 10**8))
        assert h.spin_until(lambda: node.counts['inferences'] == 1, 20)
