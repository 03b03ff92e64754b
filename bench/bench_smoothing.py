# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
One-Euro smoothing of predicted keypoints: jitter on static sequences, lag on moving ones.

Reads the ``predictions.npz`` that ``hupr-eval`` writes (a simulated split: the motion of each
sequence comes from ``DATA/sim_meta.json``), filters every sequence's predictions at 10 Hz with
:class:`hupr_ros.filters.OneEuroFilter` and prints, raw vs smoothed:

- static sequences: jitter (mean frame-to-frame keypoint movement, px) and error vs ground truth;
- moving sequences: error vs ground truth, and the lag the filter adds, measured on the
  ground-truth trajectories themselves (the shift, in ms, that best aligns the filtered
  trajectory with the original; meaningless, so not shown, where the person stands still).

    python bench/bench_smoothing.py EVAL_DIR/predictions.npz DATA [--min-cutoff 1.0 --beta 0.05]
"""

import argparse
import json
import pathlib

from hupr_ros.filters import OneEuroFilter
import numpy as np

RATE_HZ = 10.0


def smooth(sequence: np.ndarray, min_cutoff: float, beta: float) -> np.ndarray:
    f = OneEuroFilter(min_cutoff, beta)
    return np.stack([f(k, i / RATE_HZ) for i, k in enumerate(sequence)])


def lag_ms(original: np.ndarray, filtered: np.ndarray) -> float:
    """Delay (ms) that best maps ``original`` onto ``filtered`` (linear interpolation)."""
    t = np.arange(len(original)) / RATE_HZ
    best, best_err = 0.0, np.inf
    for delay in np.arange(0.0, 0.5, 0.005):
        shifted = np.stack([np.interp(t - delay, t, original[:, j, c])
                            for j in range(original.shape[1]) for c in range(2)], -1)
        err = np.abs(shifted - filtered.reshape(len(t), -1))[10:].mean()
        if err < best_err:
            best, best_err = delay, err
    return 1e3 * best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('predictions', type=pathlib.Path)
    parser.add_argument('data', type=pathlib.Path)
    parser.add_argument('--min-cutoff', type=float, default=1.0)
    parser.add_argument('--beta', type=float, default=0.05)
    args = parser.parse_args()
    p = np.load(args.predictions)
    meta = json.loads((args.data / 'sim_meta.json').read_text())
    kinds = {s['sequence']: s['motion']['kind'] for s in meta['sequences']}
    rows = {'static': [], 'moving': []}
    for number in np.unique(p['sequence']):
        order = np.flatnonzero(p['sequence'] == number)
        order = order[np.argsort(p['frame'][order])]
        raw, truth = p['pred'][order], p['keypoints'][order]
        filtered = smooth(raw, args.min_cutoff, args.beta)
        group = 'static' if kinds[int(number)] == 'static' else 'moving'
        rows[group].append({
            'jitter_raw': np.linalg.norm(np.diff(raw, axis=0), axis=-1).mean(),
            'jitter_smooth': np.linalg.norm(np.diff(filtered, axis=0), axis=-1).mean(),
            'error_raw': np.linalg.norm(raw - truth, axis=-1).mean(),
            'error_smooth': np.linalg.norm(filtered - truth, axis=-1).mean(),
            'lag_ms': lag_ms(truth, smooth(truth, args.min_cutoff, args.beta))})
    print(f'One-Euro min_cutoff {args.min_cutoff} Hz, beta {args.beta}; {args.predictions}')
    print('| sequences | n | jitter raw px/frame | smoothed | error raw px | smoothed | '
          'added lag ms (on ground truth) |')
    print('| --- | --- | --- | --- | --- | --- | --- |')
    for group, entries in rows.items():
        if not entries:
            continue
        mean = {k: float(np.mean([e[k] for e in entries])) for k in entries[0]}
        less = 100 * (1 - mean['jitter_smooth'] / mean['jitter_raw'])
        print(f'| {group} | {len(entries)} | {mean["jitter_raw"]:.2f} | '
              f'{mean["jitter_smooth"]:.2f} ({less:.0f}% less) | '
              f'{mean["error_raw"]:.1f} | {mean["error_smooth"]:.1f} | '
              f'{"-" if group == "static" else round(mean["lag_ms"])} |')


if __name__ == '__main__':
    main()
