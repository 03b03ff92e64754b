# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
hupr-preprocess: HuPR-layout captures -> cached VRDAEMaps on disk (no ROS).

    hupr-preprocess ROOT OUT [--output cube|input] [--dtype complex64|float16] [--workers 2]

What it writes, and how it resumes: :mod:`hupr_ros.data.preprocess` (shown by ``--help``).
"""

import argparse
import logging
import os
import pathlib
import sys
from typing import Optional, Sequence

from hupr_ros.cli import fail, INTERRUPTED, output_dir_problem
from hupr_ros.data import preprocess
from hupr_ros.data.cache import OUTPUTS
from hupr_ros.data.preprocess import DTYPES, find_jobs, frame_count_mismatches, is_done, \
    preprocess_job
from hupr_ros.dsp import VRDAEConfig
from hupr_ros.dsp.config import REPRESENTATIONS
from hupr_ros.jobs import run_jobs

_LOG = logging.getLogger('hupr-preprocess')


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog='hupr-preprocess', description=__doc__.strip().split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=preprocess.__doc__.strip().split('\n', 1)[1])
    parser.add_argument('root', type=pathlib.Path, help='folder holding single_N/ sequences')
    parser.add_argument('out', type=pathlib.Path,
                        help='cache folder (mirrors the layout; created)')
    parser.add_argument('--dtype', choices=DTYPES, default='complex64',
                        help='cube cache only; the training input is always float32')
    parser.add_argument('--output', choices=OUTPUTS, default='cube',
                        help="'cube': VRDAEMaps (exact); 'input': compact training cache")
    parser.add_argument('--representation', choices=REPRESENTATIONS, default='vrdaemap',
                        help="'vrdaemap' (paper) or 'raemap' (no Doppler FFT, K chirp loops)")
    parser.add_argument('--doppler', type=int, default=8,
                        help='K, Doppler bins of the training input (published 8)')
    parser.add_argument('--workers', type=int, default=min(2, os.cpu_count() or 1),
                        help='captures processed in parallel processes (default: %(default)s)')
    parser.add_argument('--sequences', nargs='*',
                        help='only these (e.g. single_1 single_2); default: all')
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(name)s: %(message)s')
    if args.workers < 1:
        parser.error(f'--workers must be >= 1, got {args.workers}')
    try:
        jobs = find_jobs(args.root)
    except FileNotFoundError as error:
        parser.error(str(error))
    if not jobs:
        parser.error(f'no single_*/{{hori,vert}}/adc_data.bin under {args.root}')
    if args.sequences:
        available = sorted({j[0] for j in jobs}, key=lambda n: (len(n), n))
        unknown = [name for name in args.sequences if name not in available]
        if unknown:
            parser.error(f'no such sequence under {args.root}: {" ".join(unknown)} (it has '
                         f'{available[0]} .. {available[-1]}, {len(available)} in all)')
        jobs = [j for j in jobs if j[0] in set(args.sequences)]
    try:
        config = VRDAEConfig(representation=args.representation,
                             num_input_doppler=args.doppler)
    except ValueError as error:
        parser.error(str(error))
    dtype = 'float32' if args.output == 'input' else args.dtype
    todo = [j for j in jobs if not is_done(args.out / j[0] / j[1],
                                           args.root / j[0] / j[1] / 'adc_data.bin',
                                           dtype, config, args.output)]
    _LOG.info('%d captures, %d already done, %d to do', len(jobs), len(jobs) - len(todo),
              len(todo))
    problem = output_dir_problem(args.out)
    if problem:
        return fail('hupr-preprocess', f'cannot write to {args.out}: {problem}')
    from tqdm import tqdm
    work = [(str(args.root), str(args.out), seq, radar, args.dtype, config, args.output)
            for seq, radar in todo]
    failed = []
    try:
        with tqdm(total=len(work), unit='capture', disable=not work) as bar:
            for capture, future in run_jobs(preprocess_job, [(f'{job[2]}/{job[3]}', (job,))
                                            for job in work], args.workers):
                try:
                    name, frames = future.result()
                    bar.set_postfix_str(f'{name}: {frames} frames')
                except (ValueError, OSError) as error:   # one bad capture doesn't stop the rest
                    failed.append(capture)
                    _LOG.error('%s: %s', capture, error)
                bar.update(1)
    except KeyboardInterrupt:
        return fail('hupr-preprocess', f'interrupted; finished captures are kept in {args.out} '
                    '(and unfinished ones resume): run the same command again', INTERRUPTED)
    for line in frame_count_mismatches(args.out, sorted({j[0] for j in jobs}), config,
                                       args.output):
        _LOG.warning('%s', line)
    if failed:
        _LOG.error('%d captures failed: %s (re-run to retry them)', len(failed), failed)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
