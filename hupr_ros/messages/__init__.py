# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
What crosses DDS and goes into bags: building, validating and reading our messages.

This package is the ROS edge in one place. This module (ROS-free) builds and validates every
message we write; :mod:`hupr_ros.messages.ros` gives it rclpy's generated classes and reads
messages back into arrays (it needs the generated message packages, not rclpy).

The same functions fill a message for rclpy (``hupr_ros.messages.ros``, the generated
classes) and for the rosbags writer (``hupr_ros.bags``, the typestore's classes), so a bag
written without ROS holds exactly what a node publishes. A backend is a :class:`Backend`:
``make(type_name, **fields)`` builds a message from *all* its fields, and ``array(typecode,
values)`` turns a numpy array into what that backend stores in an unbounded array field
(fixed-size arrays are numpy arrays in both). ROS-free.
"""

import array
from typing import Callable, Optional, Tuple

from hupr_ros.radar.config import ChirpConfig
from hupr_ros.radar.dca1000 import interleave_iq
from hupr_ros.skeleton import NUM_JOINTS
from hupr_ros.topics import ORIENTATIONS
import numpy as np

#: Image encodings we write and read, with their channel counts (16UC1: depth, uint16).
ENCODINGS = {'rgb8': 3, 'bgr8': 3, 'mono8': 1, '16UC1': 1}
#: Pixel type of each encoding.
PIXEL_TYPES = {'rgb8': np.uint8, 'bgr8': np.uint8, 'mono8': np.uint8, '16UC1': np.uint16}


class ConversionError(ValueError):
    """A message or array does not have the shape, size or type the conversion needs."""


class Backend:
    """How one message library builds messages (see the module docstring)."""

    def __init__(self, make: Callable[..., object],
                 array: Callable[[str, np.ndarray], object]) -> None:
        self.make, self.array = make, array


def time(backend: Backend, ns: int):
    """builtin_interfaces/Time of integer nanoseconds since the epoch (>= 0)."""
    ns = int(ns)
    if ns < 0:
        raise ConversionError(f'stamp must be >= 0 ns, got {ns}')
    return backend.make('builtin_interfaces/msg/Time', sec=ns // 1_000_000_000,
                        nanosec=ns % 1_000_000_000)


def header(backend: Backend, stamp_ns: int, frame_id: str):
    return backend.make('std_msgs/msg/Header', stamp=time(backend, stamp_ns),
                        frame_id=str(frame_id))


def chirp_config(backend: Backend, config: ChirpConfig):
    return backend.make('hupr_msgs/msg/ChirpConfig', **config.message_fields())


def radar_frame(backend: Backend, frame: np.ndarray, config: ChirpConfig, *, stamp_ns: int,
                frame_id: str, frame_number: int, orientation: str, packets_expected: int = 0,
                packets_received: int = 0, bytes_zero_filled: int = 0):
    """
    Build a hupr_msgs/RadarFrame.

    hupr_msgs/RadarFrame of complex (chirps, rx, samples) samples with integer-valued parts
    (saturated to int16, never wrapped) or int16 (chirps, rx, samples, 2) I, Q.
    """
    if orientation not in ORIENTATIONS:
        raise ConversionError(f'orientation must be one of {ORIENTATIONS}, got {orientation!r}')
    expected = (config.num_chirps, config.num_rx, config.num_samples)
    if np.iscomplexobj(frame):
        if frame.shape != expected:
            raise ConversionError(f'frame shape {frame.shape} != (chirps, rx, samples) {expected}')
        iq = interleave_iq(frame)
    else:
        if frame.shape != expected + (2,) or frame.dtype != np.int16:
            raise ConversionError(
                f'frame {frame.dtype} {frame.shape} is neither complex {expected} '
                f'nor int16 {expected + (2,)}')
        iq = frame
    return backend.make(
        'hupr_msgs/msg/RadarFrame', header=header(backend, stamp_ns, frame_id),
        frame_number=int(frame_number), orientation=orientation,
        config=chirp_config(backend, config), data=backend.array('h', iq.reshape(-1)),
        packets_expected=int(packets_expected), packets_received=int(packets_received),
        bytes_zero_filled=int(bytes_zero_filled), zero_filled=bytes_zero_filled > 0)


def skeleton(backend: Backend, keypoints: np.ndarray, confidence: Optional[np.ndarray], *,
             stamp_ns: int, frame_id: str, source: str, model_name: str = '',
             image_size: Tuple[int, int] = (256, 256)):
    """hupr_msgs/Skeleton2D of (14, 2) pixels and (14,) confidences (None: all 1)."""
    keypoints = np.asarray(keypoints, dtype=np.float32)
    if keypoints.shape != (NUM_JOINTS, 2):
        raise ConversionError(f'keypoints shape {keypoints.shape} != ({NUM_JOINTS}, 2)')
    if confidence is None:
        confidence = np.ones(NUM_JOINTS, dtype=np.float32)
    confidence = np.asarray(confidence, dtype=np.float32)
    if confidence.shape != (NUM_JOINTS,):
        raise ConversionError(f'confidence shape {confidence.shape} != ({NUM_JOINTS},)')
    if not (np.isfinite(keypoints).all() and np.isfinite(confidence).all()):
        raise ConversionError('keypoints or confidence contain NaN or inf')
    return backend.make(
        'hupr_msgs/msg/Skeleton2D', header=header(backend, stamp_ns, frame_id), source=source,
        model_name=model_name, image_width=int(image_size[0]), image_height=int(image_size[1]),
        x=keypoints[:, 0].copy(), y=keypoints[:, 1].copy(),   # fixed size: numpy in both
        confidence=confidence)


def image(backend: Backend, pixels: np.ndarray, *, stamp_ns: int, frame_id: str,
          encoding: str = 'rgb8'):
    """
    Build a sensor_msgs/Image.

    sensor_msgs/Image of uint8 (H, W, 3) rgb8 / bgr8, uint8 (H, W) mono8 or uint16 (H, W)
    16UC1 (depth) pixels, little-endian, rows packed (step = width x bytes per pixel).
    """
    if encoding not in ENCODINGS:
        raise ConversionError(f'encoding {encoding!r} not one of {sorted(ENCODINGS)}')
    channels, dtype = ENCODINGS[encoding], np.dtype(PIXEL_TYPES[encoding])
    pixels = np.asarray(pixels)
    ok = pixels.dtype == dtype and (
        pixels.ndim == 3 and pixels.shape[2] == channels or pixels.ndim == 2 and channels == 1)
    if not ok:
        raise ConversionError(f'{encoding} needs {dtype} (H, W{", 3" if channels == 3 else ""}),'
                              f' got {pixels.dtype} {pixels.shape}')
    height, width = pixels.shape[:2]
    data = np.ascontiguousarray(pixels, dtype=dtype.newbyteorder('<')).view(np.uint8)
    return backend.make('sensor_msgs/msg/Image', header=header(backend, stamp_ns, frame_id),
                        height=height, width=width, encoding=encoding, is_bigendian=0,
                        step=width * channels * dtype.itemsize,
                        data=backend.array('B', data.reshape(-1)))


def compressed_image(backend: Backend, data: bytes, *, stamp_ns: int, frame_id: str,
                     fmt: str = 'jpeg'):
    """sensor_msgs/CompressedImage holding encoded bytes as they are (e.g. a JPEG file)."""
    if not data:
        raise ConversionError('compressed image: no bytes')
    return backend.make('sensor_msgs/msg/CompressedImage',
                        header=header(backend, stamp_ns, frame_id), format=fmt,
                        data=backend.array('B', np.frombuffer(bytes(data), np.uint8)))


def image_pixels(msg) -> np.ndarray:
    """
    Return the pixels of a sensor_msgs/Image (rclpy or rosbags message).

    uint8 (H, W, 3) / (H, W) or uint16 (H, W) pixels of an rgb8, bgr8, mono8 or 16UC1 image
    (rows may be padded: ``step`` >= the row's bytes).
    """
    if msg.encoding not in ENCODINGS:
        raise ConversionError(f'image encoding {msg.encoding!r} not one of {sorted(ENCODINGS)}')
    channels = ENCODINGS[msg.encoding]
    dtype = np.dtype(PIXEL_TYPES[msg.encoding])
    dtype = dtype.newbyteorder('>' if msg.is_bigendian else '<')
    data = np.frombuffer(msg.data, dtype=np.uint8) if isinstance(msg.data, (array.array, bytes)) \
        else np.asarray(msg.data, dtype=np.uint8)
    row = msg.width * channels * dtype.itemsize
    if msg.step < row or data.size != msg.step * msg.height:
        raise ConversionError(f'image {msg.width}x{msg.height} {msg.encoding}: step {msg.step},'
                              f' {data.size} bytes')
    pixels = data.reshape(msg.height, msg.step)[:, :row].copy().view(dtype).astype(
        dtype.newbyteorder('='))
    return pixels.reshape(msg.height, msg.width, channels) if channels > 1 \
        else pixels.reshape(msg.height, msg.width)


def rgb_pixels(msg) -> np.ndarray:
    """Return a sensor_msgs/Image (rgb8, bgr8, mono8) or CompressedImage as RGB uint8 pixels."""
    if hasattr(msg, 'format'):              # CompressedImage: JPEG, PNG, ...
        import io

        from PIL import Image
        try:
            return np.asarray(Image.open(io.BytesIO(bytes(np.asarray(msg.data, np.uint8))))
                              .convert('RGB'))
        except (OSError, ValueError) as error:
            raise ConversionError(f'compressed image ({msg.format}) does not decode: '
                                  f'{error}') from None
    pixels = image_pixels(msg)
    if msg.encoding == 'bgr8':
        return np.ascontiguousarray(pixels[..., ::-1])
    if msg.encoding == 'mono8':
        return np.repeat(pixels[..., None], 3, axis=2)
    if msg.encoding != 'rgb8':
        raise ConversionError(f'image encoding {msg.encoding!r} has no RGB (rgb8, bgr8, mono8)')
    return pixels


def encode_jpeg(pixels: np.ndarray, quality: int = 95) -> bytes:
    """Return the JPEG bytes of uint8 RGB (H, W, 3) or mono (H, W) pixels."""
    import io

    from PIL import Image
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(out, format='JPEG', quality=int(quality))
    return out.getvalue()
