# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
hupr-eval: accuracy of a checkpoint on a HuPR-layout split, as the paper reports it.

    hupr-eval CHECKPOINT DATA [--cache CACHE] [--split test [val ...]] [--out DIR]

CHECKPOINT is a .pth file, the name of a shipped model (e.g. realtime_causal_sim), or
``baseline``: the no-radar baseline, which predicts for every frame the mean pose of the training
split placed at the image centre (what a model that ignores the radars can reach). Prints
paper Table 3 style rows (AP, AP50, AP75, per-joint-type AP) plus the mean pixel error,
PCK@0.2 and how often the wrong arm is raised (of the frames with one arm raised), then where
the error lies: the elbows and wrists against a guess from the predicted torso, the rest of the
body as a whole (how far off) and in its shape, and the AP the true body with the median arm
pose scores (what placing the body exactly earns without reading the arms). Writes
to --out (default: eval_<checkpoint>_<split> beside the cache):
metrics.json, joint_ap.png (bar chart), contact_sheet.png (predicted skeletons in red over the
ground truth in green, on the camera frames) and predictions.npz. Several splits are evaluated
with one model load; then --out names a folder per split with ``{split}``, e.g.
``--out runs/a/eval_{split}``.

DATA may also be a labelled recording (a rosbag2 bag from the labeller node or hupr-record)
or a folder of them: each bag is one sequence of --split, prepared under CACHE
(hupr_ros.data.from_bags).
"""

import argparse
import json
import logging
import pathlib
import sys
import time
from typing import Optional, Sequence

from hupr_ros.data.dataset import CACHE_KINDS, DatasetError, HuPRDataset, PHASES
from hupr_ros.dsp import VRDAEConfig
from hupr_ros.model import CheckpointError, load_official_checkpoint, resolve_weights
import numpy as np

_LOG = logging.getLogger('hupr-eval')


BASELINE = 'baseline'


def mean_pose_baseline(root: pathlib.Path, image_size: int = 256) -> np.ndarray:
    """(14, 2): the mean training pose, centred (its joints' mean) on the image centre."""
    from hupr_ros.data.dataset import read_labels
    labels = read_labels(root, 'train')
    if not labels:
        raise DatasetError(f'{root}: no training split to take the mean pose from')
    poses = np.concatenate([seq.keypoints for seq in labels.values()])
    mean = poses.mean(axis=0)
    return mean - mean.mean(axis=0) + image_size / 2


def load_model(checkpoint: str):
    path = resolve_weights(checkpoint)
    return load_official_checkpoint(path), path


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='hupr-eval', description=__doc__.strip().split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.strip().split('\n', 1)[1])
    parser.add_argument('checkpoint')
    parser.add_argument('data', type=pathlib.Path,
                        help='data root (HuPR layout), or a labelled bag or folder of bags '
                             '(all evaluated as --split)')
    parser.add_argument('--cache', type=pathlib.Path,
                        help='hupr-preprocess output for DATA (default: DATA_cache)')
    parser.add_argument('--cache-kind', choices=CACHE_KINDS, default='input')
    parser.add_argument('--split', choices=PHASES, nargs='+', default=['test'])
    parser.add_argument('--alignment', choices=('centered', 'causal'),
                        help="default: the checkpoint's own")
    parser.add_argument('--out', type=pathlib.Path)
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--sheet-frames', type=int, default=18)
    parser.add_argument('--max-frames', type=int, default=0,
                        help='evaluate at most this many frames, spread evenly over the split '
                             '(0: all); a quick look, e.g. at a training split')
    parser.add_argument('--threads', type=int, default=0, help='torch threads (0: default)')
    parser.add_argument('--precision', choices=('fp32', 'bf16', 'int8'), default='fp32',
                        help='inference numerics: fp32 (published), or the opt-in bf16 or int8 '
                             "(the checkpoint's calibration from hupr-quantize)")
    args = parser.parse_args(argv)
    if args.max_frames < 0:
        parser.error('--max-frames must be >= 0')
    if len(args.split) > 1 and args.out is not None and '{split}' not in str(args.out):
        parser.error('--out must contain {split} when several splits are evaluated')
    logging.basicConfig(level=logging.INFO, format='%(name)s: %(message)s')
    import torch
    if args.threads:
        torch.set_num_threads(args.threads)
    cache = args.cache or args.data.with_name(args.data.name + '_cache')
    if args.checkpoint == BASELINE:
        def evaluate(split: str) -> int:
            return evaluate_baseline(args, split, cache)
    else:
        try:
            model, path = load_model(args.checkpoint)      # once, for every split
        except (CheckpointError, KeyError) as error:
            _LOG.error('%s', error)
            return 2
        from hupr_ros.inference import precision_problem
        problem = precision_problem(args.precision, 'cpu', model)
        if problem:
            _LOG.error('%s', problem)
            return 2

        def evaluate(split: str) -> int:
            return evaluate_split(args, split, model, path, cache)
    return 2 if any(evaluate(split) for split in args.split) else 0   # stops at a failure


def _out_dir(args, split: str, default: pathlib.Path) -> pathlib.Path:
    out = pathlib.Path(str(args.out).replace('{split}', split)) if args.out else default
    out.mkdir(parents=True, exist_ok=True)
    return out


