# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Where a model's body error comes from, over the frames of whole sequences (no ROS).

:mod:`hupr_ros.metrics` scores frames one by one. These functions read the predictions of a
set of sequences (``hupr-eval``'s ``predictions.npz``: ``pred``, ``keypoints``, ``sequence``,
``frame``) for the structure of the body's error: how much of its displacement is a fixed
error per sequence (per person and place) and how much wanders within the sequence, whether
the prediction lags the truth, whether it grows when the body or the arms move, and whether
the body's size is read. ``hupr-error-report`` prints them.

The *body* is :data:`hupr_ros.metrics.BODY_JOINTS` (all joints but elbows and wrists); its
centre is their mean; *across* is the image's x axis, *up* its y axis.
"""

from typing import Dict, NamedTuple, Sequence

from hupr_ros.metrics import ARM_JOINTS, BODY_JOINTS, pixel_errors
from hupr_ros.skeleton import JOINT_INDEX
import numpy as np

_BODY = [JOINT_INDEX[name] for name in BODY_JOINTS]
_ARMS = [JOINT_INDEX[name] for name in ARM_JOINTS]
_HEAD, _ANKLES = JOINT_INDEX['Head'], [JOINT_INDEX['R_Ankle'], JOINT_INDEX['L_Ankle']]


class DisplacementParts(NamedTuple):
    """Root mean square of the body's displacement, px, each (across, up)."""

    #: of the displacement itself; ``whole**2 == per_sequence**2 + within**2``
    whole: np.ndarray
    #: of each sequence's mean displacement (a fixed error per person and place)
    per_sequence: np.ndarray
    #: of what is left: the displacement wandering within the sequence
    within: np.ndarray


class SizeReading(NamedTuple):
    """How well the body's size in the image (head to mid-ankle) is read, per sequence."""

    #: slope of the predicted size against the true one over sequences (1: read, 0: one size)
    slope: float
    #: correlation of the two
    correlation: float
    #: root mean square of their difference, px
    rms_px: float


def body_centres(poses: np.ndarray) -> np.ndarray:
    """Return the mean of the body joints of each pose, (M, 2) from (M, 14, 2)."""
    return np.asarray(poses, np.float64)[:, _BODY].mean(axis=1)


def _rms(values: np.ndarray) -> np.ndarray:
    """Return the root mean square over the first axis, per axis (across, up)."""
    return np.sqrt((values ** 2).mean(axis=0))


def _check(pred: np.ndarray, gt: np.ndarray, *per_frame: np.ndarray) -> None:
    pred, gt = np.asarray(pred), np.asarray(gt)
    if pred.shape != gt.shape or pred.ndim != 3 or pred.shape[1:] != (len(JOINT_INDEX), 2):
        raise ValueError(f'predictions {pred.shape} and ground truth {gt.shape} must both be '
                         f'(M, {len(JOINT_INDEX)}, 2)')
    if not len(pred):
        raise ValueError('no frames')
    for array in per_frame:
        if np.shape(array) != (len(pred),):
            raise ValueError(f'sequence and frame numbers must be ({len(pred)},), got '
                             f'{np.shape(array)}')
    if not (np.isfinite(pred).all() and np.isfinite(gt).all()):
        raise ValueError('a prediction or a ground-truth joint is NaN or infinite')


def displacement_parts(pred: np.ndarray, gt: np.ndarray,
                       sequence: np.ndarray) -> DisplacementParts:
    """Split the body's displacement into each sequence's mean and what wanders around it."""
    _check(pred, gt, sequence)
    shift = body_centres(pred) - body_centres(gt)
    mean = np.zeros_like(shift)
    for number in np.unique(sequence):
        chosen = sequence == number
        mean[chosen] = shift[chosen].mean(axis=0)
    return DisplacementParts(_rms(shift), _rms(mean), _rms(shift - mean))


