# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The raw-frame half of preprocessing, for any node.

Both radars' raw topics, stamp checks, decoding, the zero-fill policy and pairing.

The preprocessing node publishes what it pairs as cube pairs; the pose node in fused mode
(``fused:=true``) computes the VRDAEMaps itself, so no cube pair crosses DDS.
"""

import dataclasses
import functools
from typing import Callable

from hupr_msgs.msg import RadarFrame
from hupr_ros import topics
from hupr_ros.dsp import VRDAEConfig
from hupr_ros.guards import BoundedDict, StampGuard
from hupr_ros.messages.ros import chirp_config_from_msg, ConversionError, msg_to_frame, \
    ns_from_stamp
from hupr_ros.nodes.common import declare_parameters, guarded, Param, report
from hupr_ros.nodes.qos import SENSOR_QOS
from hupr_ros.pairing import FramePairer, PAIR_TOLERANCE_S
from hupr_ros.topics import ORIENTATIONS


#: Parameters the raw-frame pairing adds to its node (``ros2 param describe``); one the node
#: declared already (the pose node's ``max_future_s``) keeps the node's declaration.
PARAMETERS = (
    Param('tolerance_s', PAIR_TOLERANCE_S, 'largest stamp difference of a frame pair (default: '
          'half a period)', range=(0.0001, 10.0)),
    Param('max_pending', 4, 'frames kept per radar while waiting for the other',
          range=(1, 1000)),
    Param('drop_zero_filled', False, 'drop frames with zero-filled samples instead of passing '
          'them flagged'),
    Param('representation', 'vrdaemap', "'vrdaemap' (paper) or 'raemap' (traditional)"),
    Param('max_future_s', 1.0, 'frames stamped further ahead of the node clock are refused',
          range=(0.0, 3600.0)),
)


class RawPairInput:
    """
    Pair the two radars' raw frames for a node.

    Subscribes both raw topics on ``node`` and calls ``on_pair(stamp_ns, hori, vert)``, each
    item ``(RadarFrame msg, complex frame, VRDAEConfig)``.

    Declares on the node: ``tolerance_s``, ``max_pending``, ``drop_zero_filled``,
    ``representation`` and ``max_future_s``. Counts into ``node.counts`` (frames, malformed,
    bad_stamp, zero_filled, dropped_zero_filled) and reports problems through ``node.errors``.
    """

    def __init__(self, node, on_pair: Callable) -> None:
        self.node, self.on_pair = node, on_pair
        self.errors = node.errors

        params = declare_parameters(node, PARAMETERS)
        self.base_config = VRDAEConfig(representation=params.representation)
        self._configs = BoundedDict(8)            # bounded, whatever arrives
        self.drop_zero_filled = bool(params.drop_zero_filled)
        self.pairer = FramePairer(int(params.tolerance_s * 1e9), int(params.max_pending))
        future = float(params.max_future_s)
        self.stamp_guards = {o: StampGuard(f'{o} raw frame', max_future_s=future)
                             for o in ORIENTATIONS}
        for name in ('frames', 'malformed', 'bad_stamp', 'zero_filled', 'dropped_zero_filled'):
            node.counts.setdefault(name, 0)
        node.create_subscription(
            RadarFrame, topics.RADAR_HORI_RAW,
            functools.partial(self.on_frame, topics.ORIENTATION_HORIZONTAL), SENSOR_QOS)
        node.create_subscription(
            RadarFrame, topics.RADAR_VERT_RAW,
            functools.partial(self.on_frame, topics.ORIENTATION_VERTICAL), SENSOR_QOS)

    def get_logger(self):
        return self.node.get_logger()

    def config_for(self, chirp) -> VRDAEConfig:
        """Return the preprocessing config for frames captured with ``chirp`` (validated once)."""
        config = self._configs.get(chirp)
        if config is None:
            config = dataclasses.replace(self.base_config, chirp=chirp)   # may raise
            self._configs[chirp] = config
            self.node.get_logger().info(
                f'chirp configuration {chirp}: range resolution '
                f'{chirp.range_resolution * 100:.2f} cm, velocity resolution '
                f'{chirp.velocity_resolution:.3f} m/s (the pose node checks that its weights '
                'were trained on this geometry)')
        return config

    @guarded
    def on_frame(self, orientation: str, msg: RadarFrame) -> None:
        node, counts = self.node, self.node.counts
        counts['frames'] += 1
        verdict = self.stamp_guards[orientation].check(ns_from_stamp(msg.header.stamp),
                                                       node.get_clock().now().nanoseconds)
        if not verdict.accepted:
            counts['bad_stamp'] += 1
            report(node, self.errors, verdict.kind,
                   f'frame {msg.frame_number} dropped: {verdict.reason}', warn=True)
            return
        if verdict.restarted:        # the stream's clock went back: pair afresh
            self.pairer.reset(orientation)
            report(node, self.errors, 'stream_restarted', verdict.reason, warn=True)
        try:
            with node.timer_stats.measure('decode'):
                config = self.config_for(chirp_config_from_msg(msg.config))
                frame = msg_to_frame(msg)
        except (ConversionError, ValueError) as error:
            counts['malformed'] += 1
            report(node, self.errors, 'malformed_frame',
                   f'{orientation} frame {msg.frame_number} dropped: {error}')
            return
        if msg.zero_filled:
            counts['zero_filled'] += 1
            if self.drop_zero_filled:
                counts['dropped_zero_filled'] += 1
                return
        pair = self.pairer.push(orientation, ns_from_stamp(msg.header.stamp),
                                (msg, frame, config))
        if pair is not None:
            self.on_pair(*pair)
