# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
r"""
``hupr-arm-probe``: ask whether the arms of a new body can be read from the network's input.

The pose networks place the torso of a body they have not seen but not its arms
(docs/results.md). This asks the question without the pose network: a small model that only
has to say where the elbows and wrists are *relative to the true shoulders* (in torso lengths),
from the radar input around the person, trained on the training bodies and scored on bodies
it has never seen. Its input is the network's own (an ``--output input`` cache: K Doppler
bins, real and imaginary parts, range x azimuth, elevation averaged), cropped around the
strongest echo of each radar (or of another cache of the same simulation, ``--centre-cache``);
``--frames`` stacks the crops of the frames before as well, and ``--representation`` reads
what the published preprocessing drops instead (the elevation axis, the outer Doppler bins),
computed from the captures.

Two probes, both fit on the training split and chosen on the ``--select`` split:

- ``ridge``: linear regression on the crops' magnitudes (the regularisation chosen on the
  selection split);
- ``cnn``: a three-layer convolutional network on the same crops (complex parts kept), trained
  with Adam for ``--epochs`` epochs; the epoch with the lowest selection error is reported.

Each is scored against the training split's median arm pose placed on the true torso (like
the torso-only guess of ``hupr_ros.metrics.arm_blind_errors``, which takes the median of the
evaluated split itself): a probe that is not closer than that guess has not read the arms.
The error is also given over the frames whose arms stand still and those whose faster wrist
moved (``MOVING``), and which arm is raised over the frames where exactly one is
(``hupr_ros.metrics.wrong_arm``).

Usage::

    hupr-arm-probe --train DATA CACHE [--train DATA2 CACHE2] --select DATA CACHE val \\
        --report DATA2 CACHE2 val [--frames 1] [--epochs 15] [--out DIR]
"""

import argparse
import dataclasses
import json
import pathlib
import sys
import time
from typing import Dict, List, Optional, Sequence, Tuple

from hupr_ros.data.cache import RADARS
from hupr_ros.data.dataset import HuPRDataset, open_cache
from hupr_ros.data.layout import DatasetError, sequence_name
from hupr_ros.dsp import model_input, model_input_elevation_mean, vrdae_map, VRDAEConfig
from hupr_ros.metrics import ARM_JOINTS, arm_offsets, JOINT_INDEX, median_arm_offsets, \
    poses_with_arms, wrong_arm
from hupr_ros.radar.dca1000 import load_adc_file
import numpy as np

#: Half sizes of the crop around the person: range bins (4.3 cm) and azimuth bins.
HALF_RANGE, HALF_AZIMUTH = 10, 10
_ARMS = [JOINT_INDEX[name] for name in ARM_JOINTS]
PROBES = ('ridge', 'cnn')


def strongest_cell(frame: np.ndarray) -> Tuple[int, int]:
    """
    Find the (range, azimuth) cell of a radar frame (K, 2, R, A) where the person is.

    The cell of the largest magnitude summed over Doppler after a 3 x 3 box blur (so one bright
    cell does not win over the body).
    """
    if frame.ndim != 4 or frame.shape[1] != 2:
        raise ValueError(f'expected a (K, 2, range, azimuth) frame, got shape {frame.shape}')
    energy = np.sqrt((np.asarray(frame, np.float32) ** 2).sum(axis=1)).sum(axis=0)
    padded = np.pad(energy, 1)
    blurred = sum(padded[i:i + energy.shape[0], j:j + energy.shape[1]]
                  for i in range(3) for j in range(3))
    r, a = np.unravel_index(int(np.argmax(blurred)), energy.shape)
    return int(r), int(a)


def person_crop(frame: np.ndarray, half_range: int = HALF_RANGE,
                half_azimuth: int = HALF_AZIMUTH,
                centre: Optional[Tuple[int, int]] = None) -> Tuple[np.ndarray, Tuple[int, int]]:
    """
    Crop one radar frame (K, 2, R, A) around its strongest echo: (K, 2, 2h+1, 2w+1), centre.

    The centre is :func:`strongest_cell`, or ``centre`` when given; cells outside the map are
    zero.
    """
    if frame.ndim != 4 or frame.shape[1] != 2:
        raise ValueError(f'expected a (K, 2, range, azimuth) frame, got shape {frame.shape}')
    r, a = strongest_cell(frame) if centre is None else (int(centre[0]), int(centre[1]))
    padded = np.pad(frame, ((0, 0), (0, 0), (half_range, half_range),
                            (half_azimuth, half_azimuth)))
    crop = padded[:, :, r:r + 2 * half_range + 1, a:a + 2 * half_azimuth + 1]
    return np.ascontiguousarray(crop, dtype=np.float32), (r, a)


