# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
DCA1000EVM raw capture format: complex int16 samples over 2 LVDS lanes (IWR1843).

The stream is int16 little-endian in groups of four ``[a, b, c, d]`` holding two complex
samples ``a + j*c`` and ``b + j*d`` (lane 0 carries I, lane 1 carries Q). Per chirp it holds
RX0's samples, then RX1's, ...; chirps in time order (docs/published_model.md §1).

Frames here are complex64 ``(chirps, rx, samples)`` in the HuPR convention (I first).
"""

import logging
import os
from typing import Union

import numpy as np

_LOG = logging.getLogger(__name__)

IQ_ORDERS = ('iq', 'qi')


class CaptureFormatError(ValueError):
    """A capture file or byte buffer does not hold whole frames of the expected layout."""


def _check_iq_order(iq_order: str) -> None:
    if iq_order not in IQ_ORDERS:
        raise ValueError(f'iq_order must be one of {IQ_ORDERS}, got {iq_order!r}')


def decode_samples(raw: np.ndarray, iq_order: str = 'iq') -> np.ndarray:
    """
    Decode DCA1000 int16 values (length a multiple of 4) to a flat complex64 stream.

    :param raw: int16 (4 * n / 2,) in stream order.
    :param iq_order: 'iq' when lane 0 carries I (mmWave Studio, HuPR release); 'qi' when the
        radar's IQ swap puts Q first (SDK demo with ``adcbufCfg -1 0 1 1 1``). The result is always
        I + jQ.
    :return: complex64 (n,).
    """
    _check_iq_order(iq_order)
    raw = np.asarray(raw)
    if raw.dtype != np.int16:
        raise CaptureFormatError(f'DCA1000 samples must be int16, got {raw.dtype}')
    if raw.size % 4:
        raise CaptureFormatError(f'{raw.size} int16 values is not a whole number of 4-value '
                                 'groups (two complex samples over two lanes)')
    groups = raw.reshape(-1, 2, 2).astype(np.float32)  # (group, lane-pair half, sample)
    first, second = groups[:, 0, :], groups[:, 1, :]
    re, im = (first, second) if iq_order == 'iq' else (second, first)
    out = np.empty((groups.shape[0], 2), dtype=np.complex64)
    out.real = re
    out.imag = im
    return out.reshape(-1)


def encode_samples(samples: np.ndarray, iq_order: str = 'iq') -> np.ndarray:
    """
    Encode complex samples (I + jQ, integer valued) to DCA1000 int16 stream order.

    The inverse of :func:`decode_samples`. Values are rounded and saturated to int16.

    :param samples: complex (..., n) with n even; flattened in C order.
    :return: int16 (2 * total,) ready to be written with ``tobytes()``.
    """
    _check_iq_order(iq_order)
    flat = np.asarray(samples).reshape(-1, 2)
    re, im = saturate_int16(flat.real), saturate_int16(flat.imag)
    out = np.empty((flat.shape[0], 2, 2), dtype=np.int16)
    out[:, 0, :], out[:, 1, :] = (re, im) if iq_order == 'iq' else (im, re)
    return out.reshape(-1)


def saturate_int16(values: np.ndarray) -> np.ndarray:
    """
    Round and saturate to int16.

    Round to the nearest integer and saturate to int16 (the one conversion used for
    samples: values beyond the ADC's range clip, they never wrap around).
    """
    return np.clip(np.rint(values), -32768, 32767).astype(np.int16)


def interleave_iq(frame: np.ndarray) -> np.ndarray:
    """Convert complex (...) to int16 (..., 2) I, Q (message layout), rounded, saturated."""
    iq = np.empty(frame.shape + (2,), dtype=np.int16)
    iq[..., 0] = saturate_int16(frame.real)
    iq[..., 1] = saturate_int16(frame.imag)
    return iq


def frame_bytes(num_rx: int = 4, num_chirps: int = 192, num_samples: int = 256) -> int:
    """Bytes of one frame in the DCA1000 stream (786,432 for the HuPR profile)."""
    return num_rx * num_chirps * num_samples * 4


def load_adc_file(path: Union[str, os.PathLike], num_rx: int = 4, num_chirps: int = 192,
                  num_samples: int = 256, *, drop_incomplete: bool = False,
                  iq_order: str = 'iq') -> np.ndarray:
    """
    Read a DCA1000 ``adc_data.bin`` capture.

    :param path: the capture file.
    :param num_rx, num_chirps, num_samples: frame geometry (chirps = loops * TX).
    :param drop_incomplete: drop (and log) a trailing partial frame instead of raising.
    :param iq_order: see :func:`decode_samples`.
    :return: complex64 (frames, chirps, rx, samples).
    :raises FileNotFoundError: no such file.
    :raises CaptureFormatError: the size is not a whole number of frames (unless drop_incomplete)
        or the file holds no whole frame.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f'DCA1000 capture not found: {path}')
    size = os.path.getsize(path)
    per_frame = frame_bytes(num_rx, num_chirps, num_samples)
    frames, tail = divmod(size, per_frame)
    if tail:
        message = (f'{path}: {size} bytes is {frames} whole frames of {per_frame} bytes '
                   f'({num_chirps} chirps x {num_rx} rx x {num_samples} complex int16 samples) '
                   f'plus {tail} bytes')
        if not drop_incomplete:
            raise CaptureFormatError(message + '; pass drop_incomplete=True to drop the tail')
        _LOG.warning('%s; dropping the incomplete tail', message)
    if frames == 0:
        raise CaptureFormatError(f'{path}: {size} bytes holds no whole frame of {per_frame} bytes')
    raw = np.fromfile(path, dtype='<i2', count=frames * per_frame // 2)
    return decode_samples(raw.astype(np.int16, copy=False), iq_order).reshape(
        frames, num_chirps, num_rx, num_samples)


def count_adc_frames(path: Union[str, os.PathLike], num_rx: int = 4, num_chirps: int = 192,
                     num_samples: int = 256) -> int:
    """Return the number of whole frames in a capture (a partial tail is not counted)."""
    return os.path.getsize(path) // frame_bytes(num_rx, num_chirps, num_samples)


def read_adc_frames(path: Union[str, os.PathLike], start: int, count: int, num_rx: int = 4,
                    num_chirps: int = 192, num_samples: int = 256, *,
                    iq_order: str = 'iq') -> np.ndarray:
    """
    Read ``count`` frames from frame ``start`` of a capture without loading the rest.

    :return: complex64 (count, chirps, rx, samples).
    :raises CaptureFormatError: the file holds fewer whole frames than asked for.
    """
    per_frame = frame_bytes(num_rx, num_chirps, num_samples)
    available = count_adc_frames(path, num_rx, num_chirps, num_samples)
    if start < 0 or count < 0 or start + count > available:
        raise CaptureFormatError(f'{os.fspath(path)}: frames {start}..{start + count - 1} '
                                 f'asked for, the file holds {available} whole frames')
    raw = np.fromfile(path, dtype='<i2', count=count * per_frame // 2, offset=start * per_frame)
    return decode_samples(raw.astype(np.int16, copy=False), iq_order).reshape(
        count, num_chirps, num_rx, num_samples)
