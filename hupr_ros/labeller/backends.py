# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Image labellers: an RGB camera frame -> the 14 HuPR joints in its pixels, with scores.

``hrnet`` (the paper's labeller, needs local weights) and ``blazepose`` (mediapipe's
BlazePose-full, ships with its wheel). The third labeller source, ``ground_truth``, copies
the simulator's joints and needs no image: the labeller node handles it.
"""

import os
import pathlib
import struct
import subprocess
import tempfile
from typing import Optional, Tuple

from hupr_ros.labeller.joints import to_hupr
import numpy as np

BACKENDS = ('ground_truth', 'hrnet', 'blazepose')
#: Skeleton2D.source of each backend's labels.
SOURCES = {'ground_truth': 'simulator_ground_truth', 'hrnet': 'hrnet_labeller',
           'blazepose': 'blazepose_labeller'}
#: Environment variable naming a Python that has mediapipe (see :class:`BlazePoseLabeller`).
BLAZEPOSE_PYTHON_ENV = 'HUPR_BLAZEPOSE_PYTHON'

Label = Optional[Tuple[np.ndarray, np.ndarray]]


class LabellerError(RuntimeError):
    """A labeller that cannot run here (the message says why and what to do)."""


def check_rgb(image: np.ndarray) -> None:
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f'labeller: expected an (H, W, 3) uint8 RGB image, got '
                         f'{image.shape} {image.dtype}')


class HRNetBackend:
    """HRNet-W32 (MPII or COCO weights), mapped to the HuPR joints."""

    source = SOURCES['hrnet']

    def __init__(self, weights: str, device: str = 'cpu', flip_test: bool = False) -> None:
        if not weights:
            raise LabellerError('the hrnet labeller needs weights: pass the path of an '
                                'official HRNet-W32 pose checkpoint (weights:=PATH); nothing '
                                'is downloaded. Without weights use blazepose.')
        from hupr_ros.labeller.hrnet import CheckpointError, HRNetLabeller
        import torch
        if device.startswith('cuda') and not torch.cuda.is_available():
            raise LabellerError(f'device {device!r} asked for, but torch sees no CUDA GPU '
                                'here; use device:=cpu')
        try:
            self.net = HRNetLabeller(weights, device=device, flip_test=flip_test)
        except CheckpointError as error:
            raise LabellerError(str(error)) from None
        self.model_name = f'hrnet_w32_{self.net.joint_set}'

    def __call__(self, image: np.ndarray) -> Label:
        joints, scores = self.net(image)         # checks the image's shape and dtype
        return to_hupr(joints, scores, self.net.joint_set)

    def close(self) -> None:
        pass


class BlazePoseLabeller:
    """
    mediapipe's BlazePose-full (33 landmarks), mapped to the HuPR joints.

    mediapipe 0.10.21 needs numpy < 2. When ``python`` is given (or
    ``$HUPR_BLAZEPOSE_PYTHON`` is set) BlazePose runs in that Python (e.g. the venv that
    ``scripts/setup.sh --blazepose`` makes), behind a pipe; otherwise mediapipe must import
    here.
    """

    source = SOURCES['blazepose']
    model_name = 'blazepose_full'

    def __init__(self, python: str = '') -> None:
        python = python or os.environ.get(BLAZEPOSE_PYTHON_ENV, '')
        self._proc = None
        self._local = None
        if python:
            self._start_worker(python)
            return
        try:
            from hupr_ros.labeller.blazepose_worker import BlazePose
            self._local = BlazePose()
        except ImportError as error:
            raise LabellerError(
                f'the blazepose labeller needs mediapipe==0.10.21 ({error}); it needs numpy < 2, '
                'so install it in its own venv (scripts/setup.sh --blazepose) and pass '
                'blazepose_python:=.venv-blazepose/bin/python') from None

    def _start_worker(self, python: str) -> None:
        from hupr_ros.labeller import blazepose_worker
        if not pathlib.Path(python).is_file():
            raise LabellerError(f'blazepose_python {python}: no such file')
        self._stderr = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            [python, blazepose_worker.__file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr)
        ready = self._proc.stdout.read(blazepose_worker.REPLY_BYTES)
        if len(ready) != blazepose_worker.REPLY_BYTES or ready[0] != 255:
            self._stderr.seek(0)
            tail = self._stderr.read().decode(errors='replace').strip().splitlines()[-3:]
            self.close()
            raise LabellerError(f'BlazePose in {python} did not start: '
                                f'{" / ".join(tail) or "no output"}')

    def landmarks(self, image: np.ndarray) -> Optional[np.ndarray]:
        """(33, 3) x, y (pixels), visibility; None when no person is found."""
        check_rgb(image)
        if self._local is not None:
            return self._local(image)
        from hupr_ros.labeller.blazepose_worker import LANDMARKS, REPLY_BYTES
        image = np.ascontiguousarray(image)
        try:
            self._proc.stdin.write(struct.pack('<II', *image.shape[:2]) + image.tobytes())
            self._proc.stdin.flush()
            reply = self._proc.stdout.read(REPLY_BYTES)
        except (BrokenPipeError, OSError):
            reply = b''
        if len(reply) != REPLY_BYTES:
            raise LabellerError(f'BlazePose worker stopped (exit code {self._proc.poll()})')
        if reply[0] == 0:
            return None
        return np.frombuffer(reply[1:], '<f4').reshape(LANDMARKS, 3).astype(np.float32)

    def __call__(self, image: np.ndarray) -> Label:
        landmarks = self.landmarks(image)
        if landmarks is None:
            return None
        return to_hupr(landmarks[:, :2], landmarks[:, 2], 'blazepose')

    def close(self) -> None:
        if self._proc is not None:
            if self._proc.stdin:
                self._proc.stdin.close()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
            self._proc = None


def make_labeller(backend: str, weights: str = '', device: str = 'cpu',
                  flip_test: bool = False, blazepose_python: str = ''):
    """Return the image labeller ``backend`` ('hrnet' or 'blazepose'), ready to call."""
    if backend == 'hrnet':
        return HRNetBackend(weights, device, flip_test)
    if backend == 'blazepose':
        if device.startswith('cuda'):
            raise LabellerError('blazepose runs on the CPU only; use device:=cpu')
        return BlazePoseLabeller(blazepose_python)
    raise LabellerError(f'labeller backend {backend!r}: expected one of '
                        f'{", ".join(BACKENDS)} (ground_truth needs no image labeller)')
