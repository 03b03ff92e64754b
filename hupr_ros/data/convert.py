# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
The public HuPR layout <-> rosbag2 bags, bit-exact both ways (the ``hupr-import`` command).

The HuPR layout (the public dataset, and what ``hupr-sim`` writes): ``single_N/hori|vert/
adc_data.bin`` (DCA1000 stream format), ``frames/single_N/NNNNNNNNN.jpg`` (camera),
``hrnet_annot_{train,val,test}.json`` (one block of frame annotations per sequence, in the
order of ``splits.json``) and ``splits.json``.

A sequence's bag holds ``radar/hori/raw`` and ``radar/vert/raw`` (hupr_msgs/RadarFrame, the
HuPR chirp configuration), ``camera/image_raw/compressed`` (the JPEG files' bytes as they
are) and ``labels/skeleton`` (hupr_msgs/Skeleton2D, float32 joints), all stamped at
``--start-ns`` + k / frame rate. The original annotation records (float64 as in the JSON) and
the split ride in the bag's ``custom_data``, so ``to-layout`` gives back the same files
byte for byte (ADC captures and JPEGs) and the same annotations (JSON values).

``from-recordings`` takes live recordings instead (``hupr-record`` of the radars with
``labels/skeleton`` or the simulator's ``sim/ground_truth``): one sequence per bag, splits by
bag, radar pairs and labels matched by stamp. hupr-preprocess, hupr-train and hupr-eval then
work on the result as on the public data. ROS-free.
"""

import json
import pathlib
import sys
from typing import Dict, List, Optional, Sequence

from hupr_ros import messages, topics
from hupr_ros.bags import BagWriter, read_messages
from hupr_ros.data.layout import read_splits
from hupr_ros.pairing import PAIR_TOLERANCE_S
from hupr_ros.radar.config import HUPR_CHIRP_CONFIG
from hupr_ros.radar.dca1000 import CaptureFormatError, encode_samples, load_adc_file
import numpy as np
import yaml

CUSTOM_KEY = 'hupr_import'
RADARS = (('hori', topics.ORIENTATION_HORIZONTAL), ('vert', topics.ORIENTATION_VERTICAL))
RAW_TOPICS = (topics.RADAR_HORI_RAW, topics.RADAR_VERT_RAW)


class ConversionError(RuntimeError):
    """The input is not a usable HuPR layout or hupr-import bag (the message names it)."""


def _annotation_blocks(root: pathlib.Path) -> Dict[int, dict]:
    """Map each sequence number to {'split': name, 'annotations': [frame records]}."""
    out = {}
    for split, numbers in read_splits(root).items():
        path = root / f'hrnet_annot_{split}.json'
        if not numbers or not path.is_file():
            continue
        blocks = json.loads(path.read_text())
        if len(blocks) != len(numbers):
            raise ConversionError(f'{path}: {len(blocks)} blocks for {len(numbers)} sequences')
        for number, block in zip(numbers, blocks):
            out[number] = {'split': split, 'annotations': block}
    return out


def to_bags(root: pathlib.Path, out: pathlib.Path, sequences: Optional[Sequence[str]] = None,
            start_ns: int = 1_700_000_000_000_000_000, frame_rate: float = 10.0,
            storage: str = 'mcap') -> List[pathlib.Path]:
    """Write one bag per sequence of ``root`` under ``out``; returns the bag folders."""
    config = HUPR_CHIRP_CONFIG
    labels = _annotation_blocks(root)
    split_names = list(read_splits(root))
    names = sorted((p.name for p in root.glob('single_*') if p.is_dir()),
                   key=lambda n: int(n.split('_')[1]))
    if sequences:
        missing = sorted(set(sequences) - set(names))
        if missing:
            raise ConversionError(f'no such sequence in {root}: {missing} (it has {names})')
        names = [n for n in names if n in sequences]
    if not names:
        raise ConversionError(f'no single_N sequences under {root}')
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        number = int(name.split('_')[1])
        frames = {}
        for folder, _ in RADARS:
            path = root / name / folder / 'adc_data.bin'
            try:
                frames[folder] = load_adc_file(path, config.num_rx, config.num_chirps,
                                               config.num_samples)
            except (OSError, CaptureFormatError) as error:
                raise ConversionError(f'{path}: {error}') from None
        count = min(len(f) for f in frames.values())
        if len(frames['hori']) != len(frames['vert']):
            raise ConversionError(f'{name}: {len(frames["hori"])} horizontal and '
                                  f'{len(frames["vert"])} vertical frames')
        images = sorted((root / 'frames' / name).glob('*.jpg'))
        label = labels.get(number)
        if label is not None and len(label['annotations']) != count:
            raise ConversionError(f'{name}: {len(label["annotations"])} annotations for {count} '
                                  'radar frames')
        bag = out / name
        period = int(round(1e9 / frame_rate))
        with BagWriter(bag, storage=storage) as writer:
            for k in range(count):
                stamp = start_ns + k * period
                for folder, orientation in RADARS:
                    writer.write_radar_frame(orientation, frames[folder][k], config,
                                             stamp_ns=stamp, frame_number=k)
                if k < len(images):
                    writer.write_compressed_image(images[k].read_bytes(), stamp_ns=stamp)
                if label is not None:
                    entry = label['annotations'][k]
                    writer.write_skeleton(topics.LABEL_SKELETON, np.asarray(entry['joints']),
                                          None, stamp_ns=stamp, source='hrnet_labeller',
                                          model_name='hupr_annotation')
            writer.set_custom_data(CUSTOM_KEY, json.dumps({
                'sequence': name, 'frames': count, 'start_ns': start_ns, 'period_ns': period,
                'images': [p.name for p in images[:count]],
                'split': label and label['split'], 'split_names': split_names,
                'annotations': label and label['annotations']}))
        written.append(bag)
    return written


def _capture_bytes(msg) -> bytes:
    """Return a RadarFrame's samples (I, Q interleaved int16) in the DCA1000 capture-file order."""
    iq = np.asarray(msg.data, dtype=np.int16).reshape(-1, 2)
    return encode_samples((iq[:, 0].astype(np.float32) + 1j * iq[:, 1]).astype(np.complex64)) \
        .tobytes()


def _custom(bag: pathlib.Path) -> dict:
    meta = bag / 'metadata.yaml'
    try:
        info = yaml.safe_load(meta.read_text())['rosbag2_bagfile_information']
        return json.loads((info.get('custom_data') or {})[CUSTOM_KEY])
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as error:
        raise ConversionError(f'{bag}: not a hupr-import bag (no {CUSTOM_KEY} in {meta}: '
                              f'{error!r})') from None


def to_layout(bags: pathlib.Path, out: pathlib.Path) -> List[str]:
    """Write the HuPR layout of the hupr-import bags under ``bags`` into ``out``."""
    folders = sorted(p for p in bags.iterdir() if (p / 'metadata.yaml').is_file()) \
        if bags.is_dir() else []
    if not folders:
        raise ConversionError(f'no bags under {bags}')
    splits: Dict[str, List[int]] = {}       # every split the source named, empty ones too
    blocks: Dict[str, List[tuple]] = {}
    names = []
    for bag in folders:
        info = _custom(bag)
        for split in info.get('split_names', []):
            splits.setdefault(split, [])
        name, number = info['sequence'], int(info['sequence'].split('_')[1])
        frames: Dict[str, Dict[int, bytes]] = {'hori': {}, 'vert': {}}
        jpegs = {}
        for topic, _, msg in read_messages(bag):
            if any(topics.is_topic(topic, t) for t in RAW_TOPICS):
                folder = 'hori' if msg.orientation == topics.ORIENTATION_HORIZONTAL else 'vert'
                frames[folder][int(msg.frame_number)] = _capture_bytes(msg)
            elif topics.is_topic(topic, topics.CAMERA_IMAGE_COMPRESSED):
                jpegs[len(jpegs)] = bytes(np.asarray(msg.data, dtype=np.uint8))
        for folder, by_number in frames.items():
            if sorted(by_number) != list(range(info['frames'])):
                raise ConversionError(f'{bag}: {folder} frames {sorted(by_number)[:5]}... do not '
                                      f'cover 0..{info["frames"] - 1}')
            path = out / name / folder / 'adc_data.bin'
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b''.join(by_number[k] for k in range(info['frames'])))
        for k, image in enumerate(info['images']):
            path = out / 'frames' / name / image
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(jpegs[k])
        if info['split']:
            splits.setdefault(info['split'], []).append(number)
            blocks.setdefault(info['split'], []).append((number, info['annotations']))
        names.append(name)
    for split in splits:
        splits[split].sort()
        ordered = [block for _, block in sorted(blocks.get(split, []), key=lambda b: b[0])]
        (out / f'hrnet_annot_{split}.json').write_text(json.dumps(ordered))
    (out / 'splits.json').write_text(json.dumps(splits))
    return names