@dataclasses.dataclass
class ProbeSet:
    """
    Crops (M, F x radars x K x 2, h, w), true poses (M, 14, 2) and where they came from.

    ``wrist_motion``: how far the faster wrist moved since the frame before, relative to the
    shoulder, in torso lengths (0 at a sequence's first frame).
    """

    name: str
    crops: np.ndarray
    poses: np.ndarray
    sequences: np.ndarray
    wrist_motion: Optional[np.ndarray] = None

    def __post_init__(self) -> None:
        if self.wrist_motion is None:
            self.wrist_motion = np.zeros(len(self.poses))


#: A frame whose faster wrist moved at least this far (torso lengths, about 0.5 m/s at 10 Hz
#: for a 0.5 m torso) since the frame before counts as a moving-arm frame.
MOVING = 0.1


def wrist_motion(poses: np.ndarray) -> np.ndarray:
    """Per frame of a sequence: the faster wrist's move since the frame before (torso lengths)."""
    offsets = arm_offsets(poses).reshape(len(poses), 4, 2)[:, [1, 3]]
    moved = np.zeros(len(poses))
    moved[1:] = np.linalg.norm(np.diff(offsets, axis=0), axis=-1).max(axis=1)
    return moved


#: What the probe reads: the training input cache (``input``), or computed from the captures by
#: the real preprocessing: ``elevation`` (the input before the network's mean over elevation:
#: 8 Doppler x 8 elevation maps) or ``doppler16`` (all 16 stored Doppler bins, elevation
#: averaged, as the input).
REPRESENTATIONS = ('input', 'elevation', 'doppler16')


def captured_input(root: str, number: int, radar: str, representation: str) -> np.ndarray:
    """
    One capture's frames as (T, C, 2, range, azimuth) float32 in another representation.

    Computed from ``ROOT/single_N/RADAR/adc_data.bin`` with the preprocessing the cache uses
    (:func:`hupr_ros.dsp.vrdae_map`, :func:`hupr_ros.dsp.model_input`), without a cache: a
    cube cache of a whole set would not fit on disk.
    """
    if representation not in REPRESENTATIONS[1:]:
        raise ValueError(f'representation must be one of {REPRESENTATIONS}, '
                         f'got {representation!r}')
    config = VRDAEConfig()
    c = config.chirp
    adc = load_adc_file(pathlib.Path(root) / sequence_name(number) / radar / 'adc_data.bin',
                        c.num_rx, c.num_chirps, c.num_samples)
    wide = dataclasses.replace(config, num_input_doppler=config.num_stored_doppler)
    out = []
    for start in range(0, len(adc), 8):
        cubes = vrdae_map(adc[start:start + 8], config)
        if representation == 'doppler16':
            out.append(model_input_elevation_mean(cubes, wide))
        else:                  # (B, K, 2, R, A, E) -> (B, K x E, 2, R, A)
            maps = np.moveaxis(model_input(cubes, config), -1, 2)
            out.append(maps.reshape(len(cubes), -1, *maps.shape[-3:]))
    return np.concatenate(out).astype(np.float32)


