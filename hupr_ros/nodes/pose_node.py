# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Pose node: synchronised radar pairs -> HuPRNet -> skeleton, RViz markers, overlay.

Subscribes ``radar/input_pair`` (hupr_msgs/RadarInputPair: the preprocessing node's pairs
already reduced to the network input, 0.3 MiB each), or with ``input:=cube_pair`` the full
VRDAEMap pairs ``radar/cube_pair`` (8 MiB each; the node reduces them itself), or with
``fused:=true`` the raw frames; publishes ``pose/skeleton`` (hupr_msgs/Skeleton2D),
``pose/markers`` (visualization_msgs/MarkerArray) and ``pose/overlay`` (sensor_msgs/Image).
Every pair is added to the sliding window in the subscription callback (cheap); inference
runs on a worker thread that always takes the newest window: when inference lags, older
windows are dropped and counted, never queued.

Without ``weights_path`` it runs the shipped default model (``hupr_ros.model.load_pretrained``)
with the window alignment it was trained with. When the radars see nobody (``presence``), no
skeleton is published and the markers are cleared once.

Bad input never stops it (docs/robustness.md): pairs with bad stamps (negative, from the
future, out of order, repeated), cubes whose axes differ from the geometry the weights were
trained on, and cubes that are malformed or can't be normalised are counted, logged per kind
and skipped. Pairs missing from the stream (lost in transport, dropped by a busy CPU) are
filled from the pair before them, up to ``max_frame_gap_s``; after a longer gap (an outage, an
upstream restart) the window starts again rather than spanning it.

