# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
hupr-demo: run the node graph on the simulator and write results a person can look at.

Starts ``sim_node``, ``preprocess_node`` and ``pose_node`` (the shipped model unless
``--weights`` names another; none with ``--no-pose``) as separate processes, exactly as the
launch file does, records their topics for ``--seconds``, then writes to ``--out`` (default
``out/demo``):

- ``demo.gif``: per frame, the camera image with the ground-truth skeleton (green) and the
  predicted one (coloured by confidence) | the horizontal radar's range-azimuth map | the
  vertical radar's range-elevation map;
- ``demo.png``: four of those frames stacked, for a quick look;
- ``rates.json``: achieved rates, latencies (radar frame stamp to skeleton received) and the
  live accuracy (OKS AP of the received skeletons against the simulator's ground truth), also
  printed.

Traffic stays on this machine (ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST, a random domain).
"""

import argparse
import json
import os
import pathlib
import random
import signal
import subprocess
import sys
import time
from typing import Dict, List, Optional, Sequence

import numpy as np


def panel(camera: np.ndarray, truth: Optional[np.ndarray], cube_pair, predicted=None
          ) -> np.ndarray:
    """Return the sensor panel of one recorded frame (see hupr_ros.visualization.sensor_panel)."""
    from hupr_ros.messages.ros import msg_to_cube
    from hupr_ros.visualization import sensor_panel
    return sensor_panel(camera, msg_to_cube(cube_pair.horizontal),
                        msg_to_cube(cube_pair.vertical), truth, predicted)


def run(seconds: float, out: pathlib.Path, weights: Optional[str] = '', seed: int = 0,
        motion: str = 'wave_both', pose_args: Sequence[str] = (),
        subject: int = 5) -> Dict[str, float]:
    """Run the graph; ``weights``: '' = the shipped default model, None = no pose node."""
    os.environ.setdefault('ROS_DOMAIN_ID', str(random.randint(20, 99)))
    os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
    from hupr_ros.nodes.environment import apply_process_defaults
    apply_process_defaults()     # the large-data transport before rclpy starts DDS
    import rclpy
    from hupr_msgs.msg import RadarCubePair, Skeleton2D
    from rclpy.executors import SingleThreadedExecutor
    from rclpy.node import Node
    from sensor_msgs.msg import Image

    from hupr_ros import topics
    from hupr_ros.messages.ros import msg_to_image, msg_to_skeleton, ns_from_stamp
    from hupr_ros.nodes.qos import RESULT_QOS, SENSOR_QOS

    python = sys.executable
    commands = [[python, '-m', 'hupr_ros.nodes', 'sim_node', '--ros-args', '-p', f'seed:={seed}',
                 '-p', f'motion:={motion}', '-p', f'subject:={subject}'],
                [python, '-m', 'hupr_ros.nodes', 'preprocess_node']]
    if weights is not None:      # '' = the node's default (the shipped model)
        params = ([f'weights_path:={weights}'] if weights else []) + list(pose_args)
        commands.append([python, '-m', 'hupr_ros.nodes', 'pose_node', '--ros-args'] +
                        [a for param in params for a in ('-p', param)])
    out.mkdir(parents=True, exist_ok=True)
    logs = [open(out / f'{pathlib.Path(c[2]).suffix.lstrip(".")}.log', 'w') for c in commands]
    processes = [subprocess.Popen(c, stdout=log, stderr=subprocess.STDOUT)
                 for c, log in zip(commands, logs)]
    rclpy.init()
    node = Node('hupr_demo_recorder')
    images, truths, pairs, poses, latencies, pose_latencies = {}, {}, {}, {}, [], []

    def on_pair(msg: RadarCubePair) -> None:
        stamp = ns_from_stamp(msg.header.stamp)
        latencies.append(time.time() - stamp / 1e9)
        pairs[stamp] = msg
    node.create_subscription(Image, topics.CAMERA_IMAGE,
                             lambda m: images.__setitem__(ns_from_stamp(m.header.stamp),
                                                          msg_to_image(m)), SENSOR_QOS)
    node.create_subscription(Skeleton2D, topics.SIM_GROUND_TRUTH,
                             lambda m: truths.__setitem__(ns_from_stamp(m.header.stamp),
                                                          msg_to_skeleton(m)[0]), RESULT_QOS)

    def on_pose(msg: Skeleton2D) -> None:
        stamp = ns_from_stamp(msg.header.stamp)
        pose_latencies.append(time.time() - stamp / 1e9)
        poses[stamp] = msg_to_skeleton(msg)
    node.create_subscription(Skeleton2D, topics.POSE_SKELETON, on_pose, RESULT_QOS)
    node.create_subscription(RadarCubePair, topics.RADAR_CUBE_PAIR, on_pair, SENSOR_QOS)
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    try:
        first = time.monotonic() + 30.0
        while not pairs and time.monotonic() < first:      # wait for the graph to come up
            executor.spin_once(timeout_sec=0.1)
            if any(p.poll() is not None for p in processes):
                raise RuntimeError('a node exited early; see the logs in ' + str(out))
        if not pairs:
            raise RuntimeError('no cube pair within 30 s; see the logs in ' + str(out))
        if weights is not None:            # the model loads after the graph is up
            ready = time.monotonic() + 60.0
            while not poses and time.monotonic() < ready:
                executor.spin_once(timeout_sec=0.1)
                if any(p.poll() is not None for p in processes):
                    raise RuntimeError('a node exited early; see the logs in ' + str(out))
        start, count0 = time.monotonic(), (len(images), len(pairs), len(poses))
        del pose_latencies[:]
        while time.monotonic() - start < seconds:
            executor.spin_once(timeout_sec=0.05)
        elapsed = time.monotonic() - start
    finally:
        for p in processes:
            p.send_signal(signal.SIGINT)
        for p in processes:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        node.destroy_node()
        rclpy.try_shutdown()
        for log in logs:
            log.close()
    rates = {
        'seconds': round(elapsed, 1),
        'camera_frames_per_s': round((len(images) - count0[0]) / elapsed, 2),
        'cube_pairs_per_s': round((len(pairs) - count0[1]) / elapsed, 2),
        'pair_latency_ms_mean': round(1e3 * float(np.mean(latencies)), 1),
        'pair_latency_ms_p95': round(1e3 * float(np.percentile(latencies, 95)), 1),
        'skeletons_per_s': round((len(poses) - count0[2]) / elapsed, 2)
        if weights is not None else None,
    }
    if pose_latencies:
        rates['skeleton_latency_ms_mean'] = round(1e3 * float(np.mean(pose_latencies)), 1)
        rates['skeleton_latency_ms_p95'] = round(1e3 * float(np.percentile(pose_latencies,
                                                                           95)), 1)
    rates.update(live_accuracy(poses, truths))
    frames: List[np.ndarray] = []
    with_pose: List[int] = []      # frames that carry a predicted skeleton
    for stamp in sorted(pairs):
        if stamp in images:
            if stamp in poses:
                with_pose.append(len(frames))
            frames.append(panel(images[stamp], truths.get(stamp), pairs[stamp],
                                poses.get(stamp)))
    if not frames:
        raise RuntimeError('no camera frame matched a cube pair')
    from PIL import Image as PILImage
    gif = [PILImage.fromarray(f) for f in frames[-150:]]
    gif[0].save(out / 'demo.gif', save_all=True, append_images=gif[1:], duration=100, loop=0)
    # The still shows frames with a skeleton where there are any (the first frames of a run
    # come before the model is ready, the last ones' skeletons after the recording stopped).
    candidates = with_pose or list(range(len(frames)))
    picks = [candidates[i] for i in np.linspace(0, len(candidates) - 1,
                                                min(4, len(candidates))).astype(int)]
    PILImage.fromarray(np.concatenate([frames[i] for i in picks], axis=0)).save(
        out / 'demo.png')
    rates['frames_written'] = len(frames)
    (out / 'rates.json').write_text(json.dumps(rates, indent=1))
    return rates


def live_accuracy(poses: dict, truths: dict) -> Dict[str, float]:
    """
    Score the received skeletons against the ground truth.

    OKS AP, AP50 and mean pixel error of the received skeletons against the ground truth of
    the same frames (box: the ground-truth keypoints' extent, as the simulator labels it).
    """
    from hupr_ros.metrics import evaluate_poses
    stamps = sorted(set(poses) & set(truths))
    if not stamps:
        return {'skeletons_without_person': len(poses)}
    pred = np.stack([poses[s][0] for s in stamps])
    gt = np.stack([truths[s] for s in stamps])
    boxes = np.concatenate([gt.min(axis=1), gt.max(axis=1)], axis=1)
    metrics = evaluate_poses(pred, gt, boxes, per_joint=False)
    return {'skeletons_without_person': len(set(poses) - set(truths)),
            'live_frames_scored': len(stamps), 'live_ap': round(metrics.ap, 1),
            'live_ap50': round(metrics.ap50, 1),
            'live_mean_error_px': round(metrics.mean_error_px, 1)}


def body_note(weights: str, seed: int, subject: int) -> str:
    """One line saying whether the simulated body was one the model was trained on."""
    from hupr_ros.model import resolve_weights
    from hupr_ros.model.checkpoint import read_checkpoint, training_metadata
    from hupr_ros.sim.dataset import trained_on_body
    path = resolve_weights(weights)     # the metadata only: the pose node builds the model
    command = training_metadata(read_checkpoint(path)).get('data_command', '')
    seen = trained_on_body(command, seed, subject)
    body = f'simulated body: subject {subject} of seed {seed}'
    if seen is None:
        return f'{body}; {path.name} does not record the data it was trained on'
    return f'{body}, {"one of" if seen else "never among"} the bodies {path.stem} was ' \
        'trained on'


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='hupr-demo', description=__doc__.strip().split('\n')[0])
    parser.add_argument('--seconds', type=float, default=15.0)
    parser.add_argument('--out', type=pathlib.Path, default=pathlib.Path('out/demo'))
    parser.add_argument('--weights', default='',
                        help='checkpoint file or shipped model name for the pose node '
                             '(default: the shipped default model)')
    parser.add_argument('--no-pose', action='store_true', help='do not run the pose node')
    parser.add_argument('--pose-param', action='append', default=[], metavar='NAME:=VALUE',
                        help='extra pose node parameter, e.g. smoothing:=true (repeatable)')
    parser.add_argument('--motion', default='wave_both')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--subject', type=int, default=5,
                        help='simulated subject 0..5 of --seed (the shipped models never saw '
                             'any body of seed 0 in training)')
    args = parser.parse_args(argv)
    from hupr_ros.model import PRETRAINED, resolve_weights
    if args.weights and not resolve_weights(args.weights).is_file():
        parser.error(f'--weights: no such file or shipped model {args.weights} '
                     f'(shipped: {sorted(PRETRAINED)})')
    body = body_note(args.weights, args.seed, args.subject) if not args.no_pose else ''
    rates = run(args.seconds, args.out, None if args.no_pose else args.weights, args.seed,
                args.motion, args.pose_param, args.subject)
    print(json.dumps(rates, indent=1))
    if body:
        print(body)
    print(f'wrote {args.out / "demo.gif"}, {args.out / "demo.png"}, {args.out / "rates.json"}')
    if 'live_ap' in rates:
        print(f'live accuracy against the simulator: AP {rates["live_ap"]}, '
              f'{rates["live_mean_error_px"]} px mean joint error over '
              f'{rates["live_frames_scored"]} frames; skeleton latency '
              f'{rates.get("skeleton_latency_ms_mean")} ms mean')
    return 0


if __name__ == '__main__':
    sys.exit(main())
