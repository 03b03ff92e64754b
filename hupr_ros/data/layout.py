# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The HuPR layout's labels and splits: ``splits.json`` and ``hrnet_annot_{train,val,test}.json``.

Reading them needs no torch (hupr-import, the reports); :mod:`hupr_ros.data.dataset` builds the
training samples on top.
"""

from dataclasses import dataclass
import json
import pathlib
from typing import Dict, List, Union

from hupr_ros.skeleton import NUM_JOINTS
import numpy as np

PHASES = ('train', 'val', 'test')
CACHE_KINDS = ('input', 'cube')


class DatasetError(ValueError):
    """A dataset or its cache is missing, inconsistent or from another configuration."""


@dataclass
class SequenceLabels:
    """Annotations of one sequence."""

    number: int
    images: List[str]
    keypoints: np.ndarray      # float32 (frames, 14, 2) pixels
    boxes: np.ndarray          # float32 (frames, 4) x0, y0, x1, y1 pixels


def sequence_name(number: int) -> str:
    return f'single_{number}'


def read_splits(root: Union[str, pathlib.Path]) -> Dict[str, List[int]]:
    """Split name -> sequence numbers, from ``ROOT/splits.json``."""
    path = pathlib.Path(root) / 'splits.json'
    if not path.is_file():
        raise DatasetError(f'{path} not found: the data root needs a splits.json naming the '
                           'sequences of each split ({"train": [1, 2], "val": [3], "test": [4]})')
    splits = json.loads(path.read_text())
    if not isinstance(splits, dict) or not all(
            isinstance(v, list) and all(isinstance(n, int) for n in v) for v in splits.values()):
        raise DatasetError(f'{path}: expected {{split: [sequence numbers]}}, got {splits!r:.200}')
    return splits


def read_labels(root: Union[str, pathlib.Path], phase: str) -> Dict[int, SequenceLabels]:
    """
    Annotations of one split, by sequence number.

    :raises DatasetError: a file is missing, or holds the wrong number of sequences or malformed
        joints / boxes (the message names the file, the sequence and the frame).
    """
    if phase not in PHASES:
        raise DatasetError(f'split must be one of {PHASES}, got {phase!r}')
    root = pathlib.Path(root)
    numbers = read_splits(root).get(phase, [])
    path = root / f'hrnet_annot_{phase}.json'
    if not numbers:
        return {}
    if not path.is_file():
        raise DatasetError(f'{path} not found (split {phase!r} lists sequences {numbers})')
    try:
        blocks = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise DatasetError(f'{path}: not valid JSON ({error})') from error
    if not isinstance(blocks, list) or len(blocks) != len(numbers):
        count = len(blocks) if isinstance(blocks, list) else type(blocks).__name__
        raise DatasetError(f'{path}: {count} sequence blocks, but splits.json lists '
                           f'{len(numbers)} {phase} sequences {numbers}')
    labels = {}
    for number, block in zip(numbers, blocks):
        where = f'{path} ({sequence_name(number)})'
        if not isinstance(block, list):
            raise DatasetError(f'{where}: expected a list of frame annotations')
        keypoints = np.zeros((len(block), NUM_JOINTS, 2), dtype=np.float32)
        boxes = np.zeros((len(block), 4), dtype=np.float32)
        images = []
        for frame, entry in enumerate(block):
            try:
                joints = np.asarray(entry['joints'], dtype=np.float32)
                box = np.asarray(entry['bbox'], dtype=np.float32)
                images.append(str(entry['image']))
            except (KeyError, TypeError, ValueError) as error:
                raise DatasetError(f'{where}: frame {frame}: malformed annotation ({error!r}); '
                                   'each frame needs "image", "joints" [[x, y] x 14] and '
                                   '"bbox" [x0, y0, x1, y1]') from error
            if joints.shape != (NUM_JOINTS, 2) or box.shape != (4,):
                raise DatasetError(f'{where}: frame {frame}: joints have shape {joints.shape} '
                                   f'and bbox {box.shape}, expected ({NUM_JOINTS}, 2) and (4,)')
            keypoints[frame], boxes[frame] = joints, box
        bad = ~(np.isfinite(keypoints).all(axis=(1, 2)) & np.isfinite(boxes).all(axis=1))
        if bad.any():
            raise DatasetError(f'{where}: frame {int(np.argmax(bad))}: NaN or inf in the '
                               'joints or box')
        labels[number] = SequenceLabels(number, images, keypoints, boxes)
    return labels
