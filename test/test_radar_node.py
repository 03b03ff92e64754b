# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The radar driver nodes over real DDS against the CLI and DCA1000 emulators.

Two radars at 10 frames/s, lifecycle transitions, exact frames, diagnostics, clear configure
failures.
"""

import time

from conftest import requires_ros
import numpy as np
import pytest

pytestmark = requires_ros
pytest.importorskip('serial')


@pytest.mark.slow
def test_two_radar_nodes_stream_exact_frames_through_their_lifecycle():
    from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
    from hupr_msgs.msg import RadarFrame
    from hupr_ros.messages import ros as conv
    from hupr_ros import topics
    from hupr_ros.nodes.qos import SENSOR_QOS
    from hupr_ros.nodes.radar_node import RadarNode
    from hupr_ros.radar.dca1000 import decode_samples
    from hupr_ros.sim.adc_source import SimFrames
    from rclpy.lifecycle import TransitionCallbackReturn
    from rclpy.node import Node
    from rclpy.parameter import Parameter
    from ros_harness import harness

    with harness() as h:
        nodes = {o: h.add(RadarNode, parameter_overrides=[
            Parameter('orientation', value=o), Parameter('source', value='emulator'),
            Parameter('emulator_loop_frames', value=4)])
            for o in ('horizontal', 'vertical')}
        tester = h.add(Node, node_name='radar_tester')
        got = {'horizontal': [], 'vertical': []}
        for o, topic in (('horizontal', topics.RADAR_HORI_RAW),
                         ('vertical', topics.RADAR_VERT_RAW)):
            tester.create_subscription(RadarFrame, topic,
                                       lambda m, o=o: got[o].append((time.monotonic(), m)),
                                       SENSOR_QOS)
        diagnostics = []
        tester.create_subscription(DiagnosticArray, '/diagnostics', diagnostics.append, 10)
        for node in nodes.values():
            assert node.trigger_configure() == TransitionCallbackReturn.SUCCESS
        for node in nodes.values():
            assert node.trigger_activate() == TransitionCallbackReturn.SUCCESS
        assert h.spin_until(lambda: min(len(v) for v in got.values()) >= 16, 30), \
            {o: len(v) for o, v in got.items()}
        for o, frames in got.items():
            times = [t for t, _ in frames[4:16]]
            rate = (len(times) - 1) / (times[-1] - times[0])
            assert 7.0 < rate < 13.0, (o, rate)
            numbers = [m.frame_number for _, m in frames]
            assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
            assert not any(m.zero_filled for _, m in frames)
            stamps = [conv.ns_from_stamp(m.header.stamp) for _, m in frames]
            assert stamps == sorted(stamps)
            assert frames[0][1].header.frame_id == ('radar_hori' if o == 'horizontal'
                                                    else 'radar_vert')
        sim = SimFrames()        # the emulators' source: frame k % 4 of the simulator
        msg = got['vertical'][3][1]
        want = decode_samples(np.frombuffer(sim('vert', msg.frame_number % 4), np.int16))
        np.testing.assert_array_equal(conv.msg_to_frame(msg).reshape(-1), want)
        assert h.spin_until(lambda: any(
            s.level == DiagnosticStatus.OK and s.message == 'streaming'
            and s.hardware_id in ('radar_hori', 'radar_vert')
            for d in diagnostics for s in d.status), 5), [d.status for d in diagnostics[-2:]]
        for node in nodes.values():
            assert node.trigger_deactivate() == TransitionCallbackReturn.SUCCESS
        h.spin_until(lambda: False, 0.3)
        count = len(got['horizontal'])
        h.spin_until(lambda: False, 0.3)                  # 3 frame periods
        assert len(got['horizontal']) == count            # inactive: nothing published
        for node in nodes.values():
            assert node.trigger_cleanup() == TransitionCallbackReturn.SUCCESS
            assert node.radar is None and node.emulator is None
        assert nodes['horizontal'].trigger_configure() == TransitionCallbackReturn.SUCCESS
        nodes['horizontal'].trigger_cleanup()             # configurable again after cleanup


@pytest.mark.slow
def test_lost_datagrams_are_published_zero_filled_and_counted():
    from hupr_msgs.msg import RadarFrame
    from hupr_ros.messages import ros as conv
    from hupr_ros import topics
    from hupr_ros.nodes.qos import SENSOR_QOS
    from hupr_ros.nodes.radar_node import RadarNode
    from hupr_ros.radar.dca1000 import decode_samples
    from hupr_ros.sim.adc_source import SimFrames
    from rclpy.lifecycle import TransitionCallbackReturn
    from rclpy.node import Node
    from rclpy.parameter import Parameter
    from ros_harness import harness
    with harness() as h:
        node = h.add(RadarNode, parameter_overrides=[
            Parameter('source', value='emulator'), Parameter('emulator_loop_frames', value=4),
            Parameter('emulator_faults', value='loss=0.003,duplicate=0.01,reorder=0.01,seed=2')])
        tester = h.add(Node, node_name='radar_fault_tester')
        got = []
        tester.create_subscription(RadarFrame, topics.RADAR_HORI_RAW, got.append, SENSOR_QOS)
        assert node.trigger_configure() == TransitionCallbackReturn.SUCCESS
        assert node.trigger_activate() == TransitionCallbackReturn.SUCCESS
        assert h.spin_until(lambda: len(got) >= 20, 30)
        board = node.emulator.boards['hori']
        stats = node.radar.receiver.assembler.stats
        assert board.packets_lost > 0 and stats.duplicates > 0 and stats.out_of_order > 0
        flagged = [m for m in got if m.zero_filled]
        assert flagged and all(m.bytes_zero_filled > 0 for m in flagged)
        sim = SimFrames()
        for msg in got[:20]:       # every sample is the source's or a zero-filled hole
            have = conv.msg_to_frame(msg).reshape(-1)
            want = decode_samples(np.frombuffer(sim('hori', msg.frame_number % 4), np.int16))
            assert ((have == want) | (have == 0)).all()
            assert (msg.packets_received < msg.packets_expected + 2) or msg.zero_filled
        node.trigger_deactivate()
        node.trigger_cleanup()


def test_configure_failure_is_one_clear_line_and_retryable(caplog):
    from hupr_ros.nodes.radar_node import RadarNode
    from rclpy.lifecycle import TransitionCallbackReturn
    from rclpy.parameter import Parameter
    from ros_harness import harness
    with harness() as h:
        node = h.add(RadarNode, parameter_overrides=[
            Parameter('cli_port', value='/dev/ttyNOPE')])
        assert node.trigger_configure() == TransitionCallbackReturn.FAILURE
        assert node.radar is None
        bad = h.add(RadarNode, parameter_overrides=[
            Parameter('cfg_file', value='/nonexistent.cfg')])
        assert bad.trigger_configure() == TransitionCallbackReturn.FAILURE
