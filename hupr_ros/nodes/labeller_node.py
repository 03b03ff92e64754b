# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Labeller node: records a training set.

Both radars' raw frames and the camera go into a rosbag2 bag, with a ``hupr_msgs/Skeleton2D`` label
per camera frame on ``labels/skeleton``.

``backend``: ``hrnet`` (the paper's labeller; ``weights`` = an official HRNet-W32 pose
checkpoint; the default when weights are given), ``blazepose`` (no weights; mediapipe, see
docs/labelling.md) or ``ground_truth`` (the simulator's exact joints from
``sim/ground_truth``, no camera needed; the default without weights). Radar frames arriving
with no label source show as WARN on ``/diagnostics``.
One bag per run, ``output_dir/bag_name``, sqlite3 (flushed every ``flush_s``: a killed node
leaves a readable bag) or mcap, split into files by ``split_size_mb`` / ``split_duration_s``.
Frames whose labelling falls behind are stored without a label, counted, and reported on
``/diagnostics``.
"""

import pathlib
import sys
import time

from hupr_msgs.msg import RadarFrame, Skeleton2D
from hupr_ros import messages, topics
from hupr_ros.bags import BagError
from hupr_ros.labeller.backends import BACKENDS, LabellerError, make_labeller
from hupr_ros.labeller.recorder import LabelRecorder
from hupr_ros.msg_conversions import ns_from_stamp
from hupr_ros.nodes.common import declarer, Diagnostics, report, run_node, StartupError
from hupr_ros.nodes.qos import RESULT_QOS, rosbags_qos, SENSOR_QOS
from hupr_ros.recording import RecordingWriter
import numpy as np
from rcl_interfaces.msg import ParameterDescriptor
from rclpy.node import Node
from rclpy.serialization import deserialize_message
from sensor_msgs.msg import Image


class LabellerNode(Node):
    """Radars + camera -> one labelled rosbag2 bag."""

    def __init__(self, **kwargs) -> None:
        super().__init__('hupr_labeller', **kwargs)
        p = declarer(self)
        p('backend', '', ParameterDescriptor(
            description=f"label source: {', '.join(BACKENDS)}; '' = hrnet when weights are "
                        "given (the paper's labeller), else ground_truth (the simulator)"))
        p('weights', '', ParameterDescriptor(description='hrnet: official HRNet-W32 checkpoint'))
        p('device', 'cpu', ParameterDescriptor(description="hrnet: 'cpu' or 'cuda[:N]'"))
        p('flip_test', False, ParameterDescriptor(description='hrnet: average with the mirror'))
        p('blazepose_python', '', ParameterDescriptor(
            description="blazepose: a Python with mediapipe 0.10.21 ('' = this one)"))
        p('output_dir', '.', ParameterDescriptor(description='folder for the bag'))
        p('bag_name', '', ParameterDescriptor(description="'' = labels_YYYYmmdd_HHMMSS"))
        p('storage', 'sqlite3', ParameterDescriptor(
            description='sqlite3 (survives a kill, splits) or mcap (readable once closed)'))
        p('jpeg_quality', 0, ParameterDescriptor(
            description='0: raw images; 1-100: JPEG CompressedImage on .../compressed'),
          range=(0, 100))
        p('split_size_mb', 0.0, ParameterDescriptor(description='new file after this (0: no)'),
          range=(0.0, 1e6))
        p('split_duration_s', 0.0, ParameterDescriptor(description='new file after (0: no)'),
          range=(0.0, 1e6))
        p('flush_s', 1.0, ParameterDescriptor(description='commit to disk this often'),
          range=(0.05, 60.0))
        p('queue_size', 4, ParameterDescriptor(
            description='images waiting for the labeller; beyond it frames get no label'),
          range=(1, 1000))
        value = lambda name: self.get_parameter(name).value      # noqa: E731
        backend = value('backend') or ('hrnet' if value('weights') else 'ground_truth')
        if backend not in BACKENDS:
            raise StartupError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
        labeller = None
        if backend != 'ground_truth':
            try:
                labeller = make_labeller(backend, value('weights'), value('device'),
                                         value('flip_test'), value('blazepose_python'))
            except LabellerError as error:
                raise StartupError(str(error)) from None
        name = value('bag_name') or time.strftime('labels_%Y%m%d_%H%M%S')
        path = pathlib.Path(value('output_dir')).expanduser() / name
        try:
            writer = RecordingWriter(path, flush_s=value('flush_s'),
                                     split_bytes=int(value('split_size_mb') * 1e6),
                                     split_s=value('split_duration_s'),
                                     storage=value('storage')).open()
        except (BagError, ValueError) as error:
            if labeller is not None:
                labeller.close()
            raise StartupError(f'labeller: {error}') from None
        self.path = path
        qos = {t: (rosbags_qos(SENSOR_QOS),) for t in (
            topics.RADAR_HORI_RAW, topics.RADAR_VERT_RAW, topics.CAMERA_IMAGE,
            topics.CAMERA_IMAGE_COMPRESSED)}
        qos[topics.LABEL_SKELETON] = (rosbags_qos(RESULT_QOS),)
        self.recorder = LabelRecorder(
            writer, labeller, namespace=self.get_namespace(),
            jpeg_quality=value('jpeg_quality'), live=True, queue_size=value('queue_size'),
            qos=qos, clock_ns=lambda: self.get_clock().now().nanoseconds,
            log=lambda line: self.get_logger().warning(line))
        self.errors = self.recorder.errors
        for topic in (topics.RADAR_HORI_RAW, topics.RADAR_VERT_RAW):
            self.create_subscription(RadarFrame, topic,
                                     lambda cdr, t=topic: self.recorder.radar(t, cdr),
                                     SENSOR_QOS, raw=True)
        if labeller is None:
            self.source_topic = topics.SIM_GROUND_TRUTH
            self.create_subscription(Skeleton2D, topics.SIM_GROUND_TRUTH,
                                     self.recorder.ground_truth, RESULT_QOS, raw=True)
        else:
            self.source_topic = topics.CAMERA_IMAGE
            self.create_subscription(Image, topics.CAMERA_IMAGE, self.on_image, SENSOR_QOS,
                                     raw=True)
        self.diagnostics = Diagnostics(self, self.diagnose, hardware_id=str(path),
                                       errors=self.errors)
        self.get_logger().info(f'recording into {path} (labels: {backend})')

    def on_image(self, cdr: bytes) -> None:
        try:
            msg = deserialize_message(cdr, Image)
            rgb = messages.rgb_pixels(msg)
        except ValueError as error:
            report(self, self.errors, 'bad_image', f'camera image not labelled: {error}')
            return
        self.recorder.image(rgb, ns_from_stamp(msg.header.stamp), msg.header.frame_id,
                            raw_cdr=cdr)

    def diagnose(self):
        c = self.recorder.counts
        times = self.recorder.label_seconds[-50:]
        label_ms = 1e3 * float(np.mean(times)) if times else 0.0
        level, message = Diagnostics.OK, f'{c["labels"]} labels, {c["radar_frames"]} radar frames'
        if c['radar_frames'] >= 20 and not c['labels']:
            level = Diagnostics.WARN
            message = (f'{c["radar_frames"]} radar frames but no label yet: is the label '
                       f'source running ({self.source_topic})?')
        if c['not_labelled']:
            level = Diagnostics.WARN
            message = f'labelling behind: {c["not_labelled"]} frames stored without a label'
        return level, message, {**c, 'label_ms': f'{label_ms:.1f}',
                                'queued': self.recorder.pending(), 'bag': str(self.path),
                                'messages': self.recorder.writer.messages}

    def destroy_node(self) -> None:
        recorder = getattr(self, 'recorder', None)
        if recorder is not None:
            recorder.close()
            c = recorder.counts
            print(f'hupr_labeller: {self.path}: {c["labels"]} labels, {c["images"]} images, '
                  f'{c["radar_frames"]} radar frames, {c["not_labelled"]} frames not labelled',
                  file=sys.stderr)
            self.recorder = None
        super().destroy_node()


def main(args=None) -> None:
    run_node(LabellerNode, args if args is not None else sys.argv)


if __name__ == '__main__':
    main()