def load_set(sources: Sequence[Tuple[str, str, str]], frames: int = 1,
             max_sequences: Optional[int] = None, half_range: int = HALF_RANGE,
             half_azimuth: int = HALF_AZIMUTH,
             centre_cache: Optional[str] = None, representation: str = 'input') -> ProbeSet:
    """
    Crop every frame of one or more splits ``(root, cache, phase)``, joined in one set.

    Each radar is cropped around its own strongest echo at frame t (the frames before, with
    ``frames`` > 1, at the same cell), or, with ``centre_cache``, around the strongest echo of
    the same sequence, frame and radar there (a set simulated with the same seed: the whole
    body's cell for a set of the arms alone). The crops go straight into one array (they are
    the memory: 16,500 frames of 4 x 32 x 25 x 33 are 7 GB). ``representation`` other than
    ``input`` reads the captures instead of the cache (:func:`captured_input`; the cache is
    still needed for the labels' checks).
    """
    chosen = []
    if representation not in REPRESENTATIONS:
        raise ValueError(f'representation must be one of {REPRESENTATIONS}, '
                         f'got {representation!r}')
    for root, cache, phase in sources:
        data = HuPRDataset(root, cache, phase, alignment='causal', num_frames=1,
                           check_captures=representation != 'input')
        chosen += [(root, labels, arrays) for labels, arrays in
                   list(zip(data.labels, data.inputs))[:max_sequences]]
    count = sum(len(labels.images) for _, labels, _ in chosen)
    config = VRDAEConfig()
    channels = {'input': config.num_input_doppler, 'doppler16': config.num_stored_doppler,
                'elevation': config.num_input_doppler * config.elevation_fft}[representation]
    shape = (frames * len(RADARS) * channels * 2, 2 * half_range + 1, 2 * half_azimuth + 1)
    crops = np.empty((count,) + shape, np.float32)
    poses, sequences, motion = [], [], []
    row = 0
    for root, labels, arrays in chosen:
        stacks = {radar: np.asarray(arrays[radar], np.float32) if representation == 'input'
                  else captured_input(root, labels.number, radar, representation)
                  for radar in RADARS}
        if stacks[RADARS[0]].shape[1] != channels:
            raise DatasetError(f'{sequence_name(labels.number)}: {stacks[RADARS[0]].shape[1]} '
                               f'Doppler maps per frame, expected {channels}')
        guide = stacks if centre_cache is None else {
            radar: open_cache(pathlib.Path(centre_cache), labels.number, radar, 'input',
                              config) for radar in RADARS}
        if len(guide[RADARS[0]]) != len(labels.images):
            raise DatasetError(f'{centre_cache}: {sequence_name(labels.number)} has '
                               f'{len(guide[RADARS[0]])} frames, not {len(labels.images)}: '
                               'not the same simulation')
        motion.append(wrist_motion(labels.keypoints))
        for t in range(len(labels.images)):
            parts = []
            for radar in RADARS:
                centre = strongest_cell(guide[radar][t])
                now, _ = person_crop(stacks[radar][t], half_range, half_azimuth, centre)
                parts.append(now)
                for back in range(1, frames):      # earlier frames, cropped at frame t's cell
                    parts.append(person_crop(stacks[radar][max(t - back, 0)], half_range,
                                             half_azimuth, centre)[0])
            crops[row] = np.concatenate(parts).reshape(shape)
            row += 1
            poses.append(labels.keypoints[t])
            sequences.append(labels.number)
    name = ' + '.join(f'{pathlib.Path(root).name} {phase}' for root, _, phase in sources)
    return ProbeSet(name, crops, np.stack(poses).astype(np.float64), np.array(sequences),
                    np.concatenate(motion))


def _magnitudes(crops: np.ndarray) -> np.ndarray:
    """|crop| over each (real, imaginary) pair, flattened: (M, C/2 x h x w)."""
    m = crops.reshape(len(crops), -1, 2, *crops.shape[-2:])
    return np.sqrt((m ** 2).sum(axis=2)).reshape(len(crops), -1)


def fit_ridge(train: ProbeSet, select: ProbeSet,
              lambdas: Sequence[float] = (1e-3, 1e-2, 1e-1, 1, 10, 100)) -> dict:
    """Ridge regression of the arm offsets on crop magnitudes; lambda chosen on ``select``."""
    x, y = _magnitudes(train.crops).astype(np.float64), arm_offsets(train.poses)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    x = (x - mean) / scale
    y_mean = y.mean(axis=0)
    gram, rhs = x.T @ x, x.T @ (y - y_mean)
    xs = (_magnitudes(select.crops) - mean) / scale
    best = None
    for lam in lambdas:
        w = np.linalg.solve(gram + lam * len(x) * np.eye(len(gram)), rhs)
        err = arm_error_px(select.poses, xs @ w + y_mean)
        if best is None or err < best[0]:
            best = (err, lam, w)
    _, lam, w = best

    def predict(crops: np.ndarray) -> np.ndarray:
        return ((_magnitudes(crops) - mean) / scale) @ w + y_mean
    return {'predict': predict, 'choice': f'lambda {lam:g}'}


