# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
hupr-quantize: the int8 calibration of a checkpoint, measured on a HuPR-layout split.

    hupr-quantize CHECKPOINT DATA [DATA ...] [--cache CACHE] [--split train] [--windows 256]
        [--out FILE]

Runs the model over --windows windows spread evenly through the split and records the range
of every activation of its two radar encoders, which is what ``precision:=int8`` (the pose
node) and ``hupr-eval --precision int8`` need (hupr_ros.model.quantize). Writes
CHECKPOINT's NAME.int8.json beside it (or --out), with the SHA-256 of the weights: a file
made for other weights is refused. Calibrate on the data the model will see (the training
split of its own data); then measure the accuracy with ``hupr-eval CHECKPOINT DATA --split
test --precision int8`` before relying on it. A model trained on several sets (``also_train``)
is calibrated on all of them: give each data root; the windows are spread evenly over their
splits taken together (each root's cache is ROOT_cache).
"""

import argparse
import logging
import pathlib
from typing import Optional, Sequence

_LOG = logging.getLogger('hupr-quantize')


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='hupr-quantize',
                                     description=__doc__.strip().split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.strip().split('\n', 1)[1])
    parser.add_argument('checkpoint', help='a .pth file or the name of a shipped model')
    parser.add_argument('data', type=pathlib.Path, nargs='+',
                        help='data root(s) (HuPR layout)')
    parser.add_argument('--cache', type=pathlib.Path,
                        help='hupr-preprocess output for DATA (default: DATA_cache; one DATA '
                        'only)')
    parser.add_argument('--cache-kind', choices=('input', 'cube'), default='input')
    parser.add_argument('--split', choices=('train', 'val', 'test'), default='train')
    parser.add_argument('--windows', type=int, default=256,
                        help='windows spread evenly through the split (default: 256)')
    parser.add_argument('--out', type=pathlib.Path,
                        help='calibration file (default: NAME.int8.json beside CHECKPOINT)')
    args = parser.parse_args(argv)
    if args.windows < 1:
        parser.error('--windows must be at least 1')
    if args.cache is not None and len(args.data) > 1:
        parser.error('--cache names the cache of one DATA; with several, each is DATA_cache')
    logging.basicConfig(level=logging.INFO, format='%(name)s: %(message)s')
    from hupr_ros.data.dataset import DatasetError, HuPRDataset
    from hupr_ros.dsp import VRDAEConfig
    from hupr_ros.model import CheckpointError, load_official_checkpoint, resolve_weights
    from hupr_ros.model.quantize import calibrate, CalibrationError, int8_problem, \
        write_calibration
    from hupr_ros.training.sampling import even_subset
    import torch
    problem = int8_problem()
    if problem:
        _LOG.error('%s', problem)
        return 2
    path = resolve_weights(args.checkpoint)
    try:
        model = load_official_checkpoint(path)
        config = VRDAEConfig(num_input_doppler=model.config.num_doppler,
                             representation=model.training_metadata.get('representation',
                                                                        'vrdaemap'))
        sets = [HuPRDataset(root, args.cache or root.with_name(root.name + '_cache'),
                            args.split, alignment=model.alignment,
                            num_frames=model.config.num_frames, config=config,
                            cache_kind=args.cache_kind) for root in args.data]
        dataset = sets[0] if len(sets) == 1 else torch.utils.data.ConcatDataset(sets)
    except (CheckpointError, DatasetError, KeyError) as error:
        _LOG.error('%s', error)
        return 2
    picks = even_subset(dataset, args.windows)
    data = ' + '.join(map(str, args.data))

    def windows():
        for sample in picks:
            yield torch.as_tensor(sample['hori'])[None], torch.as_tensor(sample['vert'])[None]
    try:
        ranges = calibrate(model, windows())
        out = write_calibration(path, ranges, source=f'{data} {args.split} split, '
                                f'{len(picks)} windows', out=args.out)
    except (CalibrationError, OSError) as error:
        _LOG.error('%s', error)
        return 2
    _LOG.info('%s: %d activation ranges from %d windows of the %s split of %s',
              out, sum(map(len, ranges.values())), len(picks), args.split, data)
    return 0
