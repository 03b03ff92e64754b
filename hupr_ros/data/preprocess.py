# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
HuPR-layout captures -> cached VRDAEMaps on disk (no ROS; the ``hupr-preprocess`` command).

Input (the public HuPR layout)::

    ROOT/single_N/hori/adc_data.bin
    ROOT/single_N/vert/adc_data.bin

Output, per sequence and radar::

    OUT/single_N/hori/vrdae.npy    (frames, 16, 64, 64, 8), complex64 (default, exact) or
                                   float16 (frames, 16, 64, 64, 8, 2) re/im, each frame scaled
                                   by 1/max|.| (halves the disk; ~1e-3 relative error, which the
                                   per-map normalisation does not remove: not for reproducing
                                   published numbers)
    OUT/single_N/hori/vrdae.json   written last: source size, frame count, dtype, config

With ``--output input`` it writes the training cache instead: the published network input of
every frame (K Doppler bins, re/im, normalised per map) already averaged over elevation -- the
network's first operation -- as float32 (frames, K, 2, 64, 64) in ``input.npy`` / ``input.json``.
That is 256 KiB per radar frame instead of 4 MiB (a 5,000-frame set: 2.5 GB for both radars)
and saves the per-map normalisation at every training step, with the same numbers to float32
rounding. ``hupr_ros.data.HuPRDataset`` reads either cache.

Resumable: frames are written into the .npy in place and a ``.progress`` file records how many
are done; a sequence whose ``vrdae.json`` matches its source is skipped.
"""

import json
import logging
import pathlib
from typing import List, Sequence, Tuple

from hupr_ros.data.cache import cache_name, config_metadata, RADARS, training_input
from hupr_ros.dsp import vrdae_map, VRDAEConfig
from hupr_ros.radar.dca1000 import count_adc_frames, read_adc_frames
import numpy as np

_LOG = logging.getLogger('hupr-preprocess')
DTYPES = ('complex64', 'float16')
CHUNK = 8


def find_jobs(root: pathlib.Path) -> List[Tuple[str, str]]:
    """(sequence name, radar) for every ``single_*/{hori,vert}/adc_data.bin`` under root."""
    if not root.is_dir():
        raise FileNotFoundError(f'input folder not found: {root}')
    jobs = []
    for seq in sorted(root.glob('single_*'), key=lambda p: (len(p.name), p.name)):
        for radar in RADARS:
            if (seq / radar / 'adc_data.bin').is_file():
                jobs.append((seq.name, radar))
    return jobs


def _metadata(source: pathlib.Path, frames: int, dtype: str, config: VRDAEConfig,
              output: str = 'cube') -> dict:
    meta = {'source': str(source), 'source_bytes': source.stat().st_size, 'frames': frames,
            'dtype': dtype, 'output': output, 'config': config_metadata(config)}
    return json.loads(json.dumps(meta))   # as it reads back from disk (tuples -> lists)


def is_done(out_dir: pathlib.Path, source: pathlib.Path, dtype: str,
            config: VRDAEConfig, output: str = 'cube') -> bool:
    meta_path = out_dir / f'{cache_name(output)}.json'
    if not meta_path.is_file():
        return False
    meta = json.loads(meta_path.read_text())
    expected = _metadata(source, meta.get('frames', -1), dtype, config, output)
    return all(meta.get(k) == expected[k] for k in ('source_bytes', 'dtype', 'config'))


def preprocess_capture(source: pathlib.Path, out_dir: pathlib.Path, dtype: str = 'complex64',
                       config: VRDAEConfig = VRDAEConfig(), progress=None,
                       output: str = 'cube') -> int:
    """
    Write the VRDAEMaps (or the training input) of one capture.

    Return the number of frames (resumes if possible).
    """
    if dtype not in DTYPES:
        raise ValueError(f'dtype must be one of {DTYPES}, got {dtype!r}')
    name = cache_name(output)
    if output == 'input':
        dtype = 'float32'
    c = config.chirp
    geometry = (c.num_rx, c.num_chirps, c.num_samples)
    frames = count_adc_frames(source, *geometry)
    if frames == 0:
        raise ValueError(f'{source}: no whole frame in {source.stat().st_size} bytes')
    tail = source.stat().st_size - frames * c.frame_bytes
    if tail:
        _LOG.warning('%s: dropping an incomplete last frame (%d bytes)', source, tail)
    out_dir.mkdir(parents=True, exist_ok=True)
    if output == 'input':
        shape = (frames,) + config.input_shape[:-1]
    else:
        shape = (frames,) + config.cube_shape + ((2,) if dtype == 'float16' else ())
    npy, progress_path = out_dir / f'{name}.npy', out_dir / f'.{name}.progress'
    done = 0
    if npy.is_file() and progress_path.is_file():
        cache = np.lib.format.open_memmap(npy, mode='r+')
        if cache.shape == shape and str(cache.dtype) == dtype:
            done = int(progress_path.read_text() or 0)
        else:
            del cache
    if done == 0:
        cache = np.lib.format.open_memmap(npy, mode='w+', dtype=dtype, shape=shape)
    if progress is not None:
        progress.update(done)
    for start in range(done, frames, CHUNK):
        count = min(CHUNK, frames - start)
        cubes = vrdae_map(read_adc_frames(source, start, count, *geometry), config)
        if output == 'input':
            cache[start:start + count] = training_input(cubes, config)
        elif dtype == 'float16':
            scale = np.abs(cubes).reshape(count, -1).max(axis=1).reshape(-1, 1, 1, 1, 1)
            cubes = cubes / np.where(scale > 0, scale, 1)
            cache[start:start + count] = np.stack([cubes.real, cubes.imag], -1)
        else:
            cache[start:start + count] = cubes
        cache.flush()
        progress_path.write_text(str(start + count))
        if progress is not None:
            progress.update(count)
    del cache
    (out_dir / f'{name}.json').write_text(json.dumps(
        _metadata(source, frames, dtype, config, output), indent=1))
    progress_path.unlink(missing_ok=True)
    return frames


def preprocess_job(args: Tuple[str, str, str, str, str, VRDAEConfig, str]) -> Tuple[str, int]:
    """One capture of a job list: ``(root, out, seq, radar, dtype, config, output)``."""
    root, out, seq, radar, dtype, config, output = args
    source = pathlib.Path(root) / seq / radar / 'adc_data.bin'
    frames = preprocess_capture(source, pathlib.Path(out) / seq / radar, dtype, config,
                                output=output)
    return f'{seq}/{radar}', frames


def frame_count_mismatches(out: pathlib.Path, sequences: Sequence[str], config: VRDAEConfig,
                           output: str) -> List[str]:
    """Sequences whose two radars' caches hold different numbers of frames, in words."""
    lines = []
    name = cache_name(output)
    for seq in sequences:
        counts = {}
        for radar in RADARS:
            meta = out / seq / radar / f'{name}.json'
            if meta.is_file():
                counts[radar] = json.loads(meta.read_text()).get('frames')
        if len(set(counts.values())) > 1:
            lines.append(f'{seq}: the radars have different frame counts ('
                         + ', '.join(f'{r} {n}' for r, n in counts.items())
                         + '): a capture is truncated or a radar dropped frames; the '
                         'training dataset refuses a sequence whose captures disagree with '
                         'its annotations')
    return lines
