# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Where the preprocessing and pose nodes spend their CPU, stage by stage, per frame pair.

    python bench/bench_node_costs.py [--repeat 20] [--threads 1] [--weights PATH]

Runs each node's per-pair work in this process, on simulated frames, with the functions the
nodes call: taking a message off DDS (deserialising the bytes the subscriber receives),
converting it, the DSP, building the window, the model, and publishing (serialising what the
publisher sends). Each stage is timed in CPU milliseconds (this process's clock, median of
``--repeat``) and as a ratio to the model's own time measured in the same run, so the figures
compare across machines. Where a stage has a cheaper implementation, the previous one is timed
beside it, alternated in the same loop.

Needs the ROS 2 Python packages (message classes and serialisation); no DDS traffic.
"""

import argparse
import resource
import statistics
import time
from typing import Callable, Dict, List, Tuple

import numpy as np


def cpu_ms(stages: Dict[str, Callable[[], object]], repeat: int
           ) -> Dict[str, Tuple[float, float]]:
    """Median CPU ms and page faults per call of each stage, stages alternated in every round."""
    for fn in stages.values():          # warm-up
        fn()
    samples: Dict[str, List[Tuple[float, int]]] = {name: [] for name in stages}
    for _ in range(repeat):
        for name, fn in stages.items():
            start, faults = time.process_time(), minor_faults()
            fn()
            samples[name].append((time.process_time() - start, minor_faults() - faults))
    return {name: (1e3 * statistics.median(s for s, _ in v), statistics.median(f for _, f in v))
            for name, v in samples.items()}


def minor_faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().split('\n')[0])
    parser.add_argument('--repeat', type=int, default=20)
    parser.add_argument('--threads', type=int, default=1,
                        help='torch threads (the pose node uses 1 on a 2-core machine)')
    parser.add_argument('--weights', default=None, help='default: the shipped model')
    parser.add_argument('--keep-freed-memory', action='store_true',
                        help='as the nodes do (hupr_ros.memory); default: glibc as it starts')
    args = parser.parse_args()
    import torch
    torch.set_num_threads(args.threads)
    from hupr_msgs.msg import RadarCubePair, RadarFrame, Skeleton2D
    from rclpy.serialization import deserialize_message, serialize_message

    from hupr_ros import topics
    from hupr_ros.data.cache import training_input
    from hupr_ros.dsp import cube_axes, model_input, vrdae_map, VRDAEConfig
    from hupr_ros.inference import PoseEstimator
    from hupr_ros.messages.ros import (cube_to_msg, frame_to_msg, make_header, msg_to_cube,
                                       msg_to_frame, skeleton_to_msg)
    from hupr_ros.model.pretrained import load_pretrained
    from hupr_ros.nodes.markers import skeleton_markers
    from hupr_ros.presence import PresenceDetector
    from hupr_ros.mount import default_mount, load_mount
    from hupr_ros.sim.body import Motion, Subject
    from hupr_ros.sim.scene import Simulator

    sim = Simulator(Subject(), Motion(kind='walk_wave'), seed=0)
    chirp = sim.config.chirp
    frames = [sim.frame(i) for i in range(3)]
    raw_msgs = [serialize_message(frame_to_msg(f.hori, chirp, stamp_ns=10 ** 9 + i,
                                               frame_id=topics.FRAME_RADAR_HORI,
                                               frame_number=i, orientation='horizontal'))
                for i, f in enumerate(frames)]
    raw = msg_to_frame(deserialize_message(raw_msgs[0], RadarFrame))
    dsp = VRDAEConfig(chirp=chirp)
    cube = vrdae_map(raw, dsp)
    axes = cube_axes(dsp)

    def pair_msg() -> RadarCubePair:
        out = RadarCubePair(header=make_header(10 ** 9, topics.FRAME_RADAR_HORI))
        out.horizontal, out.vertical = (
            cube_to_msg(cube, axes, stamp_ns=10 ** 9, frame_id=topics.FRAME_RADAR_HORI,
                        frame_number=0, orientation=o, representation=dsp.representation)
            for o in ('horizontal', 'vertical'))
        return out
    pair_bytes = serialize_message(pair_msg())
    pair = deserialize_message(pair_bytes, RadarCubePair)

    model = load_pretrained(args.weights).eval()
    config = VRDAEConfig(num_input_doppler=model.config.num_doppler, chirp=chirp)
    estimator = PoseEstimator(model, 'causal', presence=PresenceDetector())
    stamp = [10 ** 9]

    def push():
        stamp[0] += 100_000_000
        return estimator.push(stamp[0], cube, cube)
    window = None
    while window is None:
        window = push()
    result = estimator.infer(window)
    intrinsics = load_mount(default_mount()).camera_intrinsics

    def publish():
        serialize_message(skeleton_to_msg(result.keypoints, result.confidence,
                                          stamp_ns=result.stamp_ns,
                                          frame_id=topics.FRAME_CAMERA,
                                          source=Skeleton2D.SOURCE_RADAR_MODEL,
                                          model_name='bench'))
        serialize_message(skeleton_markers(result.keypoints, result.confidence, 3.0, intrinsics,
                                           stamp_ns=result.stamp_ns,
                                           frame_id=topics.FRAME_CAMERA))

    stages = {
        # preprocessing node, per pair (two radars)
        'pre: raw frames off DDS (x2)': lambda: [deserialize_message(b, RadarFrame)
                                                 for b in raw_msgs[:2]],
        'pre: VRDAEMap (x2)': lambda: [vrdae_map(raw, dsp) for _ in range(2)],
        'pre: cube pair message': pair_msg,
        'pre: serialise the pair': lambda: serialize_message(pair),
        # pose node, per pair
        'pose: cube pair off DDS': lambda: deserialize_message(pair_bytes, RadarCubePair),
        'pose: message to cubes (x2)': lambda: (msg_to_cube(pair.horizontal),
                                                msg_to_cube(pair.vertical)),
        'pose: network input (x2)': lambda: [training_input(cube, config) for _ in range(2)],
        'pose: network input (x2), previous': lambda: [
            model_input(cube, config).mean(axis=-1, dtype=np.float32) for _ in range(2)],
        'pose: window (push: input, presence, range)': push,
        'pose: model (infer)': lambda: estimator.infer(window),
        'pose: publish skeleton + markers': publish,
    }
    if args.keep_freed_memory:
        from hupr_ros.memory import keep_freed_memory
        keep_freed_memory()
    measured = cpu_ms(stages, args.repeat)
    costs = {name: ms for name, (ms, _) in measured.items()}
    model_cost = costs['pose: model (infer)']
    print(f'$ python bench/bench_node_costs.py --repeat {args.repeat} --threads {args.threads}'
          + (f' --weights {args.weights}' if args.weights else '')
          + (' --keep-freed-memory' if args.keep_freed_memory else ''))
    print(f'torch {torch.__version__}, {args.threads} thread(s), model '
          f'{model.config.variant} F={model.config.num_filters}')
    print('| stage | CPU ms | / model | page faults |\n| --- | ---: | ---: | ---: |')
    for name, (ms, faults) in measured.items():
        print(f'| {name} | {ms:.1f} | {ms / model_cost:.2f} | {faults:.0f} |')
    pose = ['pose: cube pair off DDS', 'pose: message to cubes (x2)',
            'pose: window (push: input, presence, range)', 'pose: model (infer)',
            'pose: publish skeleton + markers']
    pre = [k for k in costs if k.startswith('pre: ')]
    total_pose, total_pre = sum(costs[k] for k in pose), sum(costs[k] for k in pre)
    print(f'pose node per skeleton {total_pose:.1f} ms ({total_pose / model_cost:.2f} x the '
          f'model), preprocessing per pair {total_pre:.1f} ms; together at 10 Hz '
          f'{total_pose + total_pre:.0f}% of one core')


if __name__ == '__main__':
    main()
