# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
FMCW IF-signal model of point scatterers seen by one TDM-MIMO radar.

For TX ``k`` (chirp ``c = 3 * loop + k``), RX ``r`` and ADC sample ``n`` a scatterer with
amplitude ``A`` contributes ``A exp(j 2 pi ((f0 + S t_adc) tau - S tau^2 / 2 + S tau n / fs))``,
where ``tau = (|p - tx_k| + |p - rx_r|) / c`` is the exact round-trip delay from the
transmitter to the scatterer (at its position at the chirp's start) and back to the receiver.
Range, Doppler and both angles therefore come out of the geometry, not from assumed bin maps.

Simplification (documented in docs/simulator.md): the beat frequency ``S tau / fs`` uses each
scatterer's delay at the middle of the frame (range migration within one 14 ms frame, < 3 cm
at 2 m/s, is below the 4.3 cm range bin); the carrier phase, which carries Doppler and angle,
is exact per chirp and antenna. That makes the frame one matrix product.
"""

from hupr_ros.radar.antenna import element_positions, HORIZONTAL_MOUNT, RadarMount
from hupr_ros.radar.config import ChirpConfig, HUPR_CHIRP_CONFIG, SPEED_OF_LIGHT
import numpy as np


def synthesize_frame(points: np.ndarray, velocities: np.ndarray, amplitudes: np.ndarray,
                     config: ChirpConfig = HUPR_CHIRP_CONFIG,
                     mount: RadarMount = HORIZONTAL_MOUNT) -> np.ndarray:
    """
    Return the noiseless complex IF samples of one frame.

    :param points: float (P, 3) scatterer positions in the sensor frame (m) at the frame start.
    :param velocities: float (P, 3) m/s, constant during the frame.
    :param amplitudes: float (P,) amplitude at the ADC (counts), already including path loss.
    :param config: chirp configuration; mount: where the radar sits.
    :return: complex64 (chirps, rx, samples) in stream order.
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    velocities = np.asarray(velocities, dtype=np.float64).reshape(-1, 3)
    amplitudes = np.asarray(amplitudes, dtype=np.float64).reshape(-1)
    if not (len(points) == len(velocities) == len(amplitudes)):
        raise ValueError(f'points {points.shape}, velocities {velocities.shape} and amplitudes '
                         f'{amplitudes.shape} must have the same number of scatterers')
    tx_pos, rx_pos = element_positions(config)
    p0 = mount.to_radar(points)                                  # (P, 3)
    v = velocities @ mount.rotation                              # (P, 3) in radar axes
    chirp_start = np.arange(config.num_chirps) * config.chirp_period
    at_chirp = p0[:, None, :] + v[:, None, :] * chirp_start[None, :, None]   # (P, C, 3)
    tx_of_chirp = np.arange(config.num_chirps) % config.num_tx
    # |p - e|^2 = |p|^2 - 2 p.e + |e|^2: one small matmul instead of (P, C, R, 3) differences
    # (float64: the cancellation costs ~1e-16 m, far below a wavelength).
    p2 = np.einsum('pcx,pcx->pc', at_chirp, at_chirp)                         # (P, C)
    tx_c = tx_pos[tx_of_chirp]                                                # (C, 3)
    d_tx = np.sqrt(np.maximum(p2 - 2 * np.einsum('pcx,cx->pc', at_chirp, tx_c)
                              + (tx_c ** 2).sum(-1)[None], 0.0))              # (P, C)
    d_rx = np.sqrt(np.maximum(p2[:, :, None] - 2 * (at_chirp @ rx_pos.T)
                              + (rx_pos ** 2).sum(-1)[None, None], 0.0))      # (P, C, R)
    tau = (d_tx[:, :, None] + d_rx) / SPEED_OF_LIGHT                          # (P, C, R)
    f_first = config.start_frequency + config.slope * config.adc_start_time
    # Phases in cycles are formed in float64 (thousands of cycles) and reduced to [0, 1)
    # before the float32 cos/sin: the same samples to float32 rounding, at half the cost of
    # complex128 exponentials.
    carrier = _unit_phasor(f_first * tau - 0.5 * config.slope * tau ** 2)
    carrier *= amplitudes.astype(np.float32)[:, None, None]
    mid = config.num_chirps // 2
    beat = config.slope * tau[:, mid].mean(axis=-1) / config.sample_rate     # cycles/sample
    fast = _unit_phasor(np.outer(beat, np.arange(config.num_samples)))       # (P, N)
    frame = carrier.reshape(len(points), -1).T @ fast
    return frame.reshape(config.num_chirps, config.num_rx, config.num_samples)


def _unit_phasor(cycles: np.ndarray) -> np.ndarray:
    """complex64 exp(2j pi cycles), with the whole cycles removed in float64 first."""
    angle = (2 * np.pi) * (cycles - np.floor(cycles)).astype(np.float32)
    out = np.empty(angle.shape, np.complex64)
    out.real = np.cos(angle)
    out.imag = np.sin(angle)
    return out


def quantize(frame: np.ndarray, noise_std: float = 0.0,
             rng: np.random.Generator = None) -> np.ndarray:
    """
    Add complex white receiver noise (std per I and Q, counts) and round to int16 range.

    Returns complex64 with integer-valued, int16-saturated parts (what the DCA1000 delivers).
    """
    frame = np.array(frame, dtype=np.complex64)          # a copy: rounded in place below
    if noise_std > 0:
        rng = rng if rng is not None else np.random.default_rng()
        noise = rng.standard_normal(frame.shape + (2,), dtype=np.float32) * noise_std
        frame += noise.view(np.complex64)[..., 0]
    parts = frame.view(np.float32)                       # I and Q interleaved
    np.rint(parts, out=parts)
    np.clip(parts, -32768, 32767, out=parts)
    return frame
