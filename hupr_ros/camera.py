# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Camera capture for labelling (ROS-free; ``camera_node`` is the ROS edge).

A source is a device index (``0``), a V4L2 path (``/dev/video0``), a video file or a folder of
images, read with OpenCV (``opencv-python-headless``). :func:`load_calibration` reads the ROS
``camera_calibration`` YAML; :func:`crop_square` gives the paper's square frames (centre crop,
resized) with the intrinsics moved to match.
"""

import dataclasses
import pathlib
from typing import List, Optional, Tuple

from hupr_ros.yaml_files import read_yaml
import numpy as np

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp')


class CameraError(RuntimeError):
    """A camera source cannot be opened or read (the message says which and why)."""


def _cv2():
    try:
        import cv2
    except ImportError as error:
        raise CameraError('OpenCV is not installed (pip install opencv-python-headless)') \
            from error
    return cv2


class FolderSource:
    """The images of a folder in name order, as BGR frames; ``loop`` starts over at the end."""

    def __init__(self, folder: pathlib.Path, loop: bool = False) -> None:
        self.files: List[pathlib.Path] = sorted(
            p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.files:
            raise CameraError(f'camera source {folder}: no images ({", ".join(IMAGE_SUFFIXES)})')
        self.loop, self.index = loop, 0

    def read(self) -> Optional[np.ndarray]:
        if self.index >= len(self.files):
            if not self.loop:
                return None
            self.index = 0
        path = self.files[self.index]
        self.index += 1
        frame = _cv2().imread(str(path), 1)      # 1: 3-channel BGR
        if frame is None:
            raise CameraError(f'{path}: not a readable image')
        return frame

    def close(self) -> None:
        pass


class CvSource:
    """OpenCV VideoCapture of a device index, a V4L2 path or a video file."""

    def __init__(self, source: str, width: int = 0, height: int = 0, fps: float = 0.0,
                 fourcc: str = '', loop: bool = False) -> None:
        cv2 = _cv2()
        self.source, self.loop = source, loop
        target = int(source) if source.isdigit() else source
        if isinstance(target, str) and not pathlib.Path(target).exists():
            raise CameraError(f'camera source {source}: no such device or file')
        self.capture = cv2.VideoCapture(target)
        if not self.capture.isOpened():
            raise CameraError(f'camera source {source}: cannot open it (busy in another '
                              'program, no permission (video group), or not a camera/video)')
        if fourcc:
            self.capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*fourcc[:4]))
        for prop, value in ((cv2.CAP_PROP_FRAME_WIDTH, width),
                            (cv2.CAP_PROP_FRAME_HEIGHT, height), (cv2.CAP_PROP_FPS, fps)):
            if value:
                self.capture.set(prop, value)
        self.is_file = isinstance(target, str) and pathlib.Path(target).is_file()

    def read(self) -> Optional[np.ndarray]:
        ok, frame = self.capture.read()
        if not ok and self.is_file and self.loop:
            self.capture.set(_cv2().CAP_PROP_POS_FRAMES, 0)
            ok, frame = self.capture.read()
        return frame if ok else None

    def close(self) -> None:
        self.capture.release()


def open_source(source: str, width: int = 0, height: int = 0, fps: float = 0.0,
                fourcc: str = '', loop: bool = False):
    """Return a :class:`FolderSource` for a folder, else a :class:`CvSource`."""
    if not source:
        raise CameraError("camera source is empty: give a device index ('0'), a path such "
                          'as /dev/video0, a video file or an image folder')
    path = pathlib.Path(source)
    if path.is_dir():
        return FolderSource(path, loop)
    return CvSource(source, width, height, fps, fourcc, loop)


@dataclasses.dataclass
class Calibration:
    """A ``camera_calibration`` YAML: image size, K (3x3), distortion, R (3x3), P (3x4)."""

    width: int
    height: int
    k: np.ndarray
    distortion_model: str
    d: np.ndarray
    r: np.ndarray
    p: np.ndarray

    @classmethod
    def pinhole(cls, width: int, height: int, fx: float, fy: float, cx: float,
                cy: float) -> 'Calibration':
        k = np.array([[fx, 0, cx], [0, fy, cy], [0, 0, 1]], float)
        return cls(width, height, k, 'plumb_bob', np.zeros(5), np.eye(3),
                   np.hstack([k, np.zeros((3, 1))]))


def _matrix(data: dict, key: str, shape: Tuple[int, int], path) -> np.ndarray:
    try:
        entry = data[key]
        values = np.asarray(entry['data'], float)
        rows, cols = int(entry['rows']), int(entry['cols'])
    except (KeyError, TypeError, ValueError) as error:
        raise CameraError(f'{path}: {key} needs rows, cols and data ({error!r})') from None
    if values.size != rows * cols or (shape and (rows, cols) != shape):
        raise CameraError(f'{path}: {key} is {rows}x{cols} with {values.size} values, expected '
                          f'{shape[0]}x{shape[1]}')
    return values.reshape(rows, cols)


def load_calibration(path) -> Calibration:
    """
    Read a ROS camera_calibration YAML file.

    Read a ROS ``camera_calibration`` YAML (image_width, image_height, camera_matrix,
    distortion_model, distortion_coefficients, rectification_matrix, projection_matrix).
    """
    path = pathlib.Path(path)
    data = read_yaml(path, 'calibration file', CameraError)
    if not isinstance(data, dict) or 'image_width' not in data or 'image_height' not in data:
        raise CameraError(f'calibration file {path}: not a camera_calibration YAML '
                          '(image_width, image_height, camera_matrix, ...)')
    d = _matrix(data, 'distortion_coefficients', None, path).reshape(-1)
    return Calibration(int(data['image_width']), int(data['image_height']),
                       _matrix(data, 'camera_matrix', (3, 3), path),
                       str(data.get('distortion_model', 'plumb_bob')), d,
                       _matrix(data, 'rectification_matrix', (3, 3), path),
                       _matrix(data, 'projection_matrix', (3, 4), path))


def crop_square(frame: np.ndarray, size: int = 256,
                calibration: Optional[Calibration] = None
                ) -> Tuple[np.ndarray, Optional[Calibration]]:
    """
    Centre-crop ``frame`` to a square and resize it to ``size`` x ``size`` (the paper's frames).

    The calibration's K and P follow (shift by the crop, scale by the resize).
    """
    height, width = frame.shape[:2]
    side = min(height, width)
    x0, y0 = (width - side) // 2, (height - side) // 2
    crop = frame[y0:y0 + side, x0:x0 + side]
    out = _cv2().resize(crop, (size, size), interpolation=_cv2().INTER_AREA) \
        if side != size else crop.copy()
    if calibration is None:
        return out, None
    scale = size / side
    move = np.array([[scale, 0, -x0 * scale], [0, scale, -y0 * scale], [0, 0, 1]])
    return out, dataclasses.replace(calibration, width=size, height=size,
                                    k=move @ calibration.k, p=move @ calibration.p)


def to_encoding(bgr: np.ndarray, encoding: str) -> np.ndarray:
    """Convert an OpenCV BGR frame to ``encoding`` (bgr8, rgb8 or mono8)."""
    if encoding == 'bgr8':
        return bgr
    if encoding == 'rgb8':
        return np.ascontiguousarray(bgr[..., ::-1])
    if encoding == 'mono8':
        return _cv2().cvtColor(bgr, _cv2().COLOR_BGR2GRAY)
    raise CameraError(f"encoding {encoding!r}: the camera node publishes 'bgr8', 'rgb8' or "
                      "'mono8'")