def _stamp(msg) -> int:
    return int(msg.header.stamp.sec) * 1_000_000_000 + int(msg.header.stamp.nanosec)


def _nearest(stamps: np.ndarray, stamp: int, tolerance_ns: int) -> Optional[int]:
    """Index of the stamp nearest to ``stamp`` within the tolerance (stamps sorted)."""
    if not len(stamps):
        return None
    i = int(np.searchsorted(stamps, stamp))
    best = min((j for j in (i - 1, i) if 0 <= j < len(stamps)),
               key=lambda j: abs(int(stamps[j]) - stamp))
    return best if abs(int(stamps[best]) - stamp) <= tolerance_ns else None


def _jpeg(msg) -> bytes:
    """JPEG bytes of a sensor_msgs/Image or CompressedImage (JPEGs pass through)."""
    if hasattr(msg, 'format'):
        if 'jpeg' in msg.format.lower() or 'jpg' in msg.format.lower():
            return bytes(np.asarray(msg.data, dtype=np.uint8))
        pixels = messages.rgb_pixels(msg)
    else:
        if msg.encoding not in ('rgb8', 'bgr8', 'mono8'):
            raise ConversionError(f'camera image encoding {msg.encoding!r} is not rgb8, bgr8 '
                                  'or mono8')
        pixels = messages.image_pixels(msg)
        pixels = pixels[..., ::-1] if msg.encoding == 'bgr8' else pixels
    return messages.encode_jpeg(pixels, quality=95)


