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
from hupr_ros.bags.recording import RecordingWriter
from hupr_ros.labeller.backends import BACKENDS, LabellerError, make_labeller
from hupr_ros.labeller.recorder import LabelRecorder
from hupr_ros.messages.ros import ns_from_stamp
from hupr_ros.nodes.common import declare_parameters, Diagnostics, Param, report, run_node, \
    StartupError
from hupr_ros.nodes.qos import RESULT_QOS, rosbags_qos, SENSOR_QOS
import numpy as np
from rclpy.node import Node
from rclpy.serialization import deserialize_message
from sensor_msgs.msg import Image


#: The node's parameters (``ros2 param describe`` shows these descriptions).
PARAMETERS = (
    Param('backend', '', f"label source: {', '.join(BACKENDS)}; '' = hrnet when weights are "
          "given (the paper's labeller), else ground_truth (the simulator)"),
    Param('weights', '', 'hrnet: official HRNet-W32 checkpoint'),
    Param('device', 'cpu', "hrnet: 'cpu' or 'cuda[:N]'"),
    Param('flip_test', False, 'hrnet: average with the mirror'),
    Param('blazepose_python', '', "blazepose: a Python with mediapipe 0.10.21 ('' = this one)"),
    Param('output_dir', '.', 'folder for the bag'),
    Param('bag_name', '', "'' = labels_YYYYmmdd_HHMMSS"),
    Param('storage', 'sqlite3', 'sqlite3 (survives a kill, splits) or mcap (readable once '
          'closed)'),
    Param('jpeg_quality', 0, '0: raw images; 1-100: JPEG CompressedImage on .../compressed',
          range=(0, 100)),
    Param('split_size_mb', 0.0, 'new file after this (0: no)', range=(0.0, 1e6)),
    Param('split_duration_s', 0.0, 'new file after (0: no)', range=(0.0, 1e6)),
    Param('flush_s', 1.0, 'commit to disk this often', range=(0.05, 60.0)),
    Param('queue_size', 4, 'images waiting for the labeller; beyond it frames get no label',
          range=(1, 1000)),
)


class LabellerNode(Node):
    """Radars + camera -> one labelled rosbag2 bag."""

    def __init__(self, **kwargs) -> None:
        super().__init__('hupr_labeller', **kwargs)
        self.params = declare_parameters(self, PARAMETERS)
        backend = self.params.backend or ('hrnet' if self.params.weights else 'ground_truth')
        if backend not in BACKENDS:
            raise StartupError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
        labeller = None
        if backend != 'ground_truth':
            try:
                labeller = make_labeller(backend, self.params.weights, self.params.device,
                                         self.params.flip_test, self.params.blazepose_python)
            except LabellerError as error:
                raise StartupError(str(error)) from None
        name = self.params.bag_name or time.strftime('labels_%Y%m%d_%H%M%S')
        path = pathlib.Path(self.params.output_dir).expanduser() / name
        try:
            writer = RecordingWriter(path, flush_s=self.params.flush_s,
                                     split_bytes=int(self.params.split_size_mb * 1e6),
                                     split_s=self.params.split_duration_s,
                                     storage=self.params.storage).open()
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
            jpeg_quality=self.params.jpeg_quality, live=True, queue_size=self.params.queue_size,
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