def evaluate_split(args, split: str, model, path: pathlib.Path, cache: pathlib.Path) -> int:
    """Evaluate ``model`` on ``split``, print the table and write the report files."""
    from hupr_ros.reports import contact_sheet, joint_ap_chart, load_image
    from hupr_ros.training.evaluate import evaluate_model
    from hupr_ros.training.sampling import even_subset
    from PIL import Image
    from torch.utils.data import Subset
    data = args.data
    try:
        alignment = args.alignment or model.alignment
        config = VRDAEConfig(num_input_doppler=model.config.num_doppler,
                             representation=model.training_metadata.get('representation',
                                                                        'vrdaemap'))
        if not (data / 'splits.json').is_file() and data.is_dir():
            from hupr_ros.data.from_bags import prepare  # refuses a folder without bags
            data, cache = prepare({split: [data]}, cache, config, args.cache_kind)
        dataset = HuPRDataset(data, cache, split, alignment=alignment,
                              num_frames=model.config.num_frames, config=config,
                              cache_kind=args.cache_kind)
    except (DatasetError, KeyError) as error:
        _LOG.error('%s', error)
        return 2
    out = _out_dir(args, split, cache.parent / f'eval_{path.stem}_{split}')
    start = time.perf_counter()
    picked = even_subset(dataset, args.max_frames) if args.max_frames else dataset
    frames = picked.indices if isinstance(picked, Subset) else np.arange(len(dataset))
    metrics, predictions = evaluate_model(model, picked, args.batch_size, progress=True,
                                          precision=args.precision)
    seconds = time.perf_counter() - start
    name = f'{path.stem} ({alignment}' + (f', {args.precision})' if args.precision != 'fp32'
                                          else ')')
    spread = f' (of {len(dataset)}, spread evenly)' if len(frames) < len(dataset) else ''
    print(f'{split} split of {data}: {metrics.frames} frames{spread}, {seconds:.1f} s\n')
    print(metrics.table_rows(name))
    print_breakdown(metrics)
    report = {'checkpoint': str(path), 'data': str(data), 'split': split,
              'alignment': alignment, 'seconds': round(seconds, 2),
              'split_frames': len(dataset), **metrics.as_dict()}
    (out / 'metrics.json').write_text(json.dumps(report, indent=1))
    Image.fromarray(joint_ap_chart(metrics.joint_ap, f'{name}: per-joint AP, {split}')
                    ).save(out / 'joint_ap.png')
    picks = np.linspace(0, len(frames) - 1, min(args.sheet_frames, len(frames))).astype(int)
    errors = np.linalg.norm(predictions['pred'] - predictions['keypoints'], axis=-1).mean(-1)
    sheet = contact_sheet([load_image(dataset.image_path(frames[i])) for i in picks],
                          predictions['keypoints'][picks], predictions['pred'][picks],
                          [f'single_{predictions["sequence"][i]} #{predictions["frame"][i]}'
                           f'  {errors[i]:.0f} px' for i in picks])
    Image.fromarray(sheet).save(out / 'contact_sheet.png')
    np.savez_compressed(out / 'predictions.npz', **predictions)
    print(f'\nwrote {out}/metrics.json, joint_ap.png, contact_sheet.png, predictions.npz')
    return 0


def print_breakdown(metrics) -> None:
    """Print per-joint AP, the raised arm, and the arms' and the body's share of the error."""
    print('\nper joint AP: ' + ', '.join(f'{k} {v:.1f}' for k, v in metrics.joint_ap.items()))
    print(f'of the {metrics.one_arm_frames} frames where one arm is raised: that arm raised in '
          f'{100 * metrics.right_arm:.1f}%, the other one in {100 * metrics.wrong_arm:.1f}%')
    blind = np.mean(list(metrics.arm_blind_error_px.values()))
    print(f'elbows and wrists: {blind - metrics.arm_gain_px():.1f} px from the truth; a guess '
          f'from the predicted torso alone {blind:.1f} px (closer than that guess = arms read '
          'from the radar)')
    print(f'the body (all joints but elbows and wrists): {metrics.body_offset_px:.1f} px off as a '
          f'whole, {metrics.body_shape_error_px:.1f} px in its shape once that is taken away')
    print(f'the true body with the median arm pose scores AP {metrics.ap_median_arms:.1f} on '
          'these frames: what placing the body exactly earns without reading the arms')
    print(f'{metrics.frames_in_image} of the {metrics.frames} frames have every true joint '
          'inside the image (a camera-made label holds no other); with the joints outside it '
          f'unlabelled, as COCO scores a joint its annotators could not see: AP '
          f'{metrics.ap_in_image:.1f}')


def evaluate_baseline(args, split: str, cache: pathlib.Path) -> int:
    """Evaluate the no-radar baseline on the chosen split (labels only: no cache or model)."""
    from hupr_ros.data.dataset import read_labels
    from hupr_ros.metrics import evaluate_poses
    try:
        pose = mean_pose_baseline(args.data)
        labels = read_labels(args.data, split)
    except DatasetError as error:
        _LOG.error('%s', error)
        return 2
    gt = np.concatenate([seq.keypoints for seq in labels.values()])
    boxes = np.concatenate([seq.boxes for seq in labels.values()])
    metrics = evaluate_poses(np.broadcast_to(pose, gt.shape), gt, boxes)
    print(f'{split} split of {args.data}: {metrics.frames} frames\n')
    print(metrics.table_rows('no radar: mean training pose at the centre'))
    print_breakdown(metrics)
    out = _out_dir(args, split, cache.parent / f'eval_baseline_{split}')
    (out / 'metrics.json').write_text(json.dumps(
        {'checkpoint': BASELINE, 'data': str(args.data), 'split': split,
         **metrics.as_dict()}, indent=1))
    print(f'\nwrote {out}/metrics.json')
    return 0


if __name__ == '__main__':
    sys.exit(main())
