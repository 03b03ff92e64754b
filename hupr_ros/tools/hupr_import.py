# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
hupr-import: the public HuPR layout <-> rosbag2 bags, bit-exact both ways, and live replay.

    hupr-import to-bags ROOT OUT [--sequences single_1 ...]   # one bag per sequence: OUT/single_N
    hupr-import to-layout BAGS OUT                            # back to the HuPR layout
    hupr-import play ROOT --sequence single_3 [--rate 1 --loop]   # live on the hardware topics
    hupr-import from-recordings BAG... OUT [--val BAG ...] [--test BAG ...]  # for training

What the layout and the bags hold: :mod:`hupr_ros.data.convert` (shown by ``--help``).
ROS-free except ``play``.
"""

import argparse
import pathlib
import sys
import tempfile
from typing import Optional, Sequence

from hupr_ros.bags import BagError
from hupr_ros.cli import fail
from hupr_ros.data import convert
from hupr_ros.data.convert import ConversionError, LABEL_TOPICS, recordings_to_layout, to_bags, \
    to_layout
from hupr_ros.data.layout import DatasetError
from hupr_ros.pairing import PAIR_TOLERANCE_S


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='hupr-import',
                                     description=__doc__.strip().split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=convert.__doc__.strip().split('\n', 1)[1])
    sub = parser.add_subparsers(dest='command', required=True)
    a = sub.add_parser('to-bags', help='HuPR layout -> one bag per sequence')
    a.add_argument('root', type=pathlib.Path)
    a.add_argument('out', type=pathlib.Path)
    a.add_argument('--sequences', nargs='+', help='single_N names (default: all)')
    a.add_argument('--storage', choices=('mcap', 'sqlite3'), default='mcap')
    a.add_argument('--start-ns', type=int, default=1_700_000_000_000_000_000,
                   help='stamp of frame 0 (ns since the epoch)')
    a.add_argument('--frame-rate', type=float, default=10.0)
    b = sub.add_parser('to-layout', help='hupr-import bags -> HuPR layout')
    b.add_argument('bags', type=pathlib.Path)
    b.add_argument('out', type=pathlib.Path)
    r = sub.add_parser('from-recordings',
                       help='hupr-record bags (radars + labels) -> HuPR layout for training')
    r.add_argument('bags', type=pathlib.Path, nargs='+')
    r.add_argument('out', type=pathlib.Path)
    r.add_argument('--val', nargs='*', default=[], help='bag folder names for validation')
    r.add_argument('--test', nargs='*', default=[], help='bag folder names for testing')
    r.add_argument('--label-topic', default='',
                   help=f'default: the first of {LABEL_TOPICS} found')
    r.add_argument('--tolerance-s', type=float, default=PAIR_TOLERANCE_S)
    c = sub.add_parser('play', help='replay one sequence live on the hardware topics')
    c.add_argument('root', type=pathlib.Path)
    c.add_argument('--sequence', required=True)
    c.add_argument('--rate', type=float, default=1.0)
    c.add_argument('--loop', action='store_true')
    args = parser.parse_args(argv)
    try:
        if args.command == 'to-bags':
            if not args.frame_rate > 0 or args.start_ns < 0:
                return fail(parser.prog, '--frame-rate must be > 0 and --start-ns >= 0')
            bags = to_bags(args.root, args.out, args.sequences, args.start_ns,
                           args.frame_rate, args.storage)
            print(f'wrote {len(bags)} bags under {args.out}')
        elif args.command == 'from-recordings':
            written = recordings_to_layout(args.bags, args.out,
                                           {'val': args.val, 'test': args.test},
                                           args.label_topic, args.tolerance_s)
            print(f'wrote {args.out}: ' + ', '.join(f'{k} {v}' for k, v in written.items()))
        elif args.command == 'to-layout':
            names = to_layout(args.bags, args.out)
            print(f'wrote {len(names)} sequences under {args.out}')
        else:
            from hupr_ros.nodes.environment import apply_process_defaults
            apply_process_defaults()        # before rclpy: the large-data transport
            from hupr_ros.nodes.bag_tools import play_main
            with tempfile.TemporaryDirectory() as tmp:
                to_bags(args.root, pathlib.Path(tmp), [args.sequence])
                return play_main([str(pathlib.Path(tmp) / args.sequence), '--restamp',
                                  '--rate', str(args.rate)] + (['--loop'] if args.loop else []))
    except (ConversionError, BagError, DatasetError, OSError) as error:
        return fail(parser.prog, str(error))
    return 0


if __name__ == '__main__':
    sys.exit(main())
