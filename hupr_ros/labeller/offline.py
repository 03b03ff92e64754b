# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Offline labelling: a recording labelled into a new bag, and a labeller scored on simulated frames.

The library behind ``hupr-label`` (no ROS). :func:`label_bag` copies a recording's radar
frames and images and adds a ``labels/skeleton`` label per image; :func:`score` labels
simulated camera frames and measures OKS AP and pixel errors against the exact joints.
"""

import pathlib
import time
from typing import Optional

from hupr_ros import messages, topics
from hupr_ros.bags import open_reader
from hupr_ros.bags.recording import RecordingWriter
from hupr_ros.labeller.recorder import LabelRecorder
import numpy as np


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
                          if topics.is_topic(topic, t)), None)
            if radar:
                recorder.radar(radar, bytes(raw))
            elif labeller is None and topics.is_topic(topic, topics.SIM_GROUND_TRUTH):
                recorder.ground_truth(bytes(raw))
            elif labeller is not None and (topics.is_topic(topic, topics.CAMERA_IMAGE) or
                                           topics.is_topic(topic, topics.CAMERA_IMAGE_COMPRESSED)):
                msg = writer.store.deserialize_cdr(raw, connection.msgtype)
                stamp_ns = msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec
                recorder.image(messages.rgb_pixels(msg), stamp_ns, msg.header.frame_id)
    finally:
        reader.close()
        recorder.close()
    return recorder.counts


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
    from hupr_ros.sim.dataset import simulated_frames
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
