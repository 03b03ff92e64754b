# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
A labelled recording: radar frames, camera images and labels into one rosbag2 bag.

ROS-free; the labeller node feeds it live messages and ``hupr-label`` the messages of an
existing bag. Radar frames are stored as received (serialised). Camera images are stored
raw or, with ``jpeg_quality``, as JPEG ``CompressedImage`` on ``.../compressed``. Each image
is labelled (by a worker thread when live) and the label, a ``hupr_msgs/Skeleton2D`` on
``labels/skeleton``, carries the image's stamp. With the ``ground_truth`` backend the
simulator's joints are the labels. Labelling that falls behind drops the *label* of a
frame, never the frame, and counts it (``counts['not_labelled']``).
"""

import queue
import threading
import time
from typing import Callable, Dict, Optional

from hupr_ros import messages, topics
from hupr_ros.bags import rosbags_backend
from hupr_ros.bags.recording import RecordingWriter
from hupr_ros.guards import ErrorLog
import numpy as np

IMAGE_TYPE = topics.MSG_TYPES[topics.CAMERA_IMAGE]
COMPRESSED_TYPE = topics.MSG_TYPES[topics.CAMERA_IMAGE_COMPRESSED]
SKELETON_TYPE = topics.MSG_TYPES[topics.LABEL_SKELETON]


class LabelRecorder:
    """
    Writes one labelled recording.

    ``labeller``: an image labeller (see :mod:`hupr_ros.labeller.backends`) or None for the
    ``ground_truth`` source.

    ``live``: label on a worker thread with a queue of ``queue_size`` images (a full queue
    means labelling is behind: that image gets no label, and is counted); otherwise label
    in the caller's thread (offline).
    """

    def __init__(self, writer: RecordingWriter, labeller=None, *, namespace: str = '/',
                 jpeg_quality: int = 0, live: bool = True, queue_size: int = 4,
                 qos: Optional[Dict[str, tuple]] = None,
                 clock_ns: Callable[[], int] = time.time_ns,
                 log: Callable[[str], None] = lambda line: None) -> None:
        self.writer = writer
        self.labeller = labeller
        self.jpeg_quality = int(jpeg_quality)
        self.clock_ns = clock_ns
        self.log = log
        self.backend = rosbags_backend(writer.store)
        self.errors = ErrorLog()
        self.counts = {'radar_frames': 0, 'images': 0, 'labels': 0, 'not_labelled': 0,
                       'no_person': 0}
        self.label_seconds = []
        prefix = '/' + namespace.strip('/') + '/' if namespace.strip('/') else '/'
        self.topic = {name: prefix + name for name in (
            topics.RADAR_HORI_RAW, topics.RADAR_VERT_RAW, topics.CAMERA_IMAGE,
            topics.CAMERA_IMAGE_COMPRESSED, topics.LABEL_SKELETON)}
        qos = qos or {}
        written = [topics.RADAR_HORI_RAW, topics.RADAR_VERT_RAW, topics.LABEL_SKELETON]
        if labeller is not None:
            written.append(topics.CAMERA_IMAGE_COMPRESSED if jpeg_quality else
                           topics.CAMERA_IMAGE)
        types = {name: topics.MSG_TYPES[name] for name in written}
        self._lock = threading.Lock()
        with self._lock:
            for name, msgtype in types.items():
                writer.add_topic(self.topic[name], msgtype, qos.get(name, ()))
        self._queue: Optional[queue.Queue] = None
        self._worker = None
        if live and labeller is not None:
            self._queue = queue.Queue(maxsize=max(1, int(queue_size)))
            self._worker = threading.Thread(target=self._work, name='labeller', daemon=True)
            self._worker.start()

    def _write(self, name: str, cdr: bytes) -> None:
        with self._lock:
            self.writer.write(self.topic[name], self.clock_ns(), cdr)

    def radar(self, topic: str, cdr: bytes) -> None:
        """Record a serialised hupr_msgs/RadarFrame of radar/hori/raw or radar/vert/raw."""
        self._write(topic, cdr)
        self.counts['radar_frames'] += 1

    def ground_truth(self, cdr: bytes) -> None:
        """Record a serialised Skeleton2D of the simulator as the label."""
        self._write(topics.LABEL_SKELETON, cdr)
        self.counts['labels'] += 1

    def image(self, rgb: np.ndarray, stamp_ns: int, frame_id: str, raw_cdr: bytes = b'') -> None:
        """One camera frame (RGB uint8): store it, then label it (queued when live)."""
        if self.labeller is None:
            return
        if self.jpeg_quality:
            msg = messages.compressed_image(self.backend,
                                            messages.encode_jpeg(rgb, self.jpeg_quality),
                                            stamp_ns=stamp_ns, frame_id=frame_id)
            self._write(topics.CAMERA_IMAGE_COMPRESSED,
                        self.writer.store.serialize_cdr(msg, COMPRESSED_TYPE))
        else:
            if not raw_cdr:
                msg = messages.image(self.backend, rgb, stamp_ns=stamp_ns, frame_id=frame_id)
                raw_cdr = self.writer.store.serialize_cdr(msg, IMAGE_TYPE)
            self._write(topics.CAMERA_IMAGE, raw_cdr)
        self.counts['images'] += 1
        job = (rgb, stamp_ns, frame_id)
        if self._queue is None:
            self._label(*job)
            return
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            self.counts['not_labelled'] += 1
            self._problem('behind', f'labelling is behind: the frame at {stamp_ns} ns is '
                                    'stored without a label')

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                self._label(*job)
            except Exception as error:  # noqa: B902 - report and keep the recording going
                self.counts['not_labelled'] += 1
                self._problem('label_failed', f'labelling failed: {error}')

    def _problem(self, kind: str, message: str) -> None:
        line = self.errors.report(kind, message)
        if line is not None:
            self.log(line)

    def _label(self, rgb: np.ndarray, stamp_ns: int, frame_id: str) -> None:
        start = time.perf_counter()
        result = self.labeller(rgb)
        self.label_seconds.append(time.perf_counter() - start)
        del self.label_seconds[:-200]
        if result is None:
            self.counts['no_person'] += 1
            return
        joints, scores = result
        msg = messages.skeleton(
            self.backend, joints, np.clip(scores, 0.0, 1.0), stamp_ns=stamp_ns,
            frame_id=frame_id, source=self.labeller.source,
            model_name=self.labeller.model_name, image_size=(rgb.shape[1], rgb.shape[0]))
        self._write(topics.LABEL_SKELETON, self.writer.store.serialize_cdr(msg, SKELETON_TYPE))
        self.counts['labels'] += 1

    def pending(self) -> int:
        return self._queue.qsize() if self._queue is not None else 0

    def close(self, drain_s: float = 10.0) -> None:
        """Label what is queued (for at most ``drain_s``), then close the bag."""
        if self._worker is not None:
            deadline = time.monotonic() + drain_s
            while self._queue.qsize() and time.monotonic() < deadline:
                time.sleep(0.02)
            while True:            # whatever is left is not labelled, and counted
                try:
                    if self._queue.get_nowait() is not None:
                        self.counts['not_labelled'] += 1
                except queue.Empty:
                    break
            self._queue.put(None)
            self._worker.join(timeout=drain_s)
        if self.labeller is not None:
            self.labeller.close()
        with self._lock:
            self.writer.close()
