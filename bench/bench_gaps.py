# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
What missing frames do to accuracy, under each policy the pose node could follow.

    python bench/bench_gaps.py DATA CACHE [--weights NAME] [--split test] [--samples 300]

For held-out windows of a dataset, each frame of the window but the newest (the one that
triggers the inference) is lost with probability p, as on a loaded machine. The window the
network sees is then built four ways:

- ``complete``: no frame lost (the reference);
- ``fill``: each lost frame replaced by the frame before it (the pose node's policy);
- ``present``: the last N frames that did arrive, reaching further back in time;
- ``restart``: the window started again after the last gap, clamped at its start (the node's
  policy before: the frames before the gap replaced by the first one after it).

The same losses for every policy; OKS AP (pycocotools' sigmas) and mean joint error per row.
"""

import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from hupr_ros.data.dataset import HuPRDataset  # noqa: E402
from hupr_ros.metrics import evaluate_poses  # noqa: E402
from hupr_ros.model import decode, load_pretrained  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402


def policy_window(window: np.ndarray, lost: np.ndarray, policy: str,
                  further: np.ndarray) -> np.ndarray:
    """
    Return the (N, ...) frames the network sees.

    ``window``: the complete causal window, oldest first; ``lost``: bool (N,), the newest never
    lost; ``further``: the frames before the window, newest last (for ``present``).
    """
    n = len(window)
    if policy == 'complete' or not lost.any():
        return window
    if policy == 'fill':
        out = window.copy()
        for i in range(n):
            if lost[i]:
                out[i] = out[i - 1] if i > 0 else window[np.flatnonzero(~lost)[0]]
        return out
    if policy == 'present':
        kept = [window[i] for i in range(n) if not lost[i]]
        need = n - len(kept)
        earlier = list(further[len(further) - need:]) if need and len(further) else []
        frames = earlier + kept
        while len(frames) < n:                       # the start of the sequence: clamp
            frames.insert(0, frames[0])
        return np.stack(frames)
    if policy == 'restart':
        start = int(np.flatnonzero(lost).max()) + 1
        out = window.copy()
        out[:start] = window[start]
        return out
    raise ValueError(policy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().split('\n')[0])
    parser.add_argument('data', type=pathlib.Path)
    parser.add_argument('cache', type=pathlib.Path)
    parser.add_argument('--weights', default='realtime_causal_sim')
    parser.add_argument('--split', default='test')
    parser.add_argument('--samples', type=int, default=300)
    parser.add_argument('--loss', type=float, nargs='+', default=[0.2, 0.4])
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    model = load_pretrained(args.weights)
    n = model.config.num_frames
    data = HuPRDataset(args.data, args.cache, args.split, alignment='causal', num_frames=n)
    rng = np.random.default_rng(args.seed)
    items = rng.choice(len(data), size=min(args.samples, len(data)), replace=False)
    policies = ('complete', 'fill', 'present', 'restart')
    rows = {}
    gt, boxes = [], []
    for item in items:
        sample = data[int(item)]
        gt.append(sample['keypoints'].numpy())
        boxes.append(sample['box'].numpy())
    for p in args.loss:
        losses = rng.random((len(items), n)) < p
        losses[:, -1] = False
        for policy in policies:
            if policy == 'complete' and 'complete' in rows:
                continue
            preds = []
            for k, item in enumerate(items):
                s, t = (int(v) for v in data.index[int(item)])
                frames = data.window(int(item))
                inputs = {}
                for radar in ('hori', 'vert'):
                    series = data.inputs[s][radar]
                    window = np.asarray(series[frames], np.float32)[..., None]
                    first = int(frames[0])
                    further = np.asarray(series[max(0, first - n):first], np.float32)[..., None]
                    inputs[radar] = policy_window(window, losses[k], policy, further)
                with torch.inference_mode():
                    _, refined = model(torch.from_numpy(inputs['hori'])[None],
                                       torch.from_numpy(inputs['vert'])[None])
                preds.append(decode(refined)[0][0].numpy())
            m = evaluate_poses(np.array(preds), np.array(gt), np.array(boxes), per_joint=False)
            key = 'complete' if policy == 'complete' else f'{policy} p={p:g}'
            rows[key] = (m.ap, m.ap50, m.mean_error_px)
            print(f'{key}: AP {m.ap:.1f} AP50 {m.ap50:.1f} error {m.mean_error_px:.1f} px',
                  flush=True)
    print(f'\n{args.weights} on {args.data} {args.split}, {len(items)} causal windows, seed '
          f'{args.seed}; each frame but the newest lost with probability p')
    print('| window | AP | AP50 | mean joint error, px |')
    print('| --- | --- | --- | --- |')
    for key, (ap, ap50, error) in rows.items():
        print(f'| {key} | {ap:.1f} | {ap50:.1f} | {error:.1f} |')


if __name__ == '__main__':
    main()
