# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Simulator node: HuPR-Sim as a live source on the hardware topics.

Publishes ``radar/hori/raw`` and ``radar/vert/raw`` (hupr_msgs/RadarFrame), ``camera/image_raw``
(sensor_msgs/Image) and ``sim/ground_truth`` (hupr_msgs/Skeleton2D) at ``frame_rate``, all
stamped from one clock (as the hardware trigger does): both radars, the camera and the ground
truth of one frame carry the same stamp, the time the frame is triggered. Every
``sequence_s`` seconds a new random motion starts. With ``motion:=empty`` or
``motion:=enter_leave`` the room is (at times) empty: no ground truth is published then.
The camera image is rendered and published only while ``camera/image_raw`` has a subscriber
(an RViz display, a recorder, the labeller), as the rest of the graph does not need it.

With ``lookahead`` (the default) each frame is simulated ahead of time, half a period after
the previous frame went out (when preprocessing is done with that one), and published the
moment it is due, as a radar delivers a frame as soon as its chirps end (a 64-loop frame of
the shipped configuration lasts about 14 ms). Latencies measured downstream are then the
pipeline's, not the simulator's 40 ms of physics per frame.
"""

import sys

from hupr_msgs.msg import RadarFrame, Skeleton2D
from hupr_ros import topics
from hupr_ros.messages.ros import frame_to_msg, image_to_msg, skeleton_to_msg
from hupr_ros.mount import frame_prefix
from hupr_ros.nodes.common import declare_parameters, Diagnostics, Param, RateMeter, run_node, \
    StageTimer, StartupError
from hupr_ros.nodes.qos import RESULT_QOS, SENSOR_QOS
from hupr_ros.sim.body import ALL_MOTIONS, make_subjects, random_motion
from hupr_ros.sim.scene import SimConfig, Simulator
import numpy as np
from rclpy.node import Node
from sensor_msgs.msg import Image


#: The node's parameters (``ros2 param describe`` shows these descriptions).
PARAMETERS = (
    Param('seed', 0, 'random seed (subjects, motions, noise)'),
    Param('subject', 0, 'subject index 0..5', range=(0, 5)),
    Param('motion', '', f"one of {ALL_MOTIONS}, or '' for random scripted motions"),
    Param('sequence_s', 20.0, 'seconds per random motion', range=(0.1, 3600.0)),
    Param('frame_rate', 10.0, 'frames per second', range=(0.1, 100.0)),
    Param('brightness', 1.0, 'camera brightness (0.05 = dark)', range=(0.01, 10.0)),
    Param('noise_std', 3.0, 'radar receiver noise, ADC counts', range=(0.0, 10000.0)),
    Param('max_frames', 0, 'stop publishing after (0 = never)', range=(0, 2 ** 31 - 1)),
    Param('lookahead', True, 'simulate each frame one period ahead and publish it at its '
          'trigger time, as a radar delivers a frame as soon as its chirps end; false: simulate '
          "at the trigger, so the simulator's compute time shows in every latency downstream"),
)


class SimNode(Node):
    """Publishes simulated radar frames, camera images and ground truth in real time."""

    def __init__(self, **kwargs) -> None:
        super().__init__('hupr_sim', **kwargs)
        self.params = declare_parameters(self, PARAMETERS)
        self.rng = np.random.default_rng(int(self.params.seed))
        subjects = make_subjects(int(self.params.seed))
        index = int(self.params.subject)
        if not 0 <= index < len(subjects):
            raise StartupError(f'subject must be 0..{len(subjects) - 1}, got {index}')
        motion = self.params.motion
        if motion and motion not in ALL_MOTIONS:
            raise StartupError(f'motion must be one of {ALL_MOTIONS} or empty, '
                               f'got {motion!r}')
        for name, low in (('frame_rate', 0.0), ('brightness', 0.0)):
            if not float(getattr(self.params, name)) > low:
                raise StartupError(f'{name} must be > {low:g}, got {getattr(self.params, name)}')
        if not float(self.params.noise_std) >= 0:
            raise StartupError(f'noise_std must be >= 0, got {self.params.noise_std}')
        self.subject, self.motion_kind = subjects[index], motion
        self.config = SimConfig(frame_rate=float(self.params.frame_rate),
                                brightness=float(self.params.brightness),
                                noise_std=float(self.params.noise_std))
        self.frames_per_sequence = max(1, int(self.params.sequence_s *
                                              self.config.frame_rate))
        self.max_frames = int(self.params.max_frames)
        self.sim = None
        self.count = 0
        self.lookahead = bool(self.params.lookahead)
        self._ahead = None        # (index, frame) simulated one period early
        self.timer_stats = StageTimer()
        self.pub_hori = self.create_publisher(RadarFrame, topics.RADAR_HORI_RAW, SENSOR_QOS)
        self.pub_vert = self.create_publisher(RadarFrame, topics.RADAR_VERT_RAW, SENSOR_QOS)
        self.pub_image = self.create_publisher(Image, topics.CAMERA_IMAGE, SENSOR_QOS)
        self.pub_truth = self.create_publisher(Skeleton2D, topics.SIM_GROUND_TRUTH, RESULT_QOS)
        self._late = 0
        self.images = 0          # camera images published (only while subscribed)
        # Twice per period: publish a frame when it is due; half a period later (preprocessing
        # is done with it) simulate the next one, if lookahead is on.
        self._half = False
        self.create_timer(0.5 / self.config.frame_rate, self._timer)
        self.create_timer(10.0, self.log_stats)
        self._rate, self._late_seen = RateMeter(), 0
        prefix = frame_prefix(self.get_namespace())     # as tf_node names the mount's frames
        self.frames = {'hori': prefix + topics.FRAME_RADAR_HORI,
                       'vert': prefix + topics.FRAME_RADAR_VERT,
                       'camera': prefix + topics.FRAME_CAMERA}
        self.diagnostics = Diagnostics(self, self.diagnose, hardware_id='hupr_sim')

    def _simulate(self, k: int):
        """Frame ``k`` of the stream (a new random sequence every ``sequence_s``)."""
        local = k % self.frames_per_sequence
        if local == 0:
            motion = random_motion(self.rng, self.motion_kind)
            self.sim = Simulator(self.subject, motion, self.config,
                                 seed=int(self.rng.integers(1 << 31)))
            self.get_logger().info(f'new sequence: {self.subject.name} {motion.kind} at '
                                   f'{motion.position[1]:.1f} m')
        # The camera image only while someone takes it (a tenth of the frame's time).
        with self.timer_stats.measure('simulate'):
            return self.sim.frame(local, camera=self.pub_image.get_subscription_count() > 0)

    def _done(self) -> bool:
        """``max_frames`` published."""
        return bool(self.max_frames) and self.count >= self.max_frames

    def _timer(self) -> None:
        self._half = not self._half
        if self._half:
            self.tick()
        elif self.lookahead and self._ahead is None and not self._done():
            self._ahead = (self.count, self._simulate(self.count))

    def tick(self) -> None:
        if self._done():
            return
        k = self.count
        stamp = self.get_clock().now().nanoseconds      # the trigger: one clock for all
        if self._ahead is not None and self._ahead[0] == k:
            frame = self._ahead[1]
        else:
            frame = self._simulate(k)
        self._ahead = None
        with self.timer_stats.measure('publish'):
            chirp = self.config.chirp
            for pub, data, frame_id, orientation in (
                    (self.pub_hori, frame.hori, self.frames['hori'],
                     topics.ORIENTATION_HORIZONTAL),
                    (self.pub_vert, frame.vert, self.frames['vert'],
                     topics.ORIENTATION_VERTICAL)):
                pub.publish(frame_to_msg(data, chirp, stamp_ns=stamp, frame_id=frame_id,
                                         frame_number=k, orientation=orientation))
            if frame.image is not None:
                self.pub_image.publish(image_to_msg(frame.image, stamp_ns=stamp,
                                                    frame_id=self.frames['camera']))
                self.images += 1
            if frame.present:          # nobody in the room: no ground-truth skeleton
                self.pub_truth.publish(skeleton_to_msg(
                    frame.keypoints, None, stamp_ns=stamp, frame_id=self.frames['camera'],
                    source=Skeleton2D.SOURCE_SIMULATOR_GROUND_TRUTH, model_name='hupr_sim',
                    image_size=(self.config.image_size, self.config.image_size)))
        self.count += 1
        budget_s = (0.5 if self.lookahead else 1.0) / self.config.frame_rate
        if (self.get_clock().now().nanoseconds - stamp) * 1e-9 > budget_s:
            self._late += 1    # publishing (and simulating) overran its share of the period

    def diagnose(self):
        """/diagnostics: frame rate and frames that took longer than a period to simulate."""
        rate = self._rate(self.count)
        late, self._late_seen = self._late - self._late_seen, self._late
        expected = self.config.frame_rate
        level, message = Diagnostics.OK, f'{rate:.1f} frames/s'
        if self._done():
            message = f'done: {self.count} frames (max_frames)'
        elif rate < 0.8 * expected:
            level = Diagnostics.WARN
            message += f' (expected {expected:g}: the CPU cannot simulate in real time)'
        if late:
            message += f'; {late} frames late'
        return level, message, {'frames_per_s': f'{rate:.2f}', 'frames': self.count,
                                'late': self._late, 'camera_images': self.images}

    def log_stats(self) -> None:
        self.get_logger().info(f'{self.count} frames, {self._late} late; mean/max: '
                               f'{self.timer_stats.summary()}')


def main(args=None) -> None:
    run_node(SimNode, args if args is not None else sys.argv)


if __name__ == '__main__':
    main()
