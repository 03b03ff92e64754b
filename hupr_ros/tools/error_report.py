# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
hupr-error-report: where a model's body error comes from, over whole sequences (no ROS).

    hupr-error-report EVAL_DIR|predictions.npz [--data SIMSET]

Reads the predictions ``hupr-eval`` wrote and prints the structure of the body's error
(:mod:`hupr_ros.error_structure`): how many true joints lie outside the image (a simulated
label can hold one; a camera-made one cannot) and their error; the body's displacement across
and up split into a fixed error per sequence and what wanders within it; the error against the
truth of earlier and later frames (a lagging prediction is closest to an earlier truth); the
error by how fast the true body and its arms move, and by where it is across the image; and
whether the body's size is read. With ``--data``, the HuPR-Sim set the predictions are of (made
by ``hupr-sim``), also the error in centimetres at the person's distance and each sequence's
error against its simulated settings (receiver noise, how strongly the body reflects, clutter,
distance, height): an error that grows with the noise is the radar's; one that does not is the
model's or the scene's.
"""

import argparse
import json
import pathlib
import sys
from typing import Optional, Sequence

from hupr_ros import error_structure as es
from hupr_ros.metrics import inside_image, pixel_errors
import numpy as np

#: Bins of the true body's speed, px per frame.
BODY_SPEED_BINS = ((0.0, 0.5), (0.5, 2.0), (2.0, 5.0), (5.0, float('inf')))
#: Bins of the arms' speed relative to the body, px per frame (the body still).
ARM_SPEED_BINS = ((0.0, 0.5), (0.5, 2.0), (2.0, 5.0), (5.0, float('inf')))
#: A body moving less than this, px per frame, is still.
STILL = 0.5
#: Bins of where the true body's centre is across the image, px (256 wide).
ACROSS_BINS = ((-float('inf'), 28.0), (28.0, 78.0), (78.0, 128.0), (128.0, 178.0),
               (178.0, 228.0), (228.0, float('inf')))


def load_predictions(path: pathlib.Path) -> dict:
    """Read hupr-eval's predictions.npz (or the folder holding it)."""
    path = path / 'predictions.npz' if path.is_dir() else path
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: give hupr-eval's output folder or its "
                                'predictions.npz')
    with np.load(path) as npz:
        missing = {'pred', 'keypoints', 'sequence', 'frame'} - set(npz.files)
        if missing:
            raise ValueError(f'{path} lacks {sorted(missing)}: not written by hupr-eval')
        return {key: npz[key] for key in ('pred', 'keypoints', 'sequence', 'frame')}


def _bin_label(low: float, high: float) -> str:
    return f'{low:g}-{high:g}' if high < float('inf') else f'>= {low:g}'


def _rms_row(label: str, shift: np.ndarray, chosen: np.ndarray) -> str:
    if not chosen.any():
        return f'| {label} | 0 | - | - |'
    rms = np.sqrt((shift[chosen] ** 2).mean(axis=0))
    return f'| {label} | {int(chosen.sum())} | {rms[0]:.1f} | {rms[1]:.1f} |'


def structure_report(p: dict) -> str:
    """Return the report that needs only the predictions."""
    pred, gt, sequence, frame = p['pred'], p['keypoints'], p['sequence'], p['frame']
    parts = es.displacement_parts(pred, gt, sequence)
    inside = inside_image(gt)
    error = pixel_errors(pred, gt)
    outside = (f'their error {error[~inside].mean():.1f} px, against {error[inside].mean():.1f} '
               'px for the joints inside' if (~inside).any() else 'none')
    lines = [f'{len(pred)} frames of {len(np.unique(sequence))} sequences\n',
             f'true joints outside the image (no camera-made label holds one): '
             f'{100 * (~inside).any(axis=1).mean():.1f}% of frames, '
             f'{100 * (~inside).mean():.1f}% of joints; {outside}\n',
             'the body (centre of the joints other than elbows and wrists), displacement rms '
             'px, across / up:',
             f'  whole {parts.whole[0]:.1f} / {parts.whole[1]:.1f}; a fixed error per sequence '
             f'{parts.per_sequence[0]:.1f} / {parts.per_sequence[1]:.1f}; wandering within the '
             f'sequence {parts.within[0]:.1f} / {parts.within[1]:.1f}\n']
    shifts = es.time_shift_errors(pred, gt, sequence, frame)
    lines += ['against the truth k frames earlier (k < 0: later), body centre rms px:',
              '| k | ' + ' | '.join(str(k) for k in shifts) + ' |',
              '|' + ' --- |' * (len(shifts) + 1),
              '| across | ' + ' | '.join(f'{v[0]:.1f}' for v in shifts.values()) + ' |',
              '| up | ' + ' | '.join(f'{v[1]:.1f}' for v in shifts.values()) + ' |']
    best = min(shifts, key=lambda k: float((shifts[k] ** 2).sum()))
    lines.append(f'closest at k = {best} (a prediction lagging the truth by k frames is '
                 'closest at k)\n')
    speed = es.speeds(gt, sequence, frame)
    shift = es.body_centres(pred) - es.body_centres(gt)
    lines += ['by how fast the true body moves, px per frame (first frames of sequences left '
              'out): body displacement rms px',
              '| body speed | frames | across | up |', '| --- | --- | --- | --- |']
    lines += [_rms_row(_bin_label(lo, hi), shift, (speed[:, 0] >= lo) & (speed[:, 0] < hi))
              for lo, hi in BODY_SPEED_BINS]
    lines += [f'\nthe body still (< {STILL:g} px per frame), by how fast the arms move relative '
              'to it:', '| arm speed | frames | across | up |', '| --- | --- | --- | --- |']
    still = speed[:, 0] < STILL
    lines += [_rms_row(_bin_label(lo, hi), shift, still & (speed[:, 1] >= lo) &
                       (speed[:, 1] < hi)) for lo, hi in ARM_SPEED_BINS]
    across = es.body_centres(gt)[:, 0]
    lines += ['\nby where the true body is across the image, px: its mean displacement across '
              '(+ = to the right) and rms',
              '| body centre x | frames | mean across | rms across |', '| --- | --- | --- | --- |']
    for low, high in ACROSS_BINS:
        chosen = (across >= low) & (across < high)
        label = f'< {high:g}' if low == -float('inf') else _bin_label(low, high)
        lines.append(f'| {label} | {int(chosen.sum())} | ' +
                     (f'{shift[chosen, 0].mean():+.1f} | '
                      f'{np.sqrt((shift[chosen, 0] ** 2).mean()):.1f} |' if chosen.any()
                      else '- | - |'))
    if len(np.unique(sequence)) > 1:
        try:
            size = es.size_reading(pred, gt, sequence)
            lines.append(f"\nthe body's size (head to mid-ankle), sequence means: slope "
                         f'{size.slope:.2f} against the truth (1: read, 0: one size for all), '
                         f'correlation {size.correlation:.2f}, {size.rms_px:.1f} px rms')
        except ValueError as error:
            lines.append(f"\nthe body's size: {error}")
    return '\n'.join(lines)


