# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
VRDAEMap (paper section 4.1) and the published network-input normalisation, vectorised.

Same numbers as the published code (docs/published_model.md sections 2-3; checked against its
reference vectors), in ~2.5 ms per frame instead of 1.4-2.6 s. Two ideas:

1. Steps 1-3 (split, clutter removal, range and Doppler FFTs) run in float64 with the same
   numpy FFTs as the published code, on the 64 cropped range bins only. Float64 is not a
   luxury here: after clutter removal the DC Doppler bin holds nothing but float64 rounding
   noise (~1e-16 of the signal), which the published normalisation stretches to unit
   variance; the released weights were trained on that noise, so it is reproduced bit for bit
   (a float32 pipeline would put a different, or an all-zero, map in that input channel).
2. Steps 4-10 (zero-padding, the elevation FFT at positions 2..5 only -- a published quirk --
   the azimuth FFT, both fftshifts and both reversals) map the 12 virtual antennas of one
   (Doppler, range) cell linearly to its (64 azimuth x 8 elevation) output: one (12 x 512)
   complex64 matrix built once by running those published steps on unit impulses.
"""

import functools

from hupr_ros.dsp.config import HUPR_VRDAE_CONFIG, VRDAEConfig
import numpy as np


class PreprocessingError(ValueError):
    """Input to the preprocessing has the wrong shape, dtype or non-finite values."""


@functools.lru_cache(maxsize=8)
def angle_matrix(config: VRDAEConfig = HUPR_VRDAE_CONFIG) -> np.ndarray:
    """
    Return complex64 (12 antennas, azimuth * elevation): the published angle processing.

    Antennas are in stream order, ``tx * num_rx + rx`` (TX0 RX0..3, TX1 RX0..3, TX2 RX0..3).
    The azimuth row is TX0 then TX2 at positions 0..7; TX1 (elevated) sits at
    ``elevation_positions`` in elevation row 1.
    """
    num_rx = config.chirp.num_rx
    lo, hi = config.elevation_positions
    n_ele, n_az = config.elevation_fft, config.azimuth_fft
    rows = np.zeros((config.chirp.num_tx * num_rx, n_ele, n_az), dtype=np.complex128)
    for tx in range(config.chirp.num_tx):
        for rx in range(num_rx):
            antenna = tx * num_rx + rx
            if tx == 1:
                rows[antenna, 1, lo + rx] = 1.0
            else:
                rows[antenna, 0, rx + (num_rx if tx == 2 else 0)] = 1.0
    rows[:, :, lo:hi] = np.fft.fft(rows[:, :, lo:hi], axis=1)  # elevation FFT, 2..5 only
    rows = np.fft.fft(rows, axis=2)                             # azimuth FFT
    rows = np.fft.fftshift(rows, axes=(1, 2))
    out = rows.transpose(0, 2, 1)[:, ::-1, ::-1]                 # (antenna, az, ele), reversed
    return np.ascontiguousarray(out.reshape(out.shape[0], -1)).astype(np.complex64)


def doppler_indices(config: VRDAEConfig = HUPR_VRDAE_CONFIG) -> np.ndarray:
    """
    Return the signed Doppler bins kept in the stored cube, e.g. -8..7 for 16 of 64.

    These are the fftshifted indices ``loops/2 - n/2 .. loops/2 + n/2 - 1`` minus ``loops/2``.
    """
    half = config.num_stored_doppler // 2
    return np.arange(-half, half)


def sampled_loops(config: VRDAEConfig = HUPR_VRDAE_CONFIG) -> np.ndarray:
    """Return the chirp loops the RAEMap keeps: ``num_stored_doppler`` uniformly spaced."""
    return np.arange(config.num_stored_doppler) * config.chirp.num_loops \
        // config.num_stored_doppler


def range_indices(config: VRDAEConfig = HUPR_VRDAE_CONFIG) -> np.ndarray:
    """Return the range FFT bins kept, in the published descending order (94, ..., 31)."""
    return np.arange(config.range_first, config.range_last - 1, -1)


def check_frames(frames: np.ndarray, config: VRDAEConfig = HUPR_VRDAE_CONFIG) -> np.ndarray:
    """Validate raw frames and return them as complex64 (..., chirps, rx, samples)."""
    c = config.chirp
    expected = (c.num_chirps, c.num_rx, c.num_samples)
    frames = np.asarray(frames)
    if frames.ndim not in (3, 4) or frames.shape[-3:] != expected:
        raise PreprocessingError(
            f'radar frame shape {frames.shape} is not (chirps, rx, samples) = {expected} '
            f'or (batch, {expected[0]}, {expected[1]}, {expected[2]})')
    if not np.iscomplexobj(frames):
        raise PreprocessingError(f'radar frames must be complex (I + jQ), got {frames.dtype}')
    frames = frames.astype(np.complex64, copy=False)
    if not np.isfinite(frames.view(np.float32)).all():
        raise PreprocessingError('radar frame contains NaN or inf samples')
    return frames


def vrdae_map(frame: np.ndarray, config: VRDAEConfig = HUPR_VRDAE_CONFIG) -> np.ndarray:
    """
    Compute the VRDAEMap (or the RAEMap, per ``config.representation``) of radar frames.

    :param frame: complex (chirps=192, rx=4, samples=256) in stream order (chirp ``c`` is TX ``c %
        3``, loop ``c // 3``), or a batch (B, 192, 4, 256).
    :param config: preprocessing parameters (published defaults).
    :return: complex64 (doppler=16, range=64, azimuth=64, elevation=8), or with a leading B.
    :return: Range bins are in descending order, Doppler bins are -8..7 (see
    :return: :func:`hupr_ros.dsp.axes.cube_axes` for the physical values of every bin).
    :raises PreprocessingError: wrong shape or dtype, NaN or inf.
    """
    frames = check_frames(frame, config)
    if frames.ndim == 3:
        return _vrdae_chunk(frames[None], config)[0]
    # Chunks of a few frames keep the float64 intermediates in cache: batching more gains
    # nothing per frame (bench/bench_vrdae.py); parallelism comes from worker processes.
    out = np.empty((frames.shape[0],) + config.cube_shape, dtype=np.complex64)
    for start in range(0, frames.shape[0], _CHUNK):
        out[start:start + _CHUNK] = _vrdae_chunk(frames[start:start + _CHUNK], config)
    return out


_CHUNK = 2


def _vrdae_chunk(frames: np.ndarray, config: VRDAEConfig) -> np.ndarray:
    """vrdae_map of validated complex64 frames (B, chirps, rx, samples)."""
    c = config.chirp
    batch = frames.shape[0]
    # (B, loops, tx, rx, samples): chirp c is loop c // num_tx, TX c % num_tx.
    x = frames.reshape(batch, c.num_loops, c.num_tx, c.num_rx, c.num_samples)
    x = x.astype(np.complex128)
    if config.clutter_removal:
        x -= x.mean(axis=1, keepdims=True)
    x = np.fft.fft(x, axis=-1)[..., range_indices(config)]              # range FFT, crop
    if config.representation == 'vrdaemap':
        x = np.fft.fft(x, axis=1)                                       # Doppler FFT
        x = x[:, doppler_indices(config) % c.num_loops]                 # = fftshift + keep
    else:
        x = x[:, sampled_loops(config)]                                 # RAEMap: K loops
    num_range = x.shape[-1]
    # (B, D, tx, rx, R) -> (B, D, R, 12) @ (12, az * ele)
    x = x.reshape(batch, x.shape[1], c.num_tx * c.num_rx, num_range).swapaxes(-1, -2)
    cube = x.astype(np.complex64) @ angle_matrix(config)
    cube = cube.reshape(batch, -1, num_range, config.azimuth_fft, config.elevation_fft)
    return cube


def model_input(vrdae: np.ndarray, config: VRDAEConfig = HUPR_VRDAE_CONFIG) -> np.ndarray:
    """
    Normalise radar cubes into network input, as the published code does.

    Keeps the K = ``num_input_doppler`` central Doppler bins (VRDAEMap; uniformly spaced ones
    for the RAEMap), then for each kept bin, real and imaginary part and elevation bin
    separately normalises the (range, azimuth) map ``v``: ``v -= v.min(); v /= v.max();
    v = (v - v.mean()) / v.std(ddof=1)``. A constant map (the published code would divide by
    zero and give NaN) becomes all zeros.

    :param vrdae: complex (..., doppler=16, range=64, azimuth=64, elevation=8).
    :return: float32 (..., K, 2 re/im, range, azimuth, elevation).
    :raises PreprocessingError: wrong shape or dtype, NaN or inf, or values so large that the
        normalisation overflows float32.
    """
    parts, shape = _input_parts(vrdae, config)
    with np.errstate(over='ignore', invalid='ignore'):    # checked just below
        parts -= parts.min(axis=-1, keepdims=True)
        peak = parts.max(axis=-1, keepdims=True)
        constant = peak == 0
        parts /= np.where(constant, 1.0, peak)
        parts -= parts.mean(axis=-1, keepdims=True)
        std = parts.std(axis=-1, ddof=1, keepdims=True)
        parts /= np.where(constant, 1.0, std)
    if not np.isfinite(parts).all():     # finite values whose spread overflows float32
        raise _too_large(vrdae)
    parts = parts.reshape(shape[:-3] + (2, shape[-3], shape[-2], shape[-1]))
    return np.ascontiguousarray(np.moveaxis(parts, -3, -1))


def model_input_elevation_mean(vrdae: np.ndarray,
                               config: VRDAEConfig = HUPR_VRDAE_CONFIG) -> np.ndarray:
    """
    ``model_input(vrdae).mean(axis=-1)`` in one pass over the data: float32 (..., K, 2, R, A).

    HuPRNet's first operation averages its input over elevation; the training cache and the pose
    node keep only that mean. Each map's min-max scaling followed by standardisation is an
    increasing affine map, so it equals standardising the map directly, ``(v - mean) / std``;
    the mean over elevation of those is one weighted sum per (K, re/im) map with weights
    ``1 / (E * std)``. Same numbers as the two-step form to float32 rounding (test_vrdae.py),
    about 2x faster (bench/bench_node_costs.py). Constant maps contribute zeros, as there.

    :raises PreprocessingError: as :func:`model_input`.
    """
    parts, shape = _input_parts(vrdae, config)                 # (..., K, 2, E, R*A)
    with np.errstate(over='ignore', invalid='ignore'):
        span = parts.max(axis=-1) - parts.min(axis=-1)            # float32, as model_input
        if not np.isfinite(span).all():
            raise _too_large(vrdae)
        # Centred first, so that the weighted sum below does not cancel large offsets.
        parts -= parts.mean(axis=-1, dtype=np.float64).astype(np.float32)[..., None]
        # The sample std from the centred maps' sums of squares: one float32 pass (einsum's
        # SIMD dot products; numpy's std makes float64 copies, the node's largest cost here).
        sum_sq = np.einsum('...i,...i->...', parts, parts).astype(np.float64)
    std = np.sqrt(sum_sq / (parts.shape[-1] - 1))
    weight = np.where(span == 0, 0.0, 1.0 / (shape[-3] * np.where(span == 0, 1.0, std)))
    out = np.matmul(weight.astype(np.float32)[..., None, :], parts)[..., 0, :]
    return out.reshape(shape[:-3] + (2, shape[-2], shape[-1]))


def _input_parts(vrdae: np.ndarray, config: VRDAEConfig):
    """Check cubes; return their kept Doppler bins as float32 (..., K, 2, E, R * A), and shape."""
    vrdae = np.asarray(vrdae)
    if vrdae.ndim < 4 or vrdae.shape[-4:] != config.cube_shape:
        raise PreprocessingError(f'radar cube shape {vrdae.shape} does not end in (doppler, '
                                 f'range, azimuth, elevation) = {config.cube_shape}')
    if not np.iscomplexobj(vrdae):
        raise PreprocessingError(f'radar cube must be complex, got {vrdae.dtype}')
    if not np.isfinite(vrdae.view(vrdae.real.dtype)).all():
        raise PreprocessingError('radar cube contains NaN or inf')
    bins = input_doppler_indices(config)
    if len(bins) > 1 and (np.diff(bins) == bins[1] - bins[0]).all():    # a view, not a copy
        kept = vrdae[..., bins[0]:bins[-1] + 1:bins[1] - bins[0], :, :, :]
    else:
        kept = vrdae[..., bins, :, :, :]
    # (..., K, R, A, E) -> (..., K, 2, E, R * A): each normalised map is one contiguous row.
    kept = np.moveaxis(kept, -1, -3)
    shape = kept.shape
    parts = np.empty(shape[:-3] + (2, shape[-3], shape[-2] * shape[-1]), dtype=np.float32)
    parts[..., 0, :, :] = kept.real.reshape(shape[:-2] + (-1,))
    parts[..., 1, :, :] = kept.imag.reshape(shape[:-2] + (-1,))
    return parts, shape


def _too_large(vrdae: np.ndarray) -> 'PreprocessingError':
    return PreprocessingError(
        f'radar cube values too large to normalise in float32 (largest magnitude '
        f'{np.abs(vrdae).max():.3g}; a frame from a broken source?)')


def input_doppler_indices(config: VRDAEConfig = HUPR_VRDAE_CONFIG) -> np.ndarray:
    """
    Return the stored-cube bins that become network input.

    K central (VRDAEMap, 4..11 of 16) or K uniformly spaced sampled loops (RAEMap).
    """
    n, k = config.num_stored_doppler, config.num_input_doppler
    if config.representation == 'vrdaemap':
        return np.arange(n // 2 - k // 2, n // 2 + k // 2)
    return np.arange(k) * n // k


def frame_window(num_frames: int, target: int, window: int = 8,
                 alignment: str = 'centered') -> np.ndarray:
    """
    Return the frame indices of the network's temporal window for target frame ``target``.

    'centered' is the published window t-4 .. t+3 (for window 8); 'causal' is t-7 .. t. Indices
    are clamped to the first/last frame of the sequence, as published.
    """
    if alignment == 'centered':
        start = target - window // 2
    elif alignment == 'causal':
        start = target - window + 1
    else:
        raise ValueError(f"alignment must be 'centered' or 'causal', got {alignment!r}")
    return np.clip(np.arange(start, start + window), 0, num_frames - 1)