def _pairs(sequence: np.ndarray, frame: np.ndarray, lag: int):
    """Return indices (i, j) of frames in one sequence with frame[j] == frame[i] - lag."""
    index = {(int(s), int(f)): i for i, (s, f) in enumerate(zip(sequence, frame))}
    pairs = [(i, index[(int(s), int(f) - lag)]) for i, (s, f) in enumerate(zip(sequence, frame))
             if (int(s), int(f) - lag) in index]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def time_shift_errors(pred: np.ndarray, gt: np.ndarray, sequence: np.ndarray,
                      frame: np.ndarray, shifts: Sequence[int] = range(-3, 6)
                      ) -> Dict[int, np.ndarray]:
    """
    Compare the body centre with the truth of other frames: ``{shift: rms (across, up)}``.

    Shift ``k`` compares the prediction of frame ``t`` with the truth of frame ``t - k`` of the
    same sequence: a prediction that lags the truth by ``k`` frames is closest at ``k``.
    Shifts with no such pair of frames are left out.
    """
    _check(pred, gt, sequence, frame)
    p, g = body_centres(pred), body_centres(gt)
    out = {}
    for shift in shifts:
        pairs = _pairs(np.asarray(sequence), np.asarray(frame), int(shift))
        if len(pairs):
            out[int(shift)] = _rms(p[pairs[:, 0]] - g[pairs[:, 1]])
    return out


def speeds(gt: np.ndarray, sequence: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """
    How fast the true body and its arms move, px per frame, (M, 2): body, arms.

    The body's speed is its centre's movement since the frame before; the arms' is the mean
    movement of the elbows and wrists relative to that centre. NaN where the frame before is
    missing.
    """
    _check(gt, gt, sequence, frame)
    gt = np.asarray(gt, np.float64)
    centre = body_centres(gt)
    out = np.full((len(gt), 2), np.nan)
    pairs = _pairs(np.asarray(sequence), np.asarray(frame), 1)
    if len(pairs):
        now, before = pairs[:, 0], pairs[:, 1]
        out[now, 0] = np.linalg.norm(centre[now] - centre[before], axis=-1)
        arms_now = gt[now][:, _ARMS] - centre[now, None]
        arms_before = gt[before][:, _ARMS] - centre[before, None]
        out[now, 1] = np.linalg.norm(arms_now - arms_before, axis=-1).mean(axis=1)
    return out


def body_sizes(poses: np.ndarray) -> np.ndarray:
    """Return the head to mid-ankle length of each pose, px, (M,)."""
    poses = np.asarray(poses, np.float64)
    return np.linalg.norm(poses[:, _HEAD] - poses[:, _ANKLES].mean(axis=1), axis=-1)


def size_reading(pred: np.ndarray, gt: np.ndarray, sequence: np.ndarray) -> SizeReading:
    """Compare the predicted body size with the true one, sequence by sequence (means)."""
    _check(pred, gt, sequence)
    numbers = np.unique(sequence)
    if len(numbers) < 2:
        raise ValueError('the size reading needs at least two sequences')
    p, g = body_sizes(pred), body_sizes(gt)
    mp = np.array([p[sequence == n].mean() for n in numbers])
    mg = np.array([g[sequence == n].mean() for n in numbers])
    if np.ptp(mg) == 0:
        raise ValueError('every sequence has the same true size: nothing to compare against')
    slope = float(np.polyfit(mg, mp, 1)[0])
    correlation = float(np.corrcoef(mg, mp)[0, 1]) if np.ptp(mp) > 0 else 0.0
    return SizeReading(slope, correlation, float(np.sqrt(((mp - mg) ** 2).mean())))


def sequence_errors(pred: np.ndarray, gt: np.ndarray,
                    sequence: np.ndarray) -> Dict[int, np.ndarray]:
    """
    Per sequence: the body displacement's rms across and up and the mean joint error, px.

    ``{sequence: array([across, up, joint error])}``.
    """
    _check(pred, gt, sequence)
    shift = body_centres(pred) - body_centres(gt)
    error = pixel_errors(pred, gt).mean(axis=1)
    out = {}
    for number in np.unique(sequence):
        chosen = sequence == number
        out[int(number)] = np.array([*_rms(shift[chosen]), error[chosen].mean()])
    return out
