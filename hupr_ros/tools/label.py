# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
hupr-label: label recordings offline, and measure a labeller against the simulator.

    hupr-label bag IN OUT --backend hrnet --weights W.pth   # IN's radars + camera -> OUT
    hupr-label score --backend blazepose [--sequences 6 --frames 60]

``bag`` reads a recording with both radars and the camera (raw ``Image`` or JPEG
``CompressedImage``) and writes a new bag with the radar frames and images as they were and a
``labels/skeleton`` label per image (``ground_truth``: the recording's ``sim/ground_truth``).
``score`` renders simulated camera frames, labels them and prints the OKS AP (overall and per
joint) and pixel errors against the simulator's exact joints, with the labelling speed.
ROS-free.
"""

import argparse
import json
import os
import pathlib
import sys
from typing import Optional, Sequence

from hupr_ros.bags import BagError
from hupr_ros.cli import fail
from hupr_ros.labeller.backends import BACKENDS, LabellerError, make_labeller
from hupr_ros.labeller.offline import label_bag, score

PROG = 'hupr-label'


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.strip().split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.strip().split('\n', 1)[1])
    sub = parser.add_subparsers(dest='command', required=True)
    b = sub.add_parser('bag', help='label a recording into a new bag')
    b.add_argument('source', type=pathlib.Path)
    b.add_argument('out', type=pathlib.Path)
    b.add_argument('--jpeg-quality', type=int, default=0,
                   help='store images as JPEG CompressedImage (1-100; 0: raw Image)')
    s = sub.add_parser('score', help='label simulated frames and score against the truth')
    s.add_argument('--sequences', type=int, default=6)
    s.add_argument('--frames', type=int, default=40, help='frames per sequence')
    s.add_argument('--json', type=pathlib.Path, help='also write the figures here')
    s.add_argument('--sheet', type=pathlib.Path,
                   help='also write a contact sheet (labels red, truth green) here (PNG)')
    for p in (b, s):
        p.add_argument('--backend', choices=BACKENDS if p is b else BACKENDS[1:],
                       default='hrnet')
        p.add_argument('--weights', default='', help='hrnet: HRNet-W32 checkpoint')
        p.add_argument('--device', default='cpu')
        p.add_argument('--flip-test', action='store_true')
        p.add_argument('--blazepose-python', default='',
                       help='a Python with mediapipe 0.10.21 (default: this one, or '
                            '$HUPR_BLAZEPOSE_PYTHON)')
    args = parser.parse_args(argv)
    labeller = None
    try:
        if args.backend != 'ground_truth':
            labeller = make_labeller(args.backend, args.weights, args.device, args.flip_test,
                                     args.blazepose_python)
        if args.command == 'bag':
            counts = label_bag(args.source, args.out, labeller, args.jpeg_quality)
            print(f'{PROG}: {args.out}: ' + ', '.join(f'{k} {v}' for k, v in counts.items()))
            return 0
        if labeller is None:
            return fail(PROG, 'score needs an image labeller')
        figures = score(labeller, args.sequences, args.frames, args.sheet)
    except (LabellerError, BagError, ValueError) as error:
        return fail(PROG, str(error))
    finally:
        if labeller is not None and args.command == 'score':
            labeller.close()
    print(f'{args.backend} on {figures["frames"]} simulated frames ({figures["no_person"]} '
          f'without a detection): AP {figures["ap"]:.1f}, AP50 {figures["ap50"]:.1f}, '
          f'mean error {figures["mean_error_px"]:.1f} px, '
          f'{figures["frames_per_s"]:.1f} frames/s ({os.cpu_count()} CPUs)')
    print('per joint AP: ' + ', '.join(f'{k} {v:.1f}' for k, v in figures['joint_ap'].items()))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == '__main__':
    sys.exit(main())
