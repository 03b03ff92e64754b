# Copyright 2026 The hupr_ros Authors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""hupr-sim: write a HuPR-Sim dataset in the public HuPR on-disk layout (no ROS).

    OUT/single_N/hori/adc_data.bin     DCA1000 captures (complex int16, 2 lanes), N = 1, 2, ...
    OUT/single_N/vert/adc_data.bin
    OUT/single_N/joints_3d.npy         ground-truth 3-D joints (frames, 14, 3), sensor frame
    OUT/frames/single_N/000000000.jpg  camera frames, 256x256
    OUT/hrnet_annot_{train,val,test}.json   per split, a list per sequence of
                                       {"image", "joints" [[x, y] x 14], "bbox" [x0, y0, x1, y1]}
                                       (the published annotation format)
    OUT/splits.json                    sequence numbers of each split
    OUT/sim_meta.json                  subject and motion of every sequence, simulator config
    OUT/bags/single_N/                 with --bags: a rosbag2 (mcap) bag of the sequence with
                                       both raw radar topics, the camera and the ground truth

Six subjects; the last appears only in the test split (as in the paper). Sequences cycle
through the motions. Deterministic for a seed; finished sequences are skipped on re-runs.
"""

import argparse
import dataclasses
import json
import os
import pathlib
import sys
from concurrent.futures import as_completed, ProcessPoolExecutor
from typing import Dict, List, Optional, Sequence

import numpy as np

from hupr_ros.radar.dca1000 import encode_samples
from hupr_ros.sim.body import make_subjects, MOTIONS, Motion, random_motion
from hupr_ros.sim.scene import SimConfig, Simulator

NUM_SUBJECTS = 6


def plan(num_sequences: int, seed: int) -> List[dict]:
    """Subject, motion and split of every sequence (1-based numbers)."""
    rng = np.random.default_rng(seed)
    sequences = []
    for n in range(1, num_sequences + 1):
        subject = (n - 1) % NUM_SUBJECTS
        motion = random_motion(rng, MOTIONS[(n - 1) % len(MOTIONS)])
        split = 'test' if subject == NUM_SUBJECTS - 1 else ('val' if n % 10 == 9 else 'train')
        sequences.append({'sequence': n, 'subject': subject, 'split': split,
                          'motion': dataclasses.asdict(motion),
                          'seed': int(rng.integers(1 << 31))})
    if not any(s['split'] == 'val' for s in sequences):
        candidates = [s for s in sequences if s['split'] == 'train']
        if len(candidates) > 1:
            candidates[-1]['split'] = 'val'
    return sequences


#: Stamp of frame 0 of every sequence in bags (2026-01-01T00:00:00Z); frames follow at 10 Hz.
BAG_EPOCH_NS = 1_767_225_600 * 1_000_000_000


def write_sequence(out: str, entry: dict, frames: int, config: SimConfig,
                   subjects_seed: int, bags: bool = False) -> List[dict]:
    """Simulate one sequence into the layout; return its annotation blocks."""
    root = pathlib.Path(out)
    name = f'single_{entry["sequence"]}'
    seq_dir, frame_dir = root / name, root / 'frames' / name
    done = seq_dir / 'sim_done.json'
    if done.is_file():
        return json.loads(done.read_text())['annotations']
    from PIL import Image
    subject = make_subjects(subjects_seed)[entry['subject']]
    motion = Motion(**{k: tuple(v) if isinstance(v, list) else v
                       for k, v in entry['motion'].items()})
    sim = Simulator(subject, motion, config, seed=entry['seed'])
    for radar in ('hori', 'vert'):
        (seq_dir / radar).mkdir(parents=True, exist_ok=True)
    frame_dir.mkdir(parents=True, exist_ok=True)
    annotations, joints_3d = [], []
    bag = None
    if bags:
        from hupr_ros.bags import BagWriter
        bag_path = root / 'bags' / name
        if bag_path.exists():       # an interrupted earlier run: its bag is incomplete
            import shutil
            shutil.rmtree(bag_path)
        bag_path.parent.mkdir(parents=True, exist_ok=True)
        bag = BagWriter(bag_path).__enter__()
    with open(seq_dir / 'hori' / 'adc_data.bin', 'wb') as hori, \
            open(seq_dir / 'vert' / 'adc_data.bin', 'wb') as vert:
        for k in range(frames):
            frame = sim.frame(k)
            hori.write(encode_samples(frame.hori).tobytes())
            vert.write(encode_samples(frame.vert).tobytes())
            if bag is not None:
                stamp = BAG_EPOCH_NS + int(round(k * 1e9 / config.frame_rate))
                bag.write_radar_frame('horizontal', frame.hori, config.chirp, stamp_ns=stamp,
                                      frame_number=k)
                bag.write_radar_frame('vertical', frame.vert, config.chirp, stamp_ns=stamp,
                                      frame_number=k)
                bag.write_image(frame.image, stamp_ns=stamp)
                bag.write_skeleton('sim/ground_truth', frame.keypoints, None, stamp_ns=stamp,
                                   source='simulator_ground_truth', model_name='hupr_sim')
            image = f'{k:09d}.jpg'
            Image.fromarray(frame.image).save(frame_dir / image, quality=92)
            annotations.append({'image': image, 'joints': frame.keypoints.tolist(),
                                'bbox': list(frame.bbox)})
            joints_3d.append(frame.joints_3d)
    if bag is not None:
        bag.__exit__(None, None, None)
    np.save(seq_dir / 'joints_3d.npy', np.asarray(joints_3d, dtype=np.float32))
    done.write_text(json.dumps({'frames': frames, 'annotations': annotations}))
    return annotations


def write_dataset(out: pathlib.Path, num_sequences: int = 6, frames: int = 100, seed: int = 0,
                  config: SimConfig = SimConfig(), workers: int = 1,
                  progress: bool = True, bags: bool = False) -> Dict[str, List[int]]:
    """Write the whole dataset; return the split -> sequence numbers mapping."""
    out.mkdir(parents=True, exist_ok=True)
    sequences = plan(num_sequences, seed)
    results: Dict[int, List[dict]] = {}
    from tqdm import tqdm
    with tqdm(total=num_sequences * frames, unit='frame', disable=not progress) as bar, \
            ProcessPoolExecutor(max(1, workers)) as pool:
        futures = {pool.submit(write_sequence, str(out), entry, frames, config, seed, bags):
                   entry['sequence'] for entry in sequences}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            bar.update(frames)
    splits = {phase: [s['sequence'] for s in sequences if s['split'] == phase]
              for phase in ('train', 'val', 'test')}
    for phase, numbers in splits.items():
        (out / f'hrnet_annot_{phase}.json').write_text(
            json.dumps([results[n] for n in numbers]))
    (out / 'splits.json').write_text(json.dumps(splits, indent=1))
    meta = {'seed': seed, 'frames': frames, 'sequences': sequences,
            'config': {k: v for k, v in dataclasses.asdict(config).items()
                       if k not in ('chirp', 'hori_mount', 'vert_mount')},
            'intrinsics': config.intrinsics}
    (out / 'sim_meta.json').write_text(json.dumps(meta, indent=1, default=str))
    return splits


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='hupr-sim', description=__doc__.split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('out', type=pathlib.Path)
    parser.add_argument('--sequences', type=int, default=6)
    parser.add_argument('--frames', type=int, default=100, help='frames per sequence (10 Hz)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--brightness', type=float, default=1.0)
    parser.add_argument('--workers', type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument('--bags', action='store_true', help='also write a rosbag2 per sequence')
    args = parser.parse_args(argv)
    if args.sequences < 1 or args.frames < 1:
        parser.error('--sequences and --frames must be >= 1')
    splits = write_dataset(args.out, args.sequences, args.frames, args.seed,
                           SimConfig(brightness=args.brightness), args.workers,
                           bags=args.bags)
    print(f'wrote {args.out}: ' + ', '.join(f'{k} {v}' for k, v in splits.items()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
