# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
HuPR-layout datasets for training and evaluation (no ROS).

A dataset is two folders:

- the **data root**, in the public HuPR layout (``hupr-sim`` writes the same)::

      ROOT/single_N/{hori,vert}/adc_data.bin     raw captures (only their frame count is read)
      ROOT/frames/single_N/000000000.jpg         camera frames (for contact sheets)
      ROOT/hrnet_annot_{train,val,test}.json     per split, one list per sequence of
                                                 {"image", "joints" [[x, y] x 14], "bbox"}
      ROOT/splits.json                           sequence numbers of each split, in the
                                                 order of the annotation lists

- the **cache** that ``hupr-preprocess ROOT CACHE`` made from it: ``CACHE/single_N/{hori,vert}/``
  with either ``vrdae.npy`` (radar cubes; the network input is computed exactly from them at
  every step) or ``input.npy`` (``--output input``: the network input already normalised and
  averaged over elevation, 16x smaller). Both are memory-mapped: nothing loads the whole set.

Each sample is one target frame ``t`` of one sequence: the network input windows of both radars
(frames ``t-4 .. t+3`` centred, or ``t-7 .. t`` causal, clamped to the sequence: windows never
cross sequences), the 64x64 target heat maps of frame ``t`` and its keypoints and box.
"""

import json
import pathlib
from typing import Dict, List, Optional, Sequence, Union

from hupr_ros.data.cache import cache_name, config_metadata, RADARS
from hupr_ros.data.layout import CACHE_KINDS, DatasetError, PHASES, read_labels, read_splits, \
    sequence_name, SequenceLabels  # noqa: F401  (re-exported)
from hupr_ros.data.targets import keypoint_heatmaps
from hupr_ros.dsp import frame_window, model_input, VRDAEConfig
from hupr_ros.radar.dca1000 import count_adc_frames
import numpy as np
import torch
from torch.utils.data import Dataset


def open_cache(cache: pathlib.Path, number: int, radar: str, kind: str,
               config: VRDAEConfig) -> np.ndarray:
    """Memory-map one capture's cache after checking it was made with ``config``."""
    folder = cache / sequence_name(number) / radar
    name = cache_name('input' if kind == 'input' else 'cube')
    npy, meta_path = folder / f'{name}.npy', folder / f'{name}.json'
    if not meta_path.is_file() or not npy.is_file():
        flag = ' --output input' if kind == 'input' else ''
        raise DatasetError(f'{npy} (or its {meta_path.name}) not found: the cache is missing or '
                           f'unfinished; run  hupr-preprocess DATA_ROOT {cache}{flag}')
    meta = json.loads(meta_path.read_text())
    stored = meta.get('config', {})
    expected = config_metadata(config)
    if kind == 'cube':      # K and the input crop do not change the stored cube
        stored = {k: v for k, v in stored.items() if k != 'num_input_doppler'}
        expected = {k: v for k, v in expected.items() if k != 'num_input_doppler'}
    if stored != expected:
        diff = sorted(k for k in set(stored) | set(expected) if stored.get(k) != expected.get(k))
        details = ', '.join(f'{k}: cache {stored.get(k)!r} vs wanted {expected.get(k)!r}'
                            for k in diff)
        raise DatasetError(f'{meta_path}: the cache was made with another preprocessing '
                           f'configuration ({details}); re-run hupr-preprocess into a new '
                           'folder with the wanted options')
    array = np.load(npy, mmap_mode='r')
    want = ((config.input_shape[:-1]) if kind == 'input' else config.cube_shape)
    if array.shape[1:] != want or array.shape[0] != meta.get('frames'):
        raise DatasetError(f'{npy}: shape {array.shape}, expected ({meta.get("frames")}, '
                           f'{", ".join(map(str, want))})')
    if kind == 'cube' and not np.iscomplexobj(array):
        raise DatasetError(f'{npy}: dtype {array.dtype}; the dataset reads complex64 cube '
                           'caches (not --dtype float16)')
    return array