def fit_cnn(train: ProbeSet, select: ProbeSet, epochs: int = 15, seed: int = 0,
            log=print) -> dict:
    """Train a small CNN on the crops; keep the epoch with the lowest selection error."""
    import torch
    from torch import nn
    torch.manual_seed(seed)
    x = torch.from_numpy(train.crops)
    scale = float(x.abs().mean()) + 1e-6
    y_np = arm_offsets(train.poses)
    y_mean = y_np.mean(axis=0)
    y = torch.from_numpy((y_np - y_mean).astype(np.float32))
    channels = x.shape[1]
    net = nn.Sequential(
        nn.Conv2d(channels, 64, 3, padding=1), nn.ReLU(),
        nn.Conv2d(64, 64, 3, padding=1, stride=2), nn.ReLU(),
        nn.Conv2d(64, 64, 3, padding=1, stride=2), nn.ReLU(),
        nn.Flatten(), nn.LazyLinear(128), nn.ReLU(), nn.Linear(128, 8))
    net(x[:2] / scale)
    optimiser = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-4)

    def predict_with(model, crops: np.ndarray) -> np.ndarray:
        model.eval()
        with torch.no_grad():
            out = [model(torch.from_numpy(crops[i:i + 512]) / scale).numpy()
                   for i in range(0, len(crops), 512)]
        return np.concatenate(out).astype(np.float64) + y_mean
    best = (float('inf'), None, 0)
    generator = torch.Generator().manual_seed(seed)
    for epoch in range(1, epochs + 1):
        net.train()
        for batch in torch.randperm(len(x), generator=generator).split(64):
            loss = ((net(x[batch] / scale) - y[batch]) ** 2).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        err = arm_error_px(select.poses, predict_with(net, select.crops))
        log(f'  cnn epoch {epoch}: selection arm error {err:.2f} px')
        if err < best[0]:
            best = (err, {k: v.clone() for k, v in net.state_dict().items()}, epoch)
    net.load_state_dict(best[1])
    return {'predict': lambda crops: predict_with(net, crops), 'choice': f'epoch {best[2]}'}


def arm_error_px(poses: np.ndarray, offsets: np.ndarray) -> float:
    """Mean pixel error of the elbows and wrists placed from ``offsets`` on the true torso."""
    placed = poses_with_arms(poses, offsets)
    return float(np.linalg.norm(placed[:, _ARMS] - poses[:, _ARMS], axis=-1).mean())


def score(probe: ProbeSet, offsets: np.ndarray) -> Dict[str, float]:
    """
    Score arm offsets against the truth.

    Arm error (px) over all frames, the still-arm and the moving-arm ones (``MOVING``), and of
    the one-arm-raised frames: that arm / the other (fractions).
    """
    placed = poses_with_arms(probe.poses, offsets)
    frames, wrong, right = wrong_arm(placed, probe.poses)
    moving = probe.wrist_motion >= MOVING
    part = {name: arm_error_px(probe.poses[mask], offsets[mask]) if mask.any() else float('nan')
            for name, mask in (('still', ~moving), ('moving', moving))}
    return {'arm_error_px': arm_error_px(probe.poses, offsets),
            'still_arm_error_px': part['still'], 'moving_arm_error_px': part['moving'],
            'moving_frames': int(moving.sum()), 'one_arm_frames': frames,
            'right_arm': right, 'wrong_arm': wrong}


def run(train: ProbeSet, select: ProbeSet, report: List[ProbeSet], epochs: int,
        log=print, probes: Sequence[str] = PROBES) -> List[dict]:
    """Fit the probes and the median guess on ``train``; one row per (method, scored set)."""
    median = median_arm_offsets(train.poses)
    fitted = {'median arm pose (torso only)': {'predict': lambda c: np.tile(median, (len(c), 1)),
                                               'choice': ''}}
    for probe in probes:
        start = time.monotonic()
        fitted[probe] = (fit_ridge(train, select) if probe == 'ridge' else
                         fit_cnn(train, select, epochs=epochs, log=log))
        log(f'{probe} fitted in {time.monotonic() - start:.0f} s ({fitted[probe]["choice"]})')
    rng = np.random.default_rng(0)
    train_sample = rng.choice(len(train.crops), size=min(2000, len(train.crops)),
                              replace=False)
    fit_set = ProbeSet(f'training frames ({len(train_sample):,})', train.crops[train_sample],
                       train.poses[train_sample], train.sequences[train_sample],
                       train.wrist_motion[train_sample])
    rows = []
    for method, model in fitted.items():
        for probe in [fit_set, select] + report:
            row = {'method': method, 'set': probe.name, 'frames': len(probe.crops),
                   'choice': model['choice']}
            row.update(score(probe, model['predict'](probe.crops)))
            rows.append(row)
    return rows


