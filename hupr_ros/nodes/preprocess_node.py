# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Preprocessing node: raw frames of both radars -> synchronised VRDAEMap pairs.

Subscribes ``radar/hori/raw`` and ``radar/vert/raw`` (hupr_msgs/RadarFrame), pairs frames by
stamp (hupr_ros.pairing), computes each frame's VRDAEMap (hupr_ros.dsp) and publishes one
message per pair, so the pose node can never see half a pair:

- ``radar/input_pair`` (hupr_msgs/RadarInputPair), while something subscribes to it (the pose
  node does by default): the pair reduced to the network input and the moving energy, 0.3 MiB;
- ``radar/cube_pair`` (hupr_msgs/RadarCubePair): the two VRDAEMaps, 8 MiB, while something
  subscribes to it (a recording, the demo's panel, a pose node with ``input:=cube_pair``),
  and also whenever nobody takes input pairs.

Unpaired, malformed, badly stamped (negative, from the future, out of
order, repeated) and (optionally) zero-filled frames are counted and logged at a rate limited
per kind of problem; the node keeps running (docs/robustness.md).
"""

import dataclasses
import sys

from hupr_msgs.msg import RadarCubePair, RadarInputPair
from hupr_ros import topics
from hupr_ros.dsp import cube_axes, vrdae_map, VRDAEConfig
from hupr_ros.dsp.vrdae import PreprocessingError
from hupr_ros.guards import BoundedDict, ErrorLog
from hupr_ros.messages.ros import ConversionError, cube_to_msg, input_pair_to_msg, \
    make_header, ns_from_stamp
from hupr_ros.nodes.common import Changes, declare_parameters, Diagnostics, Param, RateMeter, \
    report, run_node, StageTimer
from hupr_ros.nodes.qos import SENSOR_QOS
from hupr_ros.nodes.raw_input import RawPairInput
from hupr_ros.window_input import frame_input
from rclpy.node import Node


#: The node's parameters (``ros2 param describe`` shows these descriptions); the raw-frame
#: pairing adds its own (:data:`hupr_ros.nodes.raw_input.PARAMETERS`).
PARAMETERS = (
    Param('input_doppler', 8, 'K, Doppler bins of the network input in radar/input_pair (the '
          "pose model's; published 8)", range=(1, 16)),
    Param('stats_period_s', 10.0, 'period of the rate / timing / drop-count log line',
          range=(0.1, 3600.0)),
)


class PreprocessNode(Node):
    """Pairs the two radars' raw frames and publishes their VRDAEMaps."""

    def __init__(self, **kwargs) -> None:
        super().__init__('hupr_preprocess', **kwargs)
        self.params = declare_parameters(self, PARAMETERS)
        self.timer_stats = StageTimer()
        self.errors = ErrorLog()
        self.counts = {'frames': 0, 'malformed': 0, 'bad_stamp': 0, 'zero_filled': 0,
                       'dropped_zero_filled': 0, 'published': 0, 'cube_pairs': 0,
                       'input_pairs': 0}
        self._logged_rate = RateMeter()       # pairs per s between stats log lines
        self.publisher = self.create_publisher(RadarCubePair, topics.RADAR_CUBE_PAIR, SENSOR_QOS)
        self.input_publisher = self.create_publisher(RadarInputPair, topics.RADAR_INPUT_PAIR,
                                                     SENSOR_QOS)
        self._input_configs = BoundedDict(4)     # cube config -> with the input's K
        self.raw = RawPairInput(self, self.publish_pair)
        self.pairer = self.raw.pairer
        self.create_timer(float(self.params.stats_period_s), self.log_stats)
        self._changes = Changes()
        self.diagnostics = Diagnostics(self, self.diagnose, errors=self.errors)

    def publish_pair(self, stamp_ns: int, hori, vert) -> None:
        inputs_wanted = self.input_publisher.get_subscription_count() > 0
        cubes_wanted = self.publisher.get_subscription_count() > 0 or not inputs_wanted
        try:
            out = RadarCubePair(header=make_header(stamp_ns, hori[0].header.frame_id))
            cubes, msgs = [], []
            for msg, frame, config in (hori, vert):
                with self.timer_stats.measure('vrdae_map'):
                    cubes.append(vrdae_map(frame, config))
                if not cubes_wanted:
                    continue
                with self.timer_stats.measure('to_msg'):
                    msgs.append(cube_to_msg(
                        cubes[-1], cube_axes(config), stamp_ns=ns_from_stamp(msg.header.stamp),
                        frame_id=msg.header.frame_id, frame_number=msg.frame_number,
                        orientation=msg.orientation, representation=config.representation,
                        zero_filled=msg.zero_filled))
            if inputs_wanted:
                config = self._input_config(hori[2])
                with self.timer_stats.measure('input'):
                    reduced = frame_input(cubes[0], cubes[1], config)
                    inputs = input_pair_to_msg(reduced, config, (hori[0], vert[0]),
                                               stamp_ns=stamp_ns,
                                               frame_id=hori[0].header.frame_id)
        except (PreprocessingError, ConversionError) as error:
            self.counts['malformed'] += 1
            report(self, self.errors, 'bad_pair', f'pair at {stamp_ns} ns dropped: {error}')
            return
        with self.timer_stats.measure('publish'):
            if inputs_wanted:
                self.input_publisher.publish(inputs)
                self.counts['input_pairs'] += 1
            if cubes_wanted:
                out.horizontal, out.vertical = msgs
                self.publisher.publish(out)
                self.counts['cube_pairs'] += 1
        self.counts['published'] += 1

    def _input_config(self, config: VRDAEConfig) -> VRDAEConfig:
        """Return the cubes' config with the network input's K (``input_doppler``)."""
        if config not in self._input_configs:
            self._input_configs[config] = dataclasses.replace(
                config, num_input_doppler=int(self.params.input_doppler))
        return self._input_configs[config]

    def diagnose(self):
        """/diagnostics: pair rate, unpaired and dropped frames, problems since last."""
        delta, seconds = self._changes(self.counts)
        rate = delta['published'] / seconds
        stats = self.pairer.stats
        values = {'pairs_per_s': f'{rate:.2f}', **self.counts,
                  'unpaired_horizontal': stats.unpaired_horizontal,
                  'unpaired_vertical': stats.unpaired_vertical,
                  'out_of_order': stats.out_of_order}
        mean = self.timer_stats.mean_ms('vrdae_map')
        if mean is not None:
            values['vrdae_map_mean_ms'] = f'{mean:.1f}'
        level, message = Diagnostics.OK, f'{rate:.1f} pairs/s'
        if delta['frames'] == 0:
            level, message = Diagnostics.WARN, 'no raw radar frames (are the radars running?)'
        elif delta['published'] == 0:
            level, message = Diagnostics.WARN, 'raw frames arrive but none pair up (one ' \
                                               'radar missing, or stamps too far apart?)'
        return level, message, values

    def log_stats(self) -> None:
        rate = self._logged_rate(self.counts['published'])
        stats = self.pairer.stats
        self.get_logger().info(
            f'{rate:.1f} pairs/s; {self.counts}; unpaired hori/vert '
            f'{stats.unpaired_horizontal}/{stats.unpaired_vertical}, out of order '
            f'{stats.out_of_order}; problems {self.errors.counts or "none"}; '
            f'per stage mean/max: {self.timer_stats.summary()}')


def main(args=None) -> None:
    run_node(PreprocessNode, args if args is not None else sys.argv)


if __name__ == '__main__':
    main()