class HuPRDataset(Dataset):
    """
    Windows of network input and heat-map targets from a HuPR-layout dataset.

    :param root: data root (annotations, splits, captures).
    :param cache: the hupr-preprocess output for ``root``.
    :param phase: 'train', 'val' or 'test' (sequences from splits.json), or None with ``sequences``
        given.
    :param sequences: explicit sequence numbers (their annotations are found in any split).
    :param alignment: 'centered' (published, t-4 .. t+3) or 'causal' (t-7 .. t).
    :param num_frames: N, frames per window (8).
    :param config: preprocessing; ``num_input_doppler`` is K, ``representation`` the map kind.
    :param cache_kind: 'input' (``--output input`` cache) or 'cube' (VRDAEMap cache, exact).
    :param check_captures: compare each sequence's annotation count with its capture's frames.

    Item: dict with ``hori``, ``vert`` float32 (N, K, 2, 64, 64, E) where E = 8 from a cube
    cache and 1 (already averaged) from an input cache; ``target`` float32 (14, 64, 64);
    ``keypoints`` float32 (14, 2); ``box`` float32 (4,); ``sequence``, ``frame`` ints.

    :raises DatasetError: missing or short captures or caches, annotations that do not match the
        frame count, a cache from another configuration; the message names the file.
    """

    def __init__(self, root: Union[str, pathlib.Path], cache: Union[str, pathlib.Path],
                 phase: Optional[str] = 'train', sequences: Optional[Sequence[int]] = None,
                 alignment: str = 'centered', num_frames: int = 8,
                 config: VRDAEConfig = VRDAEConfig(), cache_kind: str = 'input',
                 check_captures: bool = True) -> None:
        if cache_kind not in CACHE_KINDS:
            raise DatasetError(f'cache_kind must be one of {CACHE_KINDS}, got {cache_kind!r}')
        frame_window(1, 0, num_frames, alignment)          # validates the alignment
        self.root, self.cache = pathlib.Path(root), pathlib.Path(cache)
        self.alignment, self.num_frames = alignment, num_frames
        self.config, self.cache_kind = config, cache_kind
        if not self.root.is_dir():
            raise DatasetError(f'data root not found: {self.root}')
        if sequences is None:
            if phase is None:
                raise DatasetError('give a phase or a list of sequences')
            labels = read_labels(self.root, phase)
        else:
            every = {}
            for p in PHASES:
                every.update(read_labels(self.root, p))
            missing = [n for n in sequences if n not in every]
            if missing:
                raise DatasetError(f'sequences {missing} are in no split of '
                                   f'{self.root / "splits.json"}')
            labels = {n: every[n] for n in sequences}
        if not labels:
            raise DatasetError(f'split {phase!r} of {self.root} has no sequences')
        self.labels: List[SequenceLabels] = list(labels.values())
        self.inputs: List[Dict[str, np.ndarray]] = []
        for seq in self.labels:
            frames = len(seq.images)
            arrays = {}
            for radar in RADARS:
                if check_captures:
                    self._check_capture(seq.number, radar, frames)
                arrays[radar] = open_cache(self.cache, seq.number, radar, cache_kind, config)
                if arrays[radar].shape[0] != frames:
                    raise DatasetError(
                        f'{self.cache / sequence_name(seq.number) / radar}: the cache holds '
                        f'{arrays[radar].shape[0]} frames but the annotations have {frames}')
            self.inputs.append(arrays)
        self.index = np.array([(s, f) for s, seq in enumerate(self.labels)
                               for f in range(len(seq.images))], dtype=np.int64)

    def _check_capture(self, number: int, radar: str, frames: int) -> None:
        path = self.root / sequence_name(number) / radar / 'adc_data.bin'
        if not path.is_file():
            raise DatasetError(f'capture not found: {path}')
        c = self.config.chirp
        available = count_adc_frames(path, c.num_rx, c.num_chirps, c.num_samples)
        if available < frames:
            raise DatasetError(f'{path}: holds {available} whole frames but the annotations '
                               f'have {frames} (short capture: frame {available} is missing)')
        if available > frames:
            raise DatasetError(f'{path}: holds {available} frames but the annotations have '
                               f'{frames}: annotations and capture do not match')

    def __len__(self) -> int:
        return len(self.index)

    def window(self, item: int) -> np.ndarray:
        """Frame indices (within the sequence) of sample ``item``'s window."""
        s, t = self.index[item]
        return frame_window(len(self.labels[s].images), int(t), self.num_frames,
                            self.alignment)

    def radar_input(self, item: int, radar: str) -> np.ndarray:
        """float32 (N, K, 2, R, A, E) network input of one radar for sample ``item``."""
        s = int(self.index[item][0])
        frames = self.inputs[s][radar][self.window(item)]
        if self.cache_kind == 'input':
            return np.ascontiguousarray(frames, dtype=np.float32)[..., None]
        return model_input(frames, self.config)

    def __getitem__(self, item: int) -> dict:
        if not 0 <= item < len(self):
            raise IndexError(f'sample {item} out of range 0..{len(self) - 1}')
        s, t = (int(v) for v in self.index[item])
        seq = self.labels[s]
        return {'hori': torch.from_numpy(self.radar_input(item, 'hori')),
                'vert': torch.from_numpy(self.radar_input(item, 'vert')),
                'target': torch.from_numpy(keypoint_heatmaps(seq.keypoints[t])),
                'keypoints': torch.from_numpy(seq.keypoints[t]),
                'box': torch.from_numpy(seq.boxes[t]),
                'sequence': seq.number, 'frame': t}

    def image_path(self, item: int) -> pathlib.Path:
        """Camera frame of sample ``item`` (for contact sheets)."""
        s, t = (int(v) for v in self.index[item])
        seq = self.labels[s]
        return self.root / 'frames' / sequence_name(seq.number) / seq.images[t]
