# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Write a HuPR-Sim dataset in the public HuPR on-disk layout (no ROS; the ``hupr-sim`` command).

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

Two plans. ``--plan generative`` (the default): every sequence has a body of its own, drawn
from anthropometric ranges, and a generated motion (each arm raised, lowered, swung and held at
random angles and speeds, independently or together; standing, turning, walking in any
direction across the field of view, leaning), at a random noise and clutter level; sequences
go to the splits at random (75% train, 10% val, 15% test), so the test split holds bodies and
motions never seen in training. ``--plan classic``: six subjects, the last only in the test
split (as in the paper), sequences cycling through four scripted motions. Deterministic for a
seed. Interrupted runs resume: run the same command
again and finished sequences are kept (a capture is written as ``adc_data.bin.partial`` and
renamed when complete). A folder made with other parameters is refused unless ``--overwrite``
replaces it; ``sim_meta.json`` says ``"complete": false`` until every sequence is written.
"""

import dataclasses
import json
import pathlib
import re
import shutil
from typing import Dict, List, Optional

from hupr_ros.jobs import run_jobs
from hupr_ros.radar.dca1000 import encode_samples
from hupr_ros.sim.body import GENERATED, make_subjects, Motion, MOTIONS, random_motion, Subject
from hupr_ros.sim.motion_gen import sample_subject
from hupr_ros.sim.scene import SimConfig, Simulator
import numpy as np

NUM_SUBJECTS = 6
PLANS = ('generative', 'classic')
#: Shares of the generative plan's sequences in each split.
GENERATIVE_SPLITS = (('train', 0.75), ('val', 0.10), ('test', 0.15))
#: Per-sequence ranges of the generative plan's receiver noise (ADC counts) and clutter level.
NOISE_RANGE = (1.5, 6.0)
CLUTTER_SCALE_RANGE = (0.3, 3.0)


def trained_on_body(data_command: str, seed: int, subject: int) -> Optional[bool]:
    """
    Whether ``make_subjects(seed)[subject]`` (the body the simulator node shows) trained a model.

    :param data_command: the ``hupr-sim`` command(s) that made the model's data (its checkpoint
        metadata's ``data_command``, written when a model is shipped; several sets joined by
        ``;`` or ``&&``, each read on its own). A command without ``--plan`` is read as the
        classic plan, hupr-sim's default when the six-subject models were made.
    :return: True when any set trained on that body: the classic plan's subjects of the same
        seed but the last (test split only). False when every set says no (the generative plan
        draws a body per sequence, never one of the six; another seed). None when no command
        is a ``hupr-sim`` one.
    """
    answers = [_set_trained_on_body(part, seed, subject)
               for part in re.split(r';|&&', data_command) if 'hupr-sim' in part]
    if not answers:
        return None
    return any(answers)


def _set_trained_on_body(command: str, seed: int, subject: int) -> bool:
    if '--plan generative' in command:
        return False
    found = re.search(r'--seed (\d+)', command)
    data_seed = int(found.group(1)) if found else 0
    return data_seed == seed and subject != NUM_SUBJECTS - 1


def plan(num_sequences: int, seed: int, kind: str = 'classic') -> List[dict]:
    """Subject, motion and split of every sequence (1-based numbers)."""
    if kind == 'generative':
        return plan_generative(num_sequences, seed)
    if kind != 'classic':
        raise ValueError(f'plan must be one of {PLANS}, got {kind!r}')
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


def plan_generative(num_sequences: int, seed: int) -> List[dict]:
    """
    Draw a body, a generated motion, a noise and clutter level and a split per sequence.

    Bodies, motions, levels and splits come from separate random streams, so none predicts
    another; each body and motion seed belongs to one sequence only.
    """
    bodies = np.random.default_rng([seed, 1])
    motions = np.random.default_rng([seed, 2])
    levels = np.random.default_rng([seed, 3])
    order = np.random.default_rng([seed, 4]).permutation(num_sequences)
    counts = [int(round(share * num_sequences)) for _, share in GENERATIVE_SPLITS[1:]]
    if num_sequences >= 3:
        counts = [max(c, 1) for c in counts]
    split_of = {}
    for rank, index in enumerate(order):
        split_of[int(index) + 1] = ('test' if rank < counts[1] else
                                    'val' if rank < counts[1] + counts[0] else 'train')
    sequences = []
    for n in range(1, num_sequences + 1):
        body = sample_subject(bodies, f'body_{seed}_{n}')
        motion = random_motion(motions, GENERATED)
        noise = float(levels.uniform(*NOISE_RANGE))
        clutter = float(np.exp(levels.uniform(*np.log(CLUTTER_SCALE_RANGE))))
        sequences.append({'sequence': n, 'subject': body.name, 'split': split_of[n],
                          'body': dataclasses.asdict(body), 'motion': dataclasses.asdict(motion),
                          'sim': {'noise_std': noise, 'clutter_scale': clutter},
                          'seed': int(levels.integers(1 << 31))})
    return sequences


#: Stamp of frame 0 of every sequence in bags (2026-01-01T00:00:00Z); frames follow at 10 Hz.
BAG_EPOCH_NS = 1_767_225_600 * 1_000_000_000


def simulator_for(entry: dict, config: SimConfig, subjects_seed: int) -> Simulator:
    """Return the simulator of one planned sequence (an entry of sim_meta.json's sequences)."""
    if 'body' in entry:
        subject = Subject(**entry['body'])
    else:
        subject = make_subjects(subjects_seed)[entry['subject']]
    if entry.get('sim'):
        config = dataclasses.replace(config, **entry['sim'])
    motion = Motion(**{k: tuple(v) if isinstance(v, list) else v
                       for k, v in entry['motion'].items()})
    return Simulator(subject, motion, config, seed=entry['seed'])


def write_sequence(out: str, entry: dict, frames: int, config: SimConfig,
                   subjects_seed: int, bags: bool = False) -> List[dict]:
    """Simulate one sequence into the layout; return its annotation blocks."""
    root = pathlib.Path(out)
    name = f'single_{entry["sequence"]}'
    seq_dir, frame_dir = root / name, root / 'frames' / name
    done = seq_dir / 'sim_done.json'
    if done.is_file():
        record = json.loads(done.read_text())
        if record.get('entry') == json.loads(json.dumps(entry)) and \
                record.get('frames') == frames:
            return record['annotations']
    from PIL import Image
    sim = simulator_for(entry, config, subjects_seed)
    config = sim.config
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
    partial = {radar: seq_dir / radar / 'adc_data.bin.partial' for radar in ('hori', 'vert')}
    with open(partial['hori'], 'wb') as hori, open(partial['vert'], 'wb') as vert:
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
    for radar, path in partial.items():        # complete captures only carry the real name
        path.replace(seq_dir / radar / 'adc_data.bin')
    done.write_text(json.dumps({'frames': frames, 'entry': entry, 'annotations': annotations}))
    return annotations


class DatasetExists(ValueError):
    """The output folder holds a dataset made with other parameters."""


def _parameters(meta: dict) -> dict:
    return {'seed': meta.get('seed'), 'frames': meta.get('frames'),
            'plan': meta.get('plan', 'classic'),
            'sequences': len(meta.get('sequences', ())), 'config': meta.get('config')}


def _describe(parameters: dict) -> str:
    return '--plan {plan} --sequences {sequences} --frames {frames} --seed {seed}'.format(
        **parameters)


def _clear(out: pathlib.Path) -> None:
    for path in [*out.glob('single_*'), out / 'frames', out / 'bags']:
        if path.is_dir():
            shutil.rmtree(path)
    for path in [*out.glob('hrnet_annot_*.json'), out / 'splits.json', out / 'sim_meta.json']:
        path.unlink(missing_ok=True)


def _prepare(out: pathlib.Path, meta: dict, overwrite: bool) -> None:
    """
    Refuse (or with ``overwrite`` clear) a folder holding another dataset.

    Then write the metadata of the one about to be written, marked incomplete.
    """
    meta_path = out / 'sim_meta.json'
    if meta_path.is_file():
        try:
            old = json.loads(meta_path.read_text())
        except ValueError:
            old = {}
        if _parameters(old) != _parameters(meta):
            if not overwrite:
                differs = ([f'simulator settings {old.get("config")}']
                           if old.get('config') != meta['config'] else [])
                raise DatasetExists(
                    f'{out} holds a HuPR-Sim set made with {_describe(_parameters(old))}'
                    + (f' and other {differs[0]}' if differs else '')
                    + f'; this run asks for {_describe(_parameters(meta))}. Pass --overwrite '
                    'to replace it, or choose another folder')
            _clear(out)
    elif any(out.glob('single_*')):
        if not overwrite:
            raise DatasetExists(f'{out} holds single_* folders that no sim_meta.json describes; '
                                'pass --overwrite to replace them, or choose another folder')
        _clear(out)
    meta_path.write_text(json.dumps({**meta, 'complete': False}, indent=1, default=str))


def write_dataset(out: pathlib.Path, num_sequences: int = 6, frames: int = 100, seed: int = 0,
                  config: SimConfig = SimConfig(), workers: int = 1,
                  progress: bool = True, bags: bool = False,
                  overwrite: bool = False, plan_kind: str = 'generative'
                  ) -> Dict[str, List[int]]:
    """
    Write the whole dataset; return the split -> sequence numbers mapping.

    :raises DatasetExists: ``out`` holds a dataset made with other parameters (and not
        ``overwrite``).
    """
    out.mkdir(parents=True, exist_ok=True)
    sequences = plan(num_sequences, seed, plan_kind)
    meta = {'seed': seed, 'frames': frames, 'plan': plan_kind, 'sequences': sequences,
            'config': {k: v for k, v in dataclasses.asdict(config).items()
                       if k not in ('chirp', 'hori_mount', 'vert_mount') and
                       not (k == 'body_parts' and not v)},      # sets made before it existed
            'intrinsics': config.intrinsics}
    meta = json.loads(json.dumps(meta, default=str))     # as it reads back from disk
    _prepare(out, meta, overwrite)
    results: Dict[int, List[dict]] = {}
    from tqdm import tqdm
    jobs = [(entry['sequence'], (str(out), entry, frames, config, seed, bags))
            for entry in sequences]
    with tqdm(total=num_sequences * frames, unit='frame', disable=not progress) as bar:
        for sequence, future in run_jobs(write_sequence, jobs, workers):
            results[sequence] = future.result()
            bar.update(frames)
    splits = {phase: [s['sequence'] for s in sequences if s['split'] == phase]
              for phase in ('train', 'val', 'test')}
    for phase, numbers in splits.items():
        (out / f'hrnet_annot_{phase}.json').write_text(
            json.dumps([results[n] for n in numbers]))
    (out / 'splits.json').write_text(json.dumps(splits, indent=1))
    (out / 'sim_meta.json').write_text(json.dumps({**meta, 'complete': True}, indent=1))
    return splits


def simulated_frames(sequences: int, frames: int, seed: int = 0):
    """
    Yield ``(image, keypoints, box)``: simulated camera frames with their exact joints.

    ``frames`` frames of each of ``sequences`` simulated people, one motion each; frames without
    a person are skipped.
    """
    rng = np.random.default_rng(seed)
    subjects = make_subjects(seed, 6)
    for s in range(sequences):
        sim = Simulator(subjects[s % len(subjects)], random_motion(rng), SimConfig(), seed=s)
        for index in range(frames):
            frame = sim.frame(index * 3)        # 0.3 s apart: more poses per sequence
            if frame.present:
                yield frame.image, frame.keypoints, frame.bbox
