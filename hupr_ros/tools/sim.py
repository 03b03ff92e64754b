# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
hupr-sim: write a HuPR-Sim dataset in the public HuPR on-disk layout (no ROS).

    hupr-sim OUT [--plan generative|classic] [--sequences 6] [--frames 100] [--seed 0] [--bags]

What it writes and the two plans: :mod:`hupr_ros.sim.dataset` (shown by ``--help``).
"""

import argparse
import math
import os
import pathlib
import sys
from typing import Optional, Sequence

from hupr_ros.cli import fail, INTERRUPTED, output_dir_problem
from hupr_ros.sim import dataset
from hupr_ros.sim.body import select_parts
from hupr_ros.sim.dataset import DatasetExists, PLANS, write_dataset
from hupr_ros.sim.scene import SimConfig


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='hupr-sim', description=__doc__.strip().split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=dataset.__doc__.strip().split('\n', 1)[1])
    parser.add_argument('out', type=pathlib.Path,
                        help='output folder (created); the dataset root for hupr-preprocess')
    parser.add_argument('--plan', choices=PLANS, default='generative',
                        help='generative: a new body and a generated motion per sequence; '
                             'classic: six subjects and four scripted motions '
                             '(default: %(default)s)')
    parser.add_argument('--sequences', type=int, default=6,
                        help='number of sequences; classic plan: every sixth is the held-out '
                             'test subject (default: %(default)s)')
    parser.add_argument('--frames', type=int, default=100,
                        help='frames per sequence, at 10 Hz (default: %(default)s)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the whole plan: bodies, motions, positions, noise '
                             '(default: %(default)s)')
    parser.add_argument('--brightness', type=float, default=1.0,
                        help='camera image brightness factor, > 0 (default: %(default)s)')
    parser.add_argument('--parts', nargs='+', default=[], metavar='PART',
                        help='diagnostics: only these body parts reflect on the radars (names, '
                             'or the groups arms, legs, trunk); labels and camera stay the '
                             'whole body (default: all)')
    parser.add_argument('--workers', type=int, default=min(2, os.cpu_count() or 1),
                        help='sequences simulated in parallel processes (default: %(default)s)')
    parser.add_argument('--bags', action='store_true',
                        help='also write a rosbag2 (mcap) bag per sequence under OUT/bags/')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace a dataset made in OUT with other parameters')
    args = parser.parse_args(argv)
    for name in ('sequences', 'frames', 'workers'):
        if getattr(args, name) < 1:
            parser.error(f'--{name} must be >= 1, got {getattr(args, name)}')
    if not (math.isfinite(args.brightness) and args.brightness > 0):
        parser.error(f'--brightness must be a number > 0, got {args.brightness}')
    try:
        select_parts(args.parts)
    except ValueError as error:
        parser.error(str(error))
    problem = output_dir_problem(args.out)
    if problem:
        return fail('hupr-sim', f'cannot write to {args.out}: {problem}')
    try:
        splits = write_dataset(args.out, args.sequences, args.frames, args.seed,
                               SimConfig(brightness=args.brightness,
                                         body_parts=tuple(args.parts)), args.workers,
                               bags=args.bags, overwrite=args.overwrite, plan_kind=args.plan)
    except DatasetExists as error:
        return fail('hupr-sim', str(error))
    except KeyboardInterrupt:
        done = sum(1 for _ in args.out.glob('single_*/sim_done.json'))
        return fail('hupr-sim', f'interrupted: {done} of {args.sequences} sequences complete in '
                    f'{args.out}; run the same command again to finish', INTERRUPTED)
    except OSError as error:
        return fail('hupr-sim', f'cannot write {error.filename or args.out}: '
                    f'{error.strerror or error}', 1)
    print(f'wrote {args.out}: ' + ', '.join(f'{k} {v}' for k, v in splits.items()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
