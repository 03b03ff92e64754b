# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Conversions between hupr_msgs / sensor_msgs messages and NumPy arrays (rclpy's classes).

The messages we write are built and validated by :mod:`hupr_ros.messages`, which the rosbags
writer shares; this module gives it the generated classes (:data:`RCLPY`) and reads messages
back. Needs the generated message packages (hupr_msgs, std_msgs, sensor_msgs) but not rclpy.
Large arrays take the fast path: ``array.array.frombytes`` into the message (a per-element
numpy assignment costs ~50x more) and ``np.frombuffer`` out of it (zero-copy on an
``array.array``). See bench/bench_msg_conversions.py.
"""

import array
from typing import Optional, Sequence, Tuple

from builtin_interfaces.msg import Time
from hupr_msgs.msg import ChirpConfig as ChirpConfigMsg
from hupr_msgs.msg import CubeAxis, RadarCube, RadarFrame, RadarInputPair, Skeleton2D
from hupr_ros import messages
from hupr_ros.dsp.axes import AxisSpec, input_axes, motion_axes
from hupr_ros.dsp.config import VRDAEConfig
from hupr_ros.messages import ConversionError
from hupr_ros.radar.config import ChirpConfig
from hupr_ros.window_input import FrameInput
import numpy as np
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Header


# --------------------------------------------------------------------------- time and headers

def stamp_from_ns(ns: int) -> Time:
    """Return a builtin_interfaces/Time for integer nanoseconds since the epoch."""
    return messages.time(RCLPY, ns)


def ns_from_stamp(stamp: Time) -> int:
    """Return integer nanoseconds of a builtin_interfaces/Time."""
    return int(stamp.sec) * 1_000_000_000 + int(stamp.nanosec)


def make_header(stamp_ns: int, frame_id: str) -> Header:
    """Return a std_msgs/Header."""
    return messages.header(RCLPY, stamp_ns, frame_id)


def _fast_array(typecode: str, values: np.ndarray) -> array.array:
    out = array.array(typecode)
    out.frombytes(memoryview(np.ascontiguousarray(values)).cast('B'))   # one copy, not two
    return out


_CLASSES = {'builtin_interfaces/msg/Time': Time, 'std_msgs/msg/Header': Header,
            'hupr_msgs/msg/ChirpConfig': ChirpConfigMsg, 'hupr_msgs/msg/RadarFrame': RadarFrame,
            'hupr_msgs/msg/Skeleton2D': Skeleton2D, 'sensor_msgs/msg/Image': Image,
            'sensor_msgs/msg/CompressedImage': CompressedImage}
#: The generated (rclpy) classes as a message backend of :mod:`hupr_ros.messages`; large
#: arrays go in as ``array.array`` (``frombytes``: the fast path).
RCLPY = messages.Backend(lambda name, **fields: _CLASSES[name](**fields), _fast_array)


# --------------------------------------------------------------------------- chirp config

def chirp_config_to_msg(config: ChirpConfig) -> ChirpConfigMsg:
    """Return the hupr_msgs/ChirpConfig of a ChirpConfig."""
    return messages.chirp_config(RCLPY, config)


def chirp_config_from_msg(msg: ChirpConfigMsg) -> ChirpConfig:
    """Return the ChirpConfig of a hupr_msgs/ChirpConfig (validated)."""
    config = ChirpConfig(
        num_tx=msg.num_tx, num_rx=msg.num_rx, num_loops=msg.num_loops,
        num_samples=msg.num_samples, start_frequency=msg.start_frequency, slope=msg.slope,
        sample_rate=msg.sample_rate, idle_time=msg.idle_time,
        adc_start_time=msg.adc_start_time, ramp_end_time=msg.ramp_end_time,
        frame_period=msg.frame_period)
    if msg.num_chirps != config.num_chirps:
        raise ConversionError(
            f'ChirpConfig num_chirps {msg.num_chirps} != num_loops * num_tx = {config.num_chirps}')
    return config


# --------------------------------------------------------------------------- raw radar frames

def frame_to_msg(frame: np.ndarray, config: ChirpConfig, *, stamp_ns: int, frame_id: str,
                 frame_number: int, orientation: str, packets_expected: int = 0,
                 packets_received: int = 0, bytes_zero_filled: int = 0) -> RadarFrame:
    """
    Return a hupr_msgs/RadarFrame (:func:`hupr_ros.messages.radar_frame`).

    :param frame: complex (chirps, rx, samples) with integer-valued parts, or int16 (chirps, rx,
        samples, 2) with I, Q in the last axis.
    :param config: the chirp configuration the frame was captured with.
    """
    return messages.radar_frame(
        RCLPY, frame, config, stamp_ns=stamp_ns, frame_id=frame_id, frame_number=frame_number,
        orientation=orientation, packets_expected=packets_expected,
        packets_received=packets_received, bytes_zero_filled=bytes_zero_filled)


def msg_to_frame(msg: RadarFrame) -> np.ndarray:
    """Return complex64 (chirps, rx, samples) of a hupr_msgs/RadarFrame."""
    c = msg.config
    shape = (int(c.num_chirps), int(c.num_rx), int(c.num_samples))
    iq = np.frombuffer(msg.data, dtype=np.int16) if isinstance(msg.data, array.array) \
        else np.asarray(msg.data, dtype=np.int16)
    if iq.size != 2 * shape[0] * shape[1] * shape[2]:
        raise ConversionError(
            f'RadarFrame {msg.frame_number}: {iq.size} int16 values, expected 2 * '
            f'{shape[0]} chirps * {shape[1]} rx * {shape[2]} samples = {2 * np.prod(shape)}')
    iq = iq.reshape(shape + (2,)).astype(np.float32)
    return iq.view(np.complex64)[..., 0]


# --------------------------------------------------------------------------- radar cubes

def cube_to_msg(cube: np.ndarray, axes: Sequence[AxisSpec], *, stamp_ns: int, frame_id: str,
                frame_number: int, orientation: str, representation: str = 'vrdaemap',
                zero_filled: bool = False) -> RadarCube:
    """
    Return a hupr_msgs/RadarCube.

    :param cube: complex (shape of ``axes``) or float32 (shape of ``axes``, plus a trailing
        ``complex`` axis of size 2 when the last AxisSpec is named 'complex').
    :param axes: one AxisSpec per physical axis of ``cube`` (complex cubes: without the re/im
        axis).
    """
    shape = tuple(int(a.size) for a in axes)
    if np.iscomplexobj(cube):
        if cube.shape != shape:
            raise ConversionError(f'cube shape {cube.shape} != axes {shape}')
        data = np.ascontiguousarray(cube, dtype=np.complex64).view(np.float32)
        axes = list(axes) + [AxisSpec('complex', 2)]
    else:
        if cube.shape != shape:
            raise ConversionError(f'cube shape {cube.shape} != axes {shape}')
        data = np.asarray(cube, dtype=np.float32)
    msg = RadarCube(header=make_header(stamp_ns, frame_id), frame_number=int(frame_number),
                    orientation=orientation, representation=representation,
                    zero_filled=bool(zero_filled))
    msg.axes = [axis_to_msg(a) for a in axes]
    msg.data = _fast_array('f', data)
    return msg


def axis_to_msg(axis: AxisSpec) -> CubeAxis:
    """Return the hupr_msgs/CubeAxis of an AxisSpec."""
    if axis.values and len(axis.values) != axis.size:
        raise ConversionError(
            f'axis {axis.name!r}: {len(axis.values)} values for {axis.size} bins')
    msg = CubeAxis(name=axis.name, size=int(axis.size), unit=axis.unit)
    msg.values = _fast_array('f', np.asarray(axis.values, dtype=np.float32))
    return msg


def msg_to_axes(msg: RadarCube) -> Tuple[AxisSpec, ...]:
    """Return the AxisSpecs of a hupr_msgs/RadarCube (including a 'complex' axis if any)."""
    return tuple(AxisSpec(a.name, int(a.size), a.unit, tuple(float(v) for v in a.values))
                 for a in msg.axes)


def msg_to_cube(msg: RadarCube) -> np.ndarray:
    """
    Return the cube of a hupr_msgs/RadarCube.

    complex64 over the physical axes when the last axis is 'complex', else float32.
    Zero-copy for messages received through rclpy.
    """
    shape = tuple(int(a.size) for a in msg.axes)
    data = np.frombuffer(msg.data, dtype=np.float32) if isinstance(msg.data, array.array) \
        else np.asarray(msg.data, dtype=np.float32)
    if data.size != int(np.prod(shape)):
        raise ConversionError(
            f'RadarCube {msg.frame_number}: {data.size} values do not fill the axes '
            f'{[(a.name, a.size) for a in msg.axes]} = {int(np.prod(shape))}')
    data = data.reshape(shape)
    if msg.axes and msg.axes[-1].name == 'complex':
        if shape[-1] != 2:
            raise ConversionError(f'complex axis has size {shape[-1]}, expected 2')
        return data.view(np.complex64)[..., 0]
    return data


def input_pair_to_msg(frame: FrameInput, config: VRDAEConfig, sources: Sequence, *,
                      stamp_ns: int, frame_id: str) -> RadarInputPair:
    """
    Return the hupr_msgs/RadarInputPair of one frame pair.

    :param frame: its :class:`hupr_ros.window_input.FrameInput`, averaged over elevation.
    :param sources: the two frames' messages (horizontal, vertical: RadarFrame or RadarCube),
        whose header, frame number, orientation and zero_filled the inputs take.
    """
    parts = [cube_to_msg(np.asarray(x).reshape(x.shape[:4]), input_axes(config),
                         stamp_ns=ns_from_stamp(source.header.stamp),
                         frame_id=source.header.frame_id, frame_number=source.frame_number,
                         orientation=source.orientation, representation=config.representation,
                         zero_filled=source.zero_filled)
             for x, source in zip((frame.hori, frame.vert), sources)]
    first = sources[0]
    motion = cube_to_msg(np.asarray(frame.motion, np.float32), motion_axes(config),
                         stamp_ns=stamp_ns, frame_id=frame_id, frame_number=first.frame_number,
                         orientation=first.orientation, representation=config.representation,
                         zero_filled=first.zero_filled)
    return RadarInputPair(header=make_header(stamp_ns, frame_id), horizontal=parts[0],
                          vertical=parts[1], horizontal_motion=motion,
                          presence_db=float(frame.presence_db))


def msg_to_frame_input(msg: RadarInputPair) -> FrameInput:
    """Return the :class:`hupr_ros.window_input.FrameInput` of a hupr_msgs/RadarInputPair."""
    hori, vert, motion = (msg_to_cube(m) for m in (msg.horizontal, msg.vertical,
                                                   msg.horizontal_motion))
    for name, x, dims in (('horizontal', hori, 4), ('vertical', vert, 4),
                          ('horizontal_motion', motion, 2)):
        if x.ndim != dims or np.iscomplexobj(x):
            raise ConversionError(f'RadarInputPair {name}: expected {dims} real axes, got '
                                  f'{[(a.name, a.size) for a in getattr(msg, name).axes]}')
    return FrameInput(hori, vert, motion, float(msg.presence_db))


# --------------------------------------------------------------------------- skeletons

def skeleton_to_msg(keypoints: np.ndarray, confidence: Optional[np.ndarray], *, stamp_ns: int,
                    frame_id: str, source: str, model_name: str = '',
                    image_size: Tuple[int, int] = (256, 256)) -> Skeleton2D:
    """
    Return a hupr_msgs/Skeleton2D (:func:`hupr_ros.messages.skeleton`).

    :param keypoints: float (14, 2) pixel (x, y) per joint, published joint order.
    :param confidence: float (14,) in [0, 1]; None means 1 for every joint.
    :param image_size: (width, height) in pixels of the image the coordinates refer to.
    """
    return messages.skeleton(RCLPY, keypoints, confidence, stamp_ns=stamp_ns,
                             frame_id=frame_id, source=source, model_name=model_name,
                             image_size=image_size)


def msg_to_skeleton(msg: Skeleton2D) -> Tuple[np.ndarray, np.ndarray]:
    """Return (keypoints float32 (14, 2) pixels x, y; confidence float32 (14,))."""
    keypoints = np.stack([np.asarray(msg.x, np.float32), np.asarray(msg.y, np.float32)], axis=1)
    return keypoints, np.asarray(msg.confidence, dtype=np.float32).copy()


# --------------------------------------------------------------------------- images

def image_to_msg(image: np.ndarray, *, stamp_ns: int, frame_id: str,
                 encoding: str = 'rgb8') -> Image:
    """Return a sensor_msgs/Image of a uint8 (H, W, 3) rgb8/bgr8 or (H, W) mono8 image."""
    return messages.image(RCLPY, image, stamp_ns=stamp_ns, frame_id=frame_id,
                          encoding=encoding)


def msg_to_image(msg: Image) -> np.ndarray:
    """Return the pixels of a sensor_msgs/Image (:func:`hupr_ros.messages.image_pixels`)."""
    return messages.image_pixels(msg)
