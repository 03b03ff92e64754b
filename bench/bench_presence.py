# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Presence detection on HuPR-Sim: per-frame scores, a calibrated threshold, error rates.

Simulates, for calibration subjects 0-4 and for the held-out subject 5 (other seeds), an empty
room, a person entering and leaving, and the four person motions; scores every frame with
``hupr_ros.presence.motion_energy_db`` (mean of both radars) and prints the score ranges, the
threshold halfway (in dB) between the calibration set's highest empty-room score and its lowest
person score, and the false-positive / false-negative frame rates on the held-out sequences,
per frame and through :class:`PresenceDetector`'s hysteresis.

    python bench/bench_presence.py [--frames 100]
"""

import argparse
import os

os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')

from hupr_ros.dsp import vrdae_map  # noqa: E402
from hupr_ros.presence import motion_energy_db, PresenceDetector  # noqa: E402
from hupr_ros.sim.body import make_subjects, MOTIONS, PRESENCE_MOTIONS, random_motion  # noqa: E402
from hupr_ros.sim.scene import Simulator  # noqa: E402
import numpy as np  # noqa: E402


def scores(subjects, seed: int, frames: int):
    """Yield (kind, presence flags, presence scores) per simulated sequence, each (F,)."""
    rng = np.random.default_rng(seed)
    out = []
    for subject in subjects:
        for kind in PRESENCE_MOTIONS + MOTIONS:
            sim = Simulator(subject, random_motion(rng, kind), seed=int(rng.integers(1 << 30)))
            present, score = [], []
            for k in range(frames):
                f = sim.frame(k)
                present.append(f.present)
                score.append(0.5 * (motion_energy_db(vrdae_map(f.hori))
                                    + motion_energy_db(vrdae_map(f.vert))))
            out.append((kind, np.array(present), np.array(score)))
    return out


def rates(sequences, on_db: float, off_db: float, hysteresis: bool):
    fp = fn = absent = present = 0
    for _, truth, score in sequences:
        if hysteresis:
            detector = PresenceDetector(on_db, off_db)
            decision = np.array([detector.update(s) for s in score])
        else:
            decision = score >= on_db
        fp += int((decision & ~truth).sum())
        fn += int((~decision & truth).sum())
        absent += int((~truth).sum())
        present += int(truth.sum())
    return fp / max(absent, 1), fn / max(present, 1), absent, present


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--frames', type=int, default=100)
    args = parser.parse_args()
    subjects = make_subjects(0)
    calibration = scores(subjects[:5], 1, args.frames)
    held_out = scores(subjects[5:], 2, args.frames)
    for name, sequences in (('calibration', calibration), ('held-out', held_out)):
        empty = np.concatenate([s[~p] for _, p, s in sequences])
        person = np.concatenate([s[p] for _, p, s in sequences])
        print(f'{name}: empty-room frames {len(empty)}: score {empty.min():.1f}..'
              f'{empty.max():.1f} dB; person frames {len(person)}: {person.min():.1f}..'
              f'{person.max():.1f} dB (1st percentile {np.percentile(person, 1):.1f})')
    empty = np.concatenate([s[~p] for _, p, s in calibration])
    person = np.concatenate([s[p] for _, p, s in calibration])
    threshold = 0.5 * (empty.max() + person.min())
    print(f'threshold halfway between the calibration classes: {threshold:.1f} dB')
    for on_db, off_db in ((threshold, threshold), (threshold + 1, threshold - 1)):
        for hysteresis in (False, True):
            fp, fn, absent, present = rates(held_out, on_db, off_db, hysteresis)
            label = (f'hysteresis on {on_db:.1f} / off {off_db:.1f} dB (2 frames on, 3 off)'
                     if hysteresis else f'per frame, {on_db:.1f} dB')
            print(f'held-out subject, {label}: false positives {100 * fp:.1f}% of {absent} '
                  f'empty frames, false negatives {100 * fn:.1f}% of {present} person frames')


if __name__ == '__main__':
    main()