It is a lifecycle node: *configure* loads the weights and the mount file and makes its
(lifecycle) publishers, *activate* subscribes and starts taking pairs, *deactivate* stops
taking them (dropped, not queued) and *cleanup* releases the weights and the publishers. With
``autostart`` (the default) it configures and activates itself at start-up; a problem then
stops it with one line (exit status 1), as for every lifecycle node here
(:func:`hupr_ros.nodes.common.autostart`).
"""

from collections import deque
import sys
import time
from typing import Optional

from hupr_msgs.msg import RadarCubePair, RadarInputPair, Skeleton2D
from hupr_ros import topics
from hupr_ros.dsp import cube_axes, vrdae_map
from hupr_ros.dsp.axes import axes_mismatch, input_axes
from hupr_ros.filters import OneEuroFilter
from hupr_ros.guards import BoundedDict, ErrorLog, StampGuard
from hupr_ros.inference import auto_threads, NewestWindowWorker, PoseEstimator, PoseResult, \
    precision_problem, resolve_precision
from hupr_ros.messages.ros import AxisSpec, ConversionError, image_to_msg, msg_to_axes, \
    msg_to_cube, msg_to_frame_input, ns_from_stamp, skeleton_to_msg
from hupr_ros.mount import default_mount, frame_prefix, load_mount, MountError
from hupr_ros.nodes.common import autostart, Changes, declare_parameters, Diagnostics, guarded, \
    Param, RateMeter, report, run_node, StageTimer, StartupError, transition_failed
from hupr_ros.nodes.markers import clear_markers, skeleton_markers
from hupr_ros.nodes.qos import RESULT_QOS, SENSOR_QOS
from hupr_ros.nodes.raw_input import RawPairInput
from hupr_ros.presence import PRESENCE_OFF_DB, PRESENCE_ON_DB, PresenceDetector
from hupr_ros.window_input import FrameInput
import numpy as np
from rclpy.lifecycle import LifecycleNode, State, TransitionCallbackReturn
from sensor_msgs.msg import Image
from visualization_msgs.msg import MarkerArray


#: The node's parameters (``ros2 param describe`` shows these descriptions).
PARAMETERS = (
    Param('weights_path', '', 'local checkpoint (published model_best.pth or ours) or the name '
          "of a shipped model; '' = the shipped default; never downloaded"),
    Param('allow_random_weights', False, 'tests only: run untrained weights instead of the '
          'shipped default'),
    Param('variant', 'csam_prgcn', 'csam_prgcn (published), realtime, csam, ca, sa, baseline'),
    Param('num_filters', 0, "F; 0 = the variant's default", range=(0, 512)),
    Param('device', 'cpu', "'cpu' or 'cuda'"),
    Param('precision', 'auto', "'auto' (default): 'bf16' on CPUs with native bfloat16 kernels "
          "(AVX-512 BF16 or AMX: about 2.5x faster, AP within 0.1), else 'int8' on x86 CPUs "
          "when the weights have an int8 calibration (the shipped models do), else 'fp32'; "
          "'fp32': the published numbers exactly; 'bf16' (refused on CPUs without bfloat16 "
          "kernels, where it is emulated); 'int8' (the encoders in int8; needs the weights' "
          "NAME.int8.json from hupr-quantize); 'fp16' (cuda)"),
    Param('torch_threads', 0, 'CPU threads for inference; 0 = half the cores (at most 4), '
          'leaving the rest to the radar, preprocessing and DDS threads (on 2 cores: 1)',
          range=(0, 256)),
    Param('window_alignment', '', "'centered' (published, +0.3 s latency), 'causal' (no "
          "look-ahead) or '' = the one the weights were trained with"),
    Param('presence', True, 'publish no skeleton when the radars see nobody (radar energy)'),
    Param('presence_on_db', PRESENCE_ON_DB, 'motion energy (peak over median, dB) above which a '
          'person appears'),
    Param('presence_off_db', PRESENCE_OFF_DB, 'motion energy below which the person has left'),
    Param('smoothing', False, 'One-Euro filter on the keypoints (less jitter, a little lag)'),
    Param('smoothing_min_cutoff', 1.0, 'One-Euro cut-off at rest, Hz (lower = smoother)',
          range=(0.001, 100.0)),
    Param('smoothing_beta', 0.05, 'One-Euro speed coefficient (higher = less lag when moving)',
          range=(0.0, 100.0)),
    Param('subpixel', False, 'sub-pixel decoding'),
    Param('camera_frame', '', "frame of the skeleton pixels and markers; '' = camera_optical "
          "under the namespace's tf prefix (as tf_node publishes it)"),
    Param('mount_file', '', "sensor mount YAML, the camera intrinsics for the markers' "
          "back-projection (tf_node publishes the same file's transforms); '' = the shipped "
          'config/mount.yaml'),
    Param('marker_lifetime_s', 0.5, 'markers vanish after', range=(0.0, 60.0)),
    Param('stats_period_s', 10.0, 'rate / latency log period', range=(0.1, 3600.0)),
    Param('max_future_s', 1.0, 'pairs stamped further ahead of the node clock are refused',
          range=(0.0, 3600.0)),
    Param('input', 'input_pair', "'input_pair': the preprocessing node's pairs reduced to the "
          'network input (radar/input_pair, 0.3 MiB each: the default, for small CPUs); '
          "'cube_pair': the full VRDAEMap pairs (radar/cube_pair, 8 MiB each)"),
    Param('fused', False, 'subscribe the raw radar frames and compute the VRDAEMaps here (no '
          'preprocessing node, no cube pairs over DDS: for small robots)'),
    Param('max_frame_gap_s', 0.55, 'a longer step between pairs (an outage) restarts the '
          'window; shorter gaps (up to 4 pairs lost at 10 Hz) are filled with the pair before '
          'them', range=(0.001, 60.0)),
    Param('autostart', True, 'configure (load the weights) and activate (subscribe) at '
          'start-up; false: wait for a lifecycle manager'),
)


class PoseNode(LifecycleNode):
    """Runs HuPRNet on radar-cube pairs and publishes the skeleton three ways."""

    def __init__(self, **kwargs) -> None:
        super().__init__('hupr_pose', **kwargs)
        self._active = False     # set first: on_shutdown runs even if a parameter is refused
        self.params = declare_parameters(self, PARAMETERS)
        #: Where the node takes its pairs from: the raw frames (fused), or one pair topic.
        self.pair_topic = topics.RADAR_HORI_RAW if self.params.fused else \
            topics.RADAR_CUBE_PAIR if self.params.input == 'cube_pair' else \
            topics.RADAR_INPUT_PAIR
        # State that does not depend on the weights.
        self.estimator: Optional[PoseEstimator] = None
        self._active = False
        self._subscribed = False
        self._failure = ''
        self._shown = False      # a skeleton is on screen (markers to clear when one leaves)
        self.lifetime = float(self.params.marker_lifetime_s)
        self.timer_stats = StageTimer()
        self.errors = ErrorLog()
        self.stamps = StampGuard('cube pair', float(self.params.max_future_s))
        self.counts = {'pairs': 0, 'malformed': 0, 'bad_stamp': 0, 'wrong_geometry': 0,
                       'restarts': 0, 'filled': 0, 'windows_dropped': 0, 'inferences': 0,
                       'errors': 0, 'nobody': 0}
        # the horizontal moving energy of the frames in the window, by stamp, for the overlay
        # of the target frame (with a centered window it is 3 frames older than the newest)
        self._motion = BoundedDict(1)
        self.skeleton_pub = self.marker_pub = self.overlay_pub = None   # made by configure
        self._config_checked = BoundedDict(16)     # bounded, whatever arrives
        self.create_timer(float(self.params.stats_period_s), self.log_stats)
        self._stamp_latency = deque(maxlen=100)      # s from a pair's stamp to its skeleton
        self._changes = Changes()
        self.diagnostics = Diagnostics(self, self.diagnose, errors=self.errors)
        self._logged_rate = RateMeter()       # inferences per s between stats log lines
        self._worker = NewestWindowWorker(self._infer, self._inference_failed,
                                          name='hupr_pose_inference')
        if self.params.autostart:
            autostart(self)

    # -- lifecycle -----------------------------------------------------------------------------
    def on_configure(self, state: State) -> TransitionCallbackReturn:
        """Load the weights and the mount; a problem is FAILURE with one clear line."""
        try:
            self._configure()
        except (StartupError, ValueError) as error:
            return transition_failed(self, f'cannot configure: {error}')
        if self.skeleton_pub is None:     # lifecycle publishers: they publish while active
            self.skeleton_pub = self.create_lifecycle_publisher(
                Skeleton2D, topics.POSE_SKELETON, RESULT_QOS)
            self.marker_pub = self.create_lifecycle_publisher(
                MarkerArray, topics.POSE_MARKERS, RESULT_QOS)
            self.overlay_pub = self.create_lifecycle_publisher(
                Image, topics.POSE_OVERLAY, RESULT_QOS)
        return TransitionCallbackReturn.SUCCESS

    def _configure(self) -> None:
        if self.params.input not in ('input_pair', 'cube_pair'):
            raise StartupError(f"input must be 'input_pair' or 'cube_pair', got "
                               f'{self.params.input!r}')
        model = self._load_model()
        alignment = self.params.window_alignment or model.alignment
        if alignment != model.alignment:
            self.get_logger().warning(
                f'window_alignment {alignment!r} differs from the {model.alignment!r} window '
                'the weights were trained with: the skeleton will lag or lead the body')
        presence = PresenceDetector(float(self.params.presence_on_db),
                                    float(self.params.presence_off_db)) \
            if self.params.presence else None
        smoother = OneEuroFilter(float(self.params.smoothing_min_cutoff),
                                 float(self.params.smoothing_beta)) \
            if self.params.smoothing else None
        precision = resolve_precision(self.params.precision, self.params.device, model)
        problem = precision_problem(precision, self.params.device, model)
        if problem:
            raise StartupError(problem)
        try:
            estimator = PoseEstimator(model, alignment, self.params.device,
                                      bool(self.params.subpixel), presence=presence,
                                      smoother=smoother,
                                      max_gap_s=float(self.params.max_frame_gap_s),
                                      precision=precision, merge_per_frame=True)
        except ValueError as error:
            raise StartupError(str(error)) from error
        self.camera_frame = self.params.camera_frame or \
            frame_prefix(self.get_namespace()) + topics.FRAME_CAMERA
        try:
            self.intrinsics = load_mount(self.params.mount_file or default_mount()) \
                .camera_intrinsics
        except MountError as error:
            raise StartupError(str(error)) from None
        self.model_name = f'hupr_{estimator.model.config.variant}'
        self.expected_axes = cube_axes(estimator.config) + (AxisSpec('complex', 2),)
        self.expected_input_axes = input_axes(estimator.config)
        self._axes_checked = BoundedDict(16)    # axes signature -> None or the mismatch
        self._motion = BoundedDict(estimator.model.config.num_frames + 2)
        self.estimator = estimator
        self.get_logger().info(
            f'{self.model_name} (F={estimator.model.config.num_filters}) on '
            f'{estimator.device} in {precision}, {estimator.alignment} window')
        if self.params.precision == 'auto' and precision == 'fp32' and \
                estimator.device.type == 'cpu' and model.int8_calibration is None:
            self.get_logger().info(f'not in int8: {model.int8_problem}')

    def on_activate(self, state: State) -> TransitionCallbackReturn:
        """Subscribe (once) and start taking pairs, with a fresh window."""
        if not self._subscribed:
            if self.pair_topic == topics.RADAR_HORI_RAW:   # fused: no pair crosses DDS
                self.raw = RawPairInput(self, guarded(PoseNode.on_raw_pair).__get__(self))
            elif self.pair_topic == topics.RADAR_CUBE_PAIR:
                self.create_subscription(RadarCubePair, topics.RADAR_CUBE_PAIR, self.on_pair,
                                         SENSOR_QOS)
            else:
                self.create_subscription(RadarInputPair, topics.RADAR_INPUT_PAIR,
                                         self.on_input_pair, SENSOR_QOS)
            self._subscribed = True
        self.estimator.reset()
        self._active = True
        return super().on_activate(state)

    def on_deactivate(self, state: State) -> TransitionCallbackReturn:
        """Stop taking pairs (they are dropped uncounted) and forget the window."""
        self._active = False
        self._worker.clear()
        return super().on_deactivate(state)

    def on_cleanup(self, state: State) -> TransitionCallbackReturn:
        """Release the weights."""
        self._active = False
        self._worker.clear()
        self.estimator = None
        for publisher in (self.skeleton_pub, self.marker_pub, self.overlay_pub):
            if publisher is not None:
                self.destroy_lifecycle_publisher(publisher)
        self.skeleton_pub = self.marker_pub = self.overlay_pub = None
        return TransitionCallbackReturn.SUCCESS

    def on_shutdown(self, state: State) -> TransitionCallbackReturn:
        self._active = False
        return TransitionCallbackReturn.SUCCESS

    def _load_model(self):
        from hupr_ros.model import build_model, CheckpointError, load_official_checkpoint, \
            resolve_weights
        from hupr_ros.model.pretrained import WEIGHTS_DIR
        import torch
        threads = int(self.params.torch_threads) or auto_threads()
        torch.set_num_threads(max(1, threads))
        try:
            torch.set_num_interop_threads(1)      # one inference at a time: no inter-op pool
        except RuntimeError:                      # already set (nodes sharing a process)
            pass
        path, variant = self.params.weights_path, self.params.variant
        filters = int(self.params.num_filters) or None
        try:
            if self.params.allow_random_weights:
                self.get_logger().warning('running with RANDOM weights (allow_random_weights)')
                return build_model(variant, filters).eval()
            resolved = resolve_weights(path)
            model = load_official_checkpoint(resolved, filters, variant)
            if resolved.parent == WEIGHTS_DIR:
                self.get_logger().info(
                    f'shipped model {resolved.stem}: trained on simulated data '
                    f'({model.training_metadata.get("val_metrics", {})})')
            return model
        except (CheckpointError, ValueError) as error:
            raise StartupError(str(error)) from error

    def geometry_mismatch(self, cube, expected=None) -> Optional[str]:
        """None when a cube's axes are ``expected`` (default: the weights' cube), else how not."""
        expected = expected or self.expected_axes
        key = tuple((a.name, int(a.size), a.unit, bytes(memoryview(a.values)))
                    for a in cube.axes) + (expected is self.expected_axes,)
        if key not in self._axes_checked:
            self._axes_checked[key] = axes_mismatch(msg_to_axes(cube), expected)
        return self._axes_checked[key]

    def _pair_accepted(self, msg, kind: str, expected, hint: str = '') -> bool:
        """
        Check a pair message's stamp, then both parts' axes; count, log and refuse bad ones.

        A stamp from before the last one accepted (an upstream restart) resets the window.
        """
        number = msg.horizontal.frame_number
        verdict = self.stamps.check(ns_from_stamp(msg.header.stamp),
                                    self.get_clock().now().nanoseconds)
        if not verdict.accepted:
            self.counts['bad_stamp'] += 1
            report(self, self.errors, verdict.kind, f'{kind} pair {number} skipped: '
                   f'{verdict.reason}', warn=True)
            return False
        for part in (msg.horizontal, msg.vertical):
            mismatch = self.geometry_mismatch(part, expected)
            if mismatch is not None:
                self.counts['wrong_geometry'] += 1
                report(self, self.errors, 'wrong_geometry', f'{kind} pair {number} skipped: '
                       f'{part.orientation} {kind} {mismatch}{hint}')
                return False
        if verdict.restarted:        # the clock went back: an upstream restart
            self.estimator.reset()
            report(self, self.errors, 'stream_restarted', verdict.reason, warn=True)
        return True

    @guarded
    def on_input_pair(self, msg: RadarInputPair) -> None:
        """Add a pair reduced to the network input (the preprocessing node's) to the window."""
        if not self._active:
            return
        self.counts['pairs'] += 1
        arrived = time.monotonic()
        if not self._pair_accepted(msg, 'input', self.expected_input_axes,
                                   " (the preprocessing node's input_doppler must be the "
                                   "model's K)"):
            return
        number = msg.horizontal.frame_number
        try:
            frame = msg_to_frame_input(msg)
        except ConversionError as error:
            self.counts['malformed'] += 1
            report(self, self.errors, 'malformed_pair', f'input pair {number} skipped: {error}')
            return
        self.push_frame(ns_from_stamp(msg.header.stamp), number, frame, arrived, 'input')

    @guarded
    def on_pair(self, msg: RadarCubePair) -> None:
        if not self._active:
            return
        self.counts['pairs'] += 1
        arrived = time.monotonic()
        if not self._pair_accepted(msg, 'cube', self.expected_axes):
            return
        number = msg.horizontal.frame_number
        try:
            hori = msg_to_cube(msg.horizontal)
            vert = msg_to_cube(msg.vertical)
        except ConversionError as error:
            self.counts['malformed'] += 1
            report(self, self.errors, 'malformed_pair', f'cube pair {number} skipped: {error}')
            return
        self.push_cubes(ns_from_stamp(msg.header.stamp), number, hori, vert, arrived)

    def on_raw_pair(self, stamp: int, hori, vert) -> None:
        """Fused mode: a pair of raw frames (msg, frame, config) -> VRDAEMaps -> the window."""
        if not self._active:
            return
        self.counts['pairs'] += 1
        arrived = time.monotonic()
        number = hori[0].frame_number
        config = hori[2]
        mismatch = self._config_checked.get(config)
        if mismatch is None:
            mismatch = self._config_checked[config] = axes_mismatch(
                cube_axes(config), self.expected_axes[:-1]) or ''
        if mismatch:
            self.counts['wrong_geometry'] += 1
            report(self, self.errors, 'wrong_geometry', f'frame pair {number} skipped: '
                   f'its cubes {mismatch}')
            return
        try:
            with self.timer_stats.measure('vrdae_map'):
                cubes = [vrdae_map(frame, cfg) for _, frame, cfg in (hori, vert)]
        except ValueError as error:
            self.counts['malformed'] += 1
            report(self, self.errors, 'malformed_pair', f'frame pair {number} skipped: {error}')
            return
        self.push_cubes(stamp, number, cubes[0], cubes[1], arrived)

    def push_cubes(self, stamp: int, number: int, hori, vert, arrived: float) -> None:
        """Reduce one cube pair to the network input and add it to the window."""
        try:
            with self.timer_stats.measure('input'):
                frame = self.estimator.frame_input(hori, vert)
        except ValueError as error:   # PreprocessingError is a ValueError
            self.counts['malformed'] += 1
            report(self, self.errors, 'malformed_pair', f'cube pair {number} skipped: {error}')
            return
        self.push_frame(stamp, number, frame, arrived, 'cube')

    def push_frame(self, stamp: int, number: int, frame: FrameInput, arrived: float,
                   kind: str) -> None:
        """Add one pair's network input to the window; hand a complete window to the worker."""
        restarts, filled = self.estimator.restarts, self.estimator.filled
        try:
            with self.timer_stats.measure('window'):
                window = self.estimator.push_input(stamp, frame)
        except ValueError as error:   # PreprocessingError is a ValueError
            self.counts['malformed'] += 1
            report(self, self.errors, 'malformed_pair', f'{kind} pair {number} skipped: {error}')
            return
        if self.estimator.restarts != restarts:
            self.counts['restarts'] += 1
            report(self, self.errors, 'stream_gap', f'{self.estimator.last_gap_s:.3f} s since '
                   'the previous pair: the window starts again', warn=True)
        elif self.estimator.filled != filled:
            self.counts['filled'] += self.estimator.filled - filled
            report(self, self.errors, 'pairs_missing', f'{self.estimator.last_gap_s:.3f} s since '
                   'the previous pair: the missing ones filled from it', warn=True)
        self._motion[stamp] = frame.motion
        if window is not None and self._worker.offer(
                window, (arrived, self._motion.get(window.target_stamp_ns))):
            self.counts['windows_dropped'] += 1

    def _infer(self, window, context) -> bool:
        """On the inference thread: run the network on the newest window and publish."""
        arrived, motion = context
        estimator = self.estimator
        if estimator is None:        # cleaned up while the window waited
            return True
        result = estimator.infer(window)
        self.timer_stats.add('inference', result.inference_s)
        if not self._can_publish():
            return False
        self.publish(result, motion)
        self.timer_stats.add('latency', time.monotonic() - arrived)
        self._stamp_latency.append((self.get_clock().now().nanoseconds - result.stamp_ns) / 1e9)
        self.counts['inferences'] += 1
        return True

    def _inference_failed(self, window, error: Exception) -> bool:
        if not self._can_publish():   # shutting down: the context went first
            return False
        self.counts['errors'] += 1
        report(self, self.errors, 'inference_error',
               f'window at {window.target_stamp_ns} ns skipped: {error!r}')
        return True

    def _can_publish(self) -> bool:
        return not self._worker.stopping and self.context.ok()

    def publish(self, result: PoseResult, motion) -> None:
        from hupr_ros.visualization import draw_skeleton, range_azimuth_image
        if not self._active:          # deactivated or cleaned up during the inference
            return
        if not result.present:
            self.counts['nobody'] += 1
            if self._shown:       # the person left: clear their skeleton in RViz now
                self.marker_pub.publish(clear_markers(result.stamp_ns, self.camera_frame))
                self._shown = False
            return
        self._shown = True
        self.skeleton_pub.publish(skeleton_to_msg(
            result.keypoints, result.confidence, stamp_ns=result.stamp_ns,
            frame_id=self.camera_frame, source=Skeleton2D.SOURCE_RADAR_MODEL,
            model_name=self.model_name))
        self.marker_pub.publish(skeleton_markers(
            result.keypoints, result.confidence, result.person_range_m, self.intrinsics,
            stamp_ns=result.stamp_ns, frame_id=self.camera_frame, lifetime_s=self.lifetime))
        if self.overlay_pub.get_subscription_count() and motion is not None:
            overlay = draw_skeleton(range_azimuth_image(motion), result.keypoints,
                                    result.confidence)
            self.overlay_pub.publish(image_to_msg(overlay, stamp_ns=result.stamp_ns,
                                                  frame_id=self.camera_frame))

    def diagnose(self):
        """/diagnostics: rates, latency from the radar stamp, drops, problems since last."""
        delta, seconds = self._changes(self.counts)
        pairs, skeletons = delta['pairs'] / seconds, delta['inferences'] / seconds
        values = {'pairs_per_s': f'{pairs:.2f}', 'skeletons_per_s': f'{skeletons:.2f}',
                  **self.counts}
        p95 = None
        if self._stamp_latency:
            latency = np.array(self._stamp_latency)
            p95 = float(np.percentile(latency, 95))
            values.update(latency_mean_s=f'{latency.mean():.3f}', latency_p95_s=f'{p95:.3f}')
        level, message = Diagnostics.OK, f'{skeletons:.1f} skeletons/s'
        if not self._active:
            level, message = Diagnostics.WARN, 'inactive (lifecycle): not taking pairs'
        elif delta['pairs'] == 0:
            topic = self.pair_topic
            publishers = self.count_publishers(topic)
            level, message = Diagnostics.WARN, (
                f'no pairs on {topic} (is the radar / preprocessing running?)'
                if not publishers else
                f'no pairs on {topic} although {publishers} publisher(s) of it are matched (a '
                'transport fault: see docs/robustness.md)')
        elif delta['inferences'] == 0 and delta.get('nobody', 0):
            message = 'nobody in front of the radars'
        if delta['windows_dropped']:
            level = max(level, Diagnostics.WARN)
            message += f'; {delta["windows_dropped"]} windows dropped (inference slower ' \
                       'than the radar)'
        if delta.get('filled', 0):
            level = max(level, Diagnostics.WARN)
            message += f'; {delta["filled"]} pairs missing, filled from the pair before ' \
                       '(a loaded CPU or a lossy link upstream)'
        if p95 is not None and p95 > 0.5:
            level = max(level, Diagnostics.WARN)
            message += f'; latency p95 {p95:.2f} s'
        return level, message, values

    def log_stats(self) -> None:
        rate = self._logged_rate(self.counts['inferences'])
        self.get_logger().info(f'{rate:.1f} inferences/s; {self.counts}; problems '
                               f'{self.errors.counts or "none"}; mean/max: '
                               f'{self.timer_stats.summary()}')

    def destroy_node(self) -> None:
        if hasattr(self, '_worker'):         # absent when the constructor failed
            self._worker.stop()              # an inference in flight finishes first
        super().destroy_node()


def main(args=None) -> None:
    run_node(PoseNode, args if args is not None else sys.argv)


if __name__ == '__main__':
    main()