LABEL_TOPICS = (topics.LABEL_SKELETON, topics.SIM_GROUND_TRUTH)


def recordings_to_layout(bags: Sequence[pathlib.Path], out: pathlib.Path,
                         splits: Dict[str, Sequence[str]], label_topic: str = '',
                         tolerance_s: float = PAIR_TOLERANCE_S) -> Dict[str, List[int]]:
    """
    Turn live recordings into the HuPR layout.

    The recordings are bags with both radars and labels (``hupr-record``, the labeller
    node); the layout is what hupr-preprocess / hupr-train / hupr-eval read. One sequence per
    bag (windows never span two recordings), splits by bag. Radar pairs and labels match by
    stamp within ``tolerance_s``; frames without a label are left out. A frame with no camera
    image within ``tolerance_s`` keeps its label but gets no JPEG (reports draw a grey tile in
    its place); a line on stderr says how many. Returns the splits written.
    """
    config = HUPR_CHIRP_CONFIG
    tolerance_ns = int(tolerance_s * 1e9)
    names = [b.name for b in bags]
    unknown = sorted({n for v in splits.values() for n in v} - set(names))
    if unknown:
        raise ConversionError(f'splits name bags that are not given: {unknown}')
    written: Dict[str, List[int]] = {split: [] for split in ('train', 'val', 'test')}
    blocks: Dict[str, List[list]] = {split: [] for split in written}
    for number, bag in enumerate(bags, start=1):
        split = next((s for s, v in splits.items() if bag.name in v), 'train')
        radar: Dict[str, list] = {'hori': [], 'vert': []}
        labels, images, seen = [], [], set()
        for topic, _, msg in read_messages(bag):
            topic = topic.lstrip('/')
            seen.add(topic)
            if any(topics.is_topic(topic, t) for t in RAW_TOPICS):
                c = msg.config
                got = (int(c.num_rx), int(c.num_chirps), int(c.num_samples))
                want = (config.num_rx, config.num_chirps, config.num_samples)
                if got != want:
                    raise ConversionError(f'{bag}: {topic} frame {msg.frame_number} has (rx, '
                                          f'chirps, samples) {got}, the HuPR geometry is {want}')
                radar['hori' if topics.is_topic(topic, topics.RADAR_HORI_RAW) else 'vert'].append(
                    (_stamp(msg), msg))
            elif label_topic and topics.is_topic(topic, label_topic) or not label_topic and any(
                    topics.is_topic(topic, t) for t in LABEL_TOPICS):
                labels.append((_stamp(msg), msg))
            elif topics.is_topic(topic, topics.CAMERA_IMAGE) or \
                    topics.is_topic(topic, topics.CAMERA_IMAGE_COMPRESSED):
                images.append((_stamp(msg), msg))
        if not radar['hori'] or not radar['vert'] or not labels:
            raise ConversionError(
                f"{bag}: needs both radars' raw frames and labels "
                f'({label_topic or " or ".join(LABEL_TOPICS)}); it has {sorted(seen)}')
        for items in (radar['hori'], radar['vert'], labels, images):
            items.sort(key=lambda x: x[0])
        vert_stamps = np.array([t for t, _ in radar['vert']], np.int64)
        label_stamps = np.array([t for t, _ in labels], np.int64)
        image_stamps = np.array([t for t, _ in images], np.int64)
        name = f'single_{number}'
        adc = {'hori': [], 'vert': []}
        block, no_image = [], 0
        for stamp, hori in radar['hori']:
            v = _nearest(vert_stamps, stamp, tolerance_ns)
            lab = _nearest(label_stamps, stamp, tolerance_ns)
            if v is None or lab is None:
                continue
            for folder, msg in (('hori', hori), ('vert', radar['vert'][v][1])):
                adc[folder].append(_capture_bytes(msg))
            skeleton = labels[lab][1]
            joints = np.stack([np.asarray(skeleton.x, np.float64),
                               np.asarray(skeleton.y, np.float64)], axis=1)
            image = f'{len(block):09d}.jpg'
            i = _nearest(image_stamps, stamp, tolerance_ns)
            path = out / 'frames' / name / image
            path.parent.mkdir(parents=True, exist_ok=True)
            if i is not None:
                path.write_bytes(_jpeg(images[i][1]))
            else:
                no_image += 1
            block.append({'image': image, 'joints': joints.tolist(),
                          'bbox': [float(joints[:, 0].min()), float(joints[:, 1].min()),
                                   float(joints[:, 0].max()), float(joints[:, 1].max())]})
        if not block:
            raise ConversionError(f'{bag}: no radar pair has a label within {tolerance_s} s')
        if no_image:
            print(f'hupr-import: {bag}: {no_image} of {len(block)} frames have no camera image '
                  f'within {tolerance_s} s (no JPEG written for them)', file=sys.stderr)
        for folder, chunks in adc.items():
            path = out / name / folder / 'adc_data.bin'
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b''.join(chunks))
        written[split].append(number)
        blocks[split].append(block)
    for split, numbers in written.items():
        (out / f'hrnet_annot_{split}.json').write_text(json.dumps(blocks[split]))
    (out / 'splits.json').write_text(json.dumps(written))
    return written
