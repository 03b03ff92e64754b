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

"""
hupr-label: label recordings offline, and measure a labeller against the simulator.

    hupr-label bag IN OUT --backend hrnet --weights W.pth   # IN's radars + camera -> OUT
    hupr-label score --backend blazepose [--sequences 6 --frames 60]

``bag`` reads a recording with both radars and the camera (raw ``Image`` or JPEG
``CompressedImage``) and writes a new bag with the radar frames and images as they were and a
``labels/skeleton`` label per image (``ground_truth``: the recording's ``sim/ground_truth``).
``score`` renders simulated camera frames, labels them and prints the OKS AP (overall and per
joint) and pixel errors against the simulator's exact joints, with the labelling speed.
ROS-free.
"""

import argparse
import json
import os
import pathlib
import sys
import time
from typing import Optional, Sequence

from hupr_ros import messages, topics
from hupr_ros.bags import BagError, open_reader
from hupr_ros.labeller.backends import BACKENDS, LabellerError, make_labeller
from hupr_ros.labeller.recorder import LabelRecorder
from hupr_ros.recording import RecordingWriter
from hupr_ros.tools.common import fail
import numpy as np

PROG = 'hupr-label'


def label_bag(source: pathlib.Path, out: pathlib.Path, labeller, jpeg_quality: int = 0) -> dict:
    """
    Label a recording into a new bag.

    Copy ``source``'s radar frames and images into the new bag ``out`` and label each
    image (``labeller`` None: the recording's ``sim/ground_truth`` become the labels).
    """
    reader = open_reader(source)
    writer = RecordingWriter(out).open()
    recorder = LabelRecorder(writer, labeller, jpeg_quality=jpeg_quality, live=False)
    recorder.clock_ns = lambda: stamp     # log time = the source message's log time (below)
    try:
        for connection, stamp, raw in reader.messages():
            topic = connection.topic.lstrip('/')
            radar = next((t for t in (topics.RADAR_HORI_RAW, topics.RADAR_VERT_RAW)
                          if topic.endswith(t)), None)
            if radar:
                recorder.radar(radar, bytes(raw))
            elif labeller is None and topic.endswith(topics.SIM_GROUND_TRUTH):
                recorder.ground_truth(bytes(raw))
            elif labeller is not None and (topic.endswith(topics.CAMERA_IMAGE) or
                                           topic.endswith(topics.CAMERA_IMAGE_COMPRESSED)):
                msg = writer.store.deserialize_cdr(raw, connection.msgtype)
                stamp_ns = msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec
                recorder.image(messages.rgb_pixels(msg), stamp_ns, msg.header.frame_id)
    finally:
        reader.close()
        recorder.close()
    return recorder.counts


def simulated_frames(sequences: int, frames: int, seed: int = 0):
    """
    Yield simulated camera frames with their exact joints.

    (image, keypoints, box) of ``frames`` frames of each of ``sequences`` simulated people
    (one motion each; frames without a person are skipped).
    """
    from hupr_ros.sim.body import make_subjects, random_motion
    from hupr_ros.sim.scene import SimConfig, Simulator
    rng = np.random.default_rng(seed)
    subjects = make_subjects(seed, 6)
    for s in range(sequences):
        sim = Simulator(subjects[s % len(subjects)], random_motion(rng), SimConfig(), seed=s)
        for index in range(frames):
            frame = sim.frame(index * 3)        # 0.3 s apart: more poses per sequence
            if frame.present:
                yield frame.image, frame.keypoints, frame.bbox


