# Copyright 2026 The hupr_ros Authors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""Preprocessing node: raw frames of both radars -> synchronised VRDAEMap pairs.

Subscribes ``radar/hori/raw`` and ``radar/vert/raw`` (hupr_msgs/RadarFrame), pairs frames by
stamp (hupr_ros.pairing), computes each frame's VRDAEMap (hupr_ros.dsp) and publishes one
hupr_msgs/RadarCubePair per pair on ``radar/cube_pair``: one message, so the pose node can
never see half a pair. Unpaired, malformed, badly stamped (negative, from the future, out of
order, repeated) and (optionally) zero-filled frames are counted and logged at a rate limited
per kind of problem; the node keeps running (docs/robustness.md).
"""

import dataclasses
import functools
import sys
import time

from hupr_msgs.msg import RadarCubePair, RadarFrame
from rcl_interfaces.msg import ParameterDescriptor
from rclpy.node import Node

from hupr_ros import topics
from hupr_ros.dsp import cube_axes, vrdae_map, VRDAEConfig
from hupr_ros.dsp.vrdae import PreprocessingError
from hupr_ros.msg_conversions import chirp_config_from_msg, ConversionError, cube_to_msg, \
    make_header, msg_to_frame, ns_from_stamp
from hupr_ros.guards import ErrorLog, StampGuard
from hupr_ros.nodes.common import guarded, report, run_node, SENSOR_QOS, StageTimer
from hupr_ros.pairing import FramePairer
from hupr_ros.topics import ORIENTATIONS


class PreprocessNode(Node):
    """Pairs the two radars' raw frames and publishes their VRDAEMaps."""

    def __init__(self, **kwargs) -> None:
        super().__init__('hupr_preprocess', **kwargs)
        self.declare_parameter('tolerance_s', 0.05, ParameterDescriptor(
            description='largest stamp difference of a frame pair (default: half a period)'))
        self.declare_parameter('max_pending', 4, ParameterDescriptor(
            description='frames kept per radar while waiting for the other'))
        self.declare_parameter('drop_zero_filled', False, ParameterDescriptor(
            description='drop frames with zero-filled samples instead of passing them flagged'))
        self.declare_parameter('representation', 'vrdaemap', ParameterDescriptor(
            description="'vrdaemap' (paper) or 'raemap' (traditional)"))
        self.declare_parameter('stats_period_s', 10.0, ParameterDescriptor(
            description='period of the rate / timing / drop-count log line'))
        self.declare_parameter('max_future_s', 1.0, ParameterDescriptor(
            description='frames stamped further ahead of the node clock are refused'))
        self.base_config = VRDAEConfig(
            representation=self.get_parameter('representation').value)
        self._configs = {}
        self.drop_zero_filled = bool(self.get_parameter('drop_zero_filled').value)
        self.pairer = FramePairer(
            int(self.get_parameter('tolerance_s').value * 1e9),
            int(self.get_parameter('max_pending').value))
        self.timer_stats = StageTimer()
        self.errors = ErrorLog()
        future = float(self.get_parameter('max_future_s').value)
        self.stamp_guards = {o: StampGuard(f'{o} raw frame', max_future_s=future)
                             for o in ORIENTATIONS}
        self.counts = {'frames': 0, 'malformed': 0, 'bad_stamp': 0, 'zero_filled': 0,
                       'dropped_zero_filled': 0, 'published': 0}
        self._window_start = time.monotonic()
        self._window_published = 0
        self.publisher = self.create_publisher(RadarCubePair, topics.RADAR_CUBE_PAIR, SENSOR_QOS)
        self.create_subscription(
            RadarFrame, topics.RADAR_HORI_RAW,
            functools.partial(self.on_frame, topics.ORIENTATION_HORIZONTAL), SENSOR_QOS)
        self.create_subscription(
            RadarFrame, topics.RADAR_VERT_RAW,
            functools.partial(self.on_frame, topics.ORIENTATION_VERTICAL), SENSOR_QOS)
        self.create_timer(float(self.get_parameter('stats_period_s').value), self.log_stats)

    def config_for(self, chirp) -> VRDAEConfig:
        """The preprocessing config for frames captured with ``chirp`` (validated once)."""
        config = self._configs.get(chirp)
        if config is None:
            config = dataclasses.replace(self.base_config, chirp=chirp)   # may raise
            if len(self._configs) >= 8:             # bounded, whatever arrives
                self._configs.pop(next(iter(self._configs)))
            self._configs[chirp] = config
            self.get_logger().info(
                f'chirp configuration {chirp}: range resolution '
                f'{chirp.range_resolution * 100:.2f} cm, velocity resolution '
                f'{chirp.velocity_resolution:.3f} m/s (the pose node checks that its weights '
                'were trained on this geometry)')
        return config

    @guarded
    def on_frame(self, orientation: str, msg: RadarFrame) -> None:
        self.counts['frames'] += 1
        verdict = self.stamp_guards[orientation].check(ns_from_stamp(msg.header.stamp),
                                                       self.get_clock().now().nanoseconds)
        if not verdict.accepted:
            self.counts['bad_stamp'] += 1
            report(self, self.errors, verdict.kind,
                   f'frame {msg.frame_number} dropped: {verdict.reason}', warn=True)
            return
        if verdict.restarted:        # the stream's clock went back: pair afresh
            self.pairer.reset(orientation)
            report(self, self.errors, 'stream_restarted', verdict.reason, warn=True)
        try:
            with self.timer_stats.measure('decode'):
                config = self.config_for(chirp_config_from_msg(msg.config))
                frame = msg_to_frame(msg)
        except (ConversionError, ValueError) as error:
            self.counts['malformed'] += 1
            report(self, self.errors, 'malformed_frame',
                   f'{orientation} frame {msg.frame_number} dropped: {error}')
            return
        if msg.zero_filled:
            self.counts['zero_filled'] += 1
            if self.drop_zero_filled:
                self.counts['dropped_zero_filled'] += 1
                return
        pair = self.pairer.push(orientation, ns_from_stamp(msg.header.stamp),
                                (msg, frame, config))
        if pair is not None:
            self.publish_pair(*pair)

    def publish_pair(self, stamp_ns: int, hori, vert) -> None:
        try:
            out = RadarCubePair(header=make_header(stamp_ns, hori[0].header.frame_id))
            cubes = []
            for msg, frame, config in (hori, vert):
                with self.timer_stats.measure('vrdae_map'):
                    cube = vrdae_map(frame, config)
                with self.timer_stats.measure('to_msg'):
                    cubes.append(cube_to_msg(
                        cube, cube_axes(config), stamp_ns=ns_from_stamp(msg.header.stamp),
                        frame_id=msg.header.frame_id, frame_number=msg.frame_number,
                        orientation=msg.orientation, representation=config.representation,
                        zero_filled=msg.zero_filled))
        except (PreprocessingError, ConversionError) as error:
            self.counts['malformed'] += 1
            report(self, self.errors, 'bad_pair', f'pair at {stamp_ns} ns dropped: {error}')
            return
        out.horizontal, out.vertical = cubes
        with self.timer_stats.measure('publish'):
            self.publisher.publish(out)
        self.counts['published'] += 1
        self._window_published += 1

    def log_stats(self) -> None:
        elapsed = time.monotonic() - self._window_start
        rate = self._window_published / elapsed if elapsed > 0 else 0.0
        stats = self.pairer.stats
        self.get_logger().info(
            f'{rate:.1f} pairs/s; {self.counts}; unpaired hori/vert '
            f'{stats.unpaired_horizontal}/{stats.unpaired_vertical}, out of order '
            f'{stats.out_of_order}; problems {self.errors.counts or "none"}; '
            f'per stage mean/max: {self.timer_stats.summary()}')
        self._window_start, self._window_published = time.monotonic(), 0


def main(args=None) -> None:
    run_node(PreprocessNode, args if args is not None else sys.argv)


if __name__ == '__main__':
    main()