def table(rows: List[dict]) -> str:
    """Markdown table of ``run``'s rows."""
    lines = ['| probe | set | frames (arms moving) | elbows and wrists, mean error | '
             'arms still | arms moving | one arm raised: that arm / the other |',
             '| --- | --- | --- | --- | --- | --- | --- |']
    for r in rows:
        lines.append(f"| {r['method']} {r['choice']} | {r['set']} | {r['frames']} "
                     f"({r['moving_frames']}) | {r['arm_error_px']:.1f} px | "
                     f"{r['still_arm_error_px']:.1f} px | {r['moving_arm_error_px']:.1f} px | "
                     f"{100 * r['right_arm']:.1f}% / {100 * r['wrong_arm']:.1f}% |")
    return '\n'.join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='hupr-arm-probe', description=__doc__.split('\n')[1])
    parser.add_argument('--train', nargs=2, action='append', required=True,
                        metavar=('DATA', 'CACHE'), help='a training split (repeatable)')
    parser.add_argument('--select', nargs=3, required=True, metavar=('DATA', 'CACHE', 'SPLIT'),
                        help='the split that chooses the regularisation and the epoch')
    parser.add_argument('--report', nargs=3, action='append', default=[],
                        metavar=('DATA', 'CACHE', 'SPLIT'), help='a split to score (repeatable)')
    parser.add_argument('--frames', type=int, default=1, help='frames per crop stack (1)')
    parser.add_argument('--representation', choices=REPRESENTATIONS, default='input',
                        help='input: the training input cache; elevation / doppler16: computed '
                             'from the captures, the elevation axis kept / all 16 Doppler bins '
                             '(default: %(default)s)')
    parser.add_argument('--centre-cache', default=None, metavar='CACHE',
                        help='crop where the same sequence and frame of CACHE has its strongest '
                             'echo (a set simulated with the same seed, e.g. the whole body for '
                             'hupr-sim --parts arms)')
    parser.add_argument('--epochs', type=int, default=15)
    parser.add_argument('--probes', nargs='+', choices=PROBES, default=list(PROBES),
                        help='which probes to fit (ridge needs (features)^2 memory: '
                        'use cnn alone with several --frames)')
    parser.add_argument('--half-range', type=int, default=HALF_RANGE,
                        help=f'crop half height, range bins ({HALF_RANGE})')
    parser.add_argument('--half-azimuth', type=int, default=HALF_AZIMUTH,
                        help=f'crop half width, azimuth bins ({HALF_AZIMUTH})')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--max-sequences', type=int, default=None,
                        help='at most this many sequences of each split (quick looks)')
    parser.add_argument('--out', type=pathlib.Path, default=None,
                        help='write rows.json and table.md here')
    args = parser.parse_args(argv)
    if args.frames < 1:
        parser.error('--frames must be at least 1')
    import torch
    torch.set_num_threads(args.threads)
    try:
        start = time.monotonic()
        crop = (args.frames, args.max_sequences, args.half_range, args.half_azimuth,
                args.centre_cache, args.representation)
        train = load_set([(d, c, 'train') for d, c in args.train], *crop)
        select = load_set([tuple(args.select)], *crop)
        report = [load_set([tuple(r)], *crop) for r in args.report]
    except (DatasetError, ValueError) as error:
        print(f'hupr-arm-probe: {error}', file=sys.stderr)
        return 2
    print(f'loaded {len(train.crops)} training frames, crops {train.crops.shape[1:]} in '
          f'{time.monotonic() - start:.0f} s', flush=True)
    rows = run(train, select, report, args.epochs, log=lambda m: print(m, flush=True),
               probes=args.probes)
    print(table(rows))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / 'rows.json').write_text(json.dumps(rows, indent=1))
        (args.out / 'table.md').write_text(table(rows) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