def score(labeller, sequences: int, frames: int, sheet: Optional[pathlib.Path] = None,
          sheet_frames: int = 6) -> dict:
    """
    Label simulated frames; OKS AP and errors against the exact joints, and speed.

    With ``sheet``, a contact sheet of ``sheet_frames`` of them is written there (PNG).
    """
    from hupr_ros.metrics import evaluate_poses
    preds, gts, boxes, seconds, images = [], [], [], [], []
    missed = 0
    cpu0 = time.process_time()
    for image, keypoints, box in simulated_frames(sequences, frames):
        start = time.perf_counter()
        result = labeller(image)
        seconds.append(time.perf_counter() - start)
        if result is None:          # no person found: scored as a miss at the image centre
            missed += 1
            result = (np.full((14, 2), image.shape[1] / 2, np.float32), None)
        preds.append(result[0])
        gts.append(keypoints)
        boxes.append(box)
        images.append(image if sheet is not None else None)
    cpu = time.process_time() - cpu0
    metrics = evaluate_poses(np.stack(preds), np.stack(gts), np.array(boxes))
    if sheet is not None:
        from hupr_ros.reports import contact_sheet
        from PIL import Image
        picks = np.linspace(0, len(preds) - 1, min(sheet_frames, len(preds))).astype(int)
        errors = [float(np.linalg.norm(preds[i] - gts[i], axis=1).mean()) for i in picks]
        Image.fromarray(contact_sheet(
            [images[i] for i in picks], np.stack(gts)[picks], np.stack(preds)[picks],
            [f'#{i}  {e:.0f} px' for i, e in zip(picks, errors)])).save(sheet)
    return {'frames': len(preds), 'no_person': missed, **metrics.as_dict(),
            'frames_per_s': len(seconds) / sum(seconds),
            'ms_per_frame_median': 1e3 * float(np.median(seconds)),
            'cpu_s_per_frame_this_process': cpu / len(seconds)}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.strip().split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.strip().split('\n', 1)[1])
    sub = parser.add_subparsers(dest='command', required=True)
    b = sub.add_parser('bag', help='label a recording into a new bag')
    b.add_argument('source', type=pathlib.Path)
    b.add_argument('out', type=pathlib.Path)
    b.add_argument('--jpeg-quality', type=int, default=0,
                   help='store images as JPEG CompressedImage (1-100; 0: raw Image)')
    s = sub.add_parser('score', help='label simulated frames and score against the truth')
    s.add_argument('--sequences', type=int, default=6)
    s.add_argument('--frames', type=int, default=40, help='frames per sequence')
    s.add_argument('--json', type=pathlib.Path, help='also write the figures here')
    s.add_argument('--sheet', type=pathlib.Path,
                   help='also write a contact sheet (labels red, truth green) here (PNG)')
    for p in (b, s):
        p.add_argument('--backend', choices=BACKENDS if p is b else BACKENDS[1:],
                       default='hrnet')
        p.add_argument('--weights', default='', help='hrnet: HRNet-W32 checkpoint')
        p.add_argument('--device', default='cpu')
        p.add_argument('--flip-test', action='store_true')
        p.add_argument('--blazepose-python', default='',
                       help='a Python with mediapipe 0.10.21 (default: this one, or '
                            '$HUPR_BLAZEPOSE_PYTHON)')
    args = parser.parse_args(argv)
    labeller = None
    try:
        if args.backend != 'ground_truth':
            labeller = make_labeller(args.backend, args.weights, args.device, args.flip_test,
                                     args.blazepose_python)
        if args.command == 'bag':
            counts = label_bag(args.source, args.out, labeller, args.jpeg_quality)
            print(f'{PROG}: {args.out}: ' + ', '.join(f'{k} {v}' for k, v in counts.items()))
            return 0
        if labeller is None:
            return fail(PROG, 'score needs an image labeller')
        figures = score(labeller, args.sequences, args.frames, args.sheet)
    except (LabellerError, BagError, ValueError) as error:
        return fail(PROG, str(error))
    finally:
        if labeller is not None and args.command == 'score':
            labeller.close()
    print(f'{args.backend} on {figures["frames"]} simulated frames ({figures["no_person"]} '
          f'without a detection): AP {figures["ap"]:.1f}, AP50 {figures["ap50"]:.1f}, '
          f'mean error {figures["mean_error_px"]:.1f} px, '
          f'{figures["frames_per_s"]:.1f} frames/s ({os.cpu_count()} CPUs)')
    print('per joint AP: ' + ', '.join(f'{k} {v:.1f}' for k, v in figures['joint_ap'].items()))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == '__main__':
    sys.exit(main())