def simulated_settings(data: pathlib.Path, p: dict) -> dict:
    """
    Per sequence of the predictions: its simulated settings and the person's mean distance.

    ``{sequence: {setting: value}}`` from DATA/sim_meta.json (the distance is the mean depth
    of the true joints over the predicted frames, m); also ``fx`` and ``fy`` of the camera.
    """
    from hupr_ros.sim.body import joint_positions
    from hupr_ros.sim.dataset import simulator_for
    from hupr_ros.sim.scene import SimConfig
    meta_path = data / 'sim_meta.json'
    if not meta_path.is_file():
        raise FileNotFoundError(f'{meta_path} not found: --data must be the HuPR-Sim set the '
                                'predictions are of')
    meta = json.loads(meta_path.read_text())
    entries = {int(e['sequence']): e for e in meta['sequences']}
    config = SimConfig(**meta['config'])
    out = {}
    for number in np.unique(p['sequence']):
        if int(number) not in entries:
            raise ValueError(f'sequence {number} of the predictions is not in {meta_path}')
        sim = simulator_for(entries[int(number)], config, meta['seed'])
        c = sim.config
        depth = [joint_positions(sim.subject, sim.motion, f / c.frame_rate,
                                 c.sensor_height)[:, 1].mean()
                 for f in p['frame'][p['sequence'] == number]]
        fx, fy = c.intrinsics[:2]
        out[int(number)] = {'receiver noise, counts': c.noise_std,
                            'reflectivity': sim.subject.reflectivity,
                            'clutter': c.clutter_scale, 'distance, m': float(np.mean(depth)),
                            'height, m': sim.subject.height, 'fx': fx, 'fy': fy}
    return out


def settings_report(p: dict, settings: dict) -> str:
    """Error in centimetres and each sequence's error against its simulated settings."""
    errors = es.sequence_errors(p['pred'], p['keypoints'], p['sequence'])
    numbers = sorted(errors)
    err = np.array([errors[n] for n in numbers])
    metres = np.array([[settings[n]['distance, m'] / settings[n]['fx'],
                        settings[n]['distance, m'] / settings[n]['fy']] for n in numbers])
    cm = 100 * np.sqrt((err[:, :2] ** 2 * metres ** 2).mean(axis=0))
    lines = [f"\nat the person's distance the body's displacement is {cm[0]:.1f} cm across and "
             f'{cm[1]:.1f} cm up (rms over sequences)\n',
             f'per sequence against its simulated settings ({len(numbers)} sequences): the '
             'correlation of the logarithms of the setting and of the error',
             '| setting | range | body across | body up | joint error |',
             '| --- | --- | --- | --- | --- |']
    for name in [k for k in settings[numbers[0]] if k not in ('fx', 'fy')]:
        x = np.array([settings[n][name] for n in numbers], np.float64)
        cells = [name, f'{x.min():.2f}-{x.max():.2f}']
        if np.ptp(x) > 0 and len(numbers) > 2:
            for column in range(3):
                y = np.log(np.maximum(err[:, column], 1e-9))
                cells.append(f'{np.corrcoef(np.log(x), y)[0, 1]:+.2f}' if np.ptp(y) > 0
                             else '-')
        else:
            cells += ['-'] * 3
        lines.append('| ' + ' | '.join(cells) + ' |')
    lines.append('(an error constant in metres falls with distance in pixels: a correlation of '
                 'about -1 with the distance)')
    return '\n'.join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='hupr-error-report',
                                     description=__doc__.strip().split('\n')[0])
    parser.add_argument('predictions', type=pathlib.Path,
                        help="hupr-eval's output folder or its predictions.npz")
    parser.add_argument('--data', type=pathlib.Path,
                        help='the HuPR-Sim set the predictions are of (settings, distance)')
    args = parser.parse_args(argv)
    try:
        p = load_predictions(args.predictions)
        print(structure_report(p))
        if args.data is not None:
            print(settings_report(p, simulated_settings(args.data, p)))
    except (FileNotFoundError, ValueError, KeyError) as error:
        print(f'hupr-error-report: {error}', file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
