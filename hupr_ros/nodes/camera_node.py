# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Camera node.

A USB camera, V4L2 device, video file or image folder -> ``camera/image_raw`` (sensor_msgs/Image)
and ``camera/camera_info`` (sensor_msgs/CameraInfo), for labelling.

Each frame is stamped when it is captured; Image and CameraInfo carry the same stamp. A frame
is published once: when the source stalls nothing is repeated, the stall is counted and shows
on ``/diagnostics`` (WARN), and with ``reconnect`` the source is reopened after
``reconnect_s``. ``crop_square`` gives the paper's square frames (centre crop, resized to
``crop_size``), with the calibration's intrinsics moved to match. The image conversion is
:mod:`hupr_ros.messages` (bgr8, rgb8, mono8), the same as cv_bridge's encodings.
"""

import sys
import time

from hupr_ros import topics
from hupr_ros.camera import Calibration, CameraError, crop_square, load_calibration, open_source, \
    to_encoding
from hupr_ros.guards import ErrorLog
from hupr_ros.messages.ros import image_to_msg, make_header
from hupr_ros.mount import frame_prefix
from hupr_ros.nodes.common import declare_parameters, Diagnostics, Param, RateMeter, report, \
    run_node, StartupError
from hupr_ros.nodes.qos import SENSOR_QOS
from rclpy.node import Node
from sensor_msgs.msg import CameraInfo, Image

CAMERA_INFO = 'camera/camera_info'


def camera_info(calibration: Calibration, stamp_ns: int, frame_id: str) -> CameraInfo:
    return CameraInfo(header=make_header(stamp_ns, frame_id), height=calibration.height,
                      width=calibration.width, distortion_model=calibration.distortion_model,
                      d=[float(v) for v in calibration.d], k=calibration.k.reshape(-1),
                      r=calibration.r.reshape(-1), p=calibration.p.reshape(-1))


#: The node's parameters (``ros2 param describe`` shows these descriptions).
PARAMETERS = (
    Param('source', '0', "device index ('0'), V4L2 path (/dev/video0), video file or image "
          'folder'),
    Param('width', 0, 'requested width (0: the default)', range=(0, 16384)),
    Param('height', 0, 'requested height (0: the default)', range=(0, 16384)),
    Param('fps', 10.0, 'frames published per second', range=(0.1, 240.0)),
    Param('pixel_format', '', "capture FOURCC, e.g. 'MJPG' or 'YUYV' ('' = the device default)"),
    Param('encoding', 'bgr8', "'bgr8', 'rgb8' or 'mono8'"),
    Param('frame_id', '', "'' = camera_optical under the namespace's tf prefix"),
    Param('calibration_file', '', "ROS camera_calibration YAML ('' = a pinhole guess: 60-degree "
          'horizontal field of view, centred)'),
    Param('crop_square', False, "centre-crop to a square and resize to crop_size (the paper's "
          'frames)'),
    Param('crop_size', 256, 'side of the square frames', range=(16, 4096)),
    Param('loop', False, 'video file / folder: start over'),
    Param('reconnect', True, 'reopen the source after it stalled for reconnect_s'),
    Param('reconnect_s', 2.0, 'stall before reopening', range=(0.1, 3600.0)),
)


class CameraNode(Node):
    """Publishes camera frames and their CameraInfo at ``fps``."""

    def __init__(self, **kwargs) -> None:
        super().__init__('hupr_camera', **kwargs)
        self.params = declare_parameters(self, PARAMETERS)
        self.encoding = self.params.encoding
        if self.encoding not in ('bgr8', 'rgb8', 'mono8'):
            raise StartupError(f"encoding must be 'bgr8', 'rgb8' or 'mono8', got "
                               f'{self.encoding!r}')
        self.frame_id = self.params.frame_id or \
            frame_prefix(self.get_namespace()) + topics.FRAME_CAMERA
        self.calibration = None
        if self.params.calibration_file:
            try:
                self.calibration = load_calibration(self.params.calibration_file)
            except CameraError as error:
                raise StartupError(str(error)) from None
        self.errors = ErrorLog()
        self.counts = {'frames': 0, 'stalls': 0, 'reconnects': 0}
        self._last_frame = time.monotonic()
        self._rate = RateMeter()
        self.source = None
        self._open()
        self.image_pub = self.create_publisher(Image, topics.CAMERA_IMAGE, SENSOR_QOS)
        self.info_pub = self.create_publisher(CameraInfo, CAMERA_INFO, SENSOR_QOS)
        self.diagnostics = Diagnostics(self, self.diagnose, hardware_id=self.params.source,
                                       errors=self.errors)
        self.create_timer(1.0 / float(self.params.fps), self.tick)

    def _open(self) -> None:
        try:
            self.source = open_source(self.params.source, self.params.width,
                                      self.params.height, self.params.fps,
                                      self.params.pixel_format, self.params.loop)
        except CameraError as error:
            if self.source is None and self.counts['reconnects'] == 0:
                raise StartupError(str(error)) from None
            raise

    def tick(self) -> None:
        try:
            frame = self.source.read() if self.source is not None else None
        except CameraError as error:
            report(self, self.errors, 'bad_frame', str(error))
            frame = None
        stamp = self.get_clock().now().nanoseconds          # capture time
        if frame is None:
            self.counts['stalls'] += 1
            stalled = time.monotonic() - self._last_frame
            if self.params.reconnect and \
                    stalled > self.params.reconnect_s:
                self._reconnect(stalled)
            return
        self._last_frame = time.monotonic()
        calibration = self.calibration or Calibration.pinhole(
            frame.shape[1], frame.shape[0], 0.866 * frame.shape[1], 0.866 * frame.shape[1],
            frame.shape[1] / 2, frame.shape[0] / 2)
        if self.params.crop_square:
            frame, calibration = crop_square(frame, self.params.crop_size,
                                             calibration)
        self.image_pub.publish(image_to_msg(to_encoding(frame, self.encoding), stamp_ns=stamp,
                                            frame_id=self.frame_id, encoding=self.encoding))
        self.info_pub.publish(camera_info(calibration, stamp, self.frame_id))
        self.counts['frames'] += 1

    def _reconnect(self, stalled: float) -> None:
        report(self, self.errors, 'stall', f'no frame for {stalled:.1f} s from '
               f'{self.params.source}: reopening it', warn=True)
        if self.source is not None:
            self.source.close()
        self.counts['reconnects'] += 1
        self._last_frame = time.monotonic()
        try:
            self._open()
        except CameraError as error:
            self.source = None
            report(self, self.errors, 'reopen_failed', str(error))

    def diagnose(self):
        rate = self._rate(self.counts['frames'])
        stalled = time.monotonic() - self._last_frame
        level, message = Diagnostics.OK, f'{rate:.1f} frames/s'
        if stalled > 1.0:
            level, message = Diagnostics.WARN, f'stalled: no frame for {stalled:.1f} s'
        return level, message, {'frames_per_s': f'{rate:.2f}', **self.counts}

    def destroy_node(self) -> None:
        if self.source is not None:
            self.source.close()
        super().destroy_node()


def main(args=None) -> None:
    run_node(CameraNode, args if args is not None else sys.argv)


if __name__ == '__main__':
    main()
