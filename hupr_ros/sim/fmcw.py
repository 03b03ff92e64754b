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

"""FMCW IF-signal model of point scatterers seen by one TDM-MIMO radar.

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

import numpy as np

from hupr_ros.radar.antenna import element_positions, HORIZONTAL_MOUNT, RadarMount
from hupr_ros.radar.config import ChirpConfig, HUPR_CHIRP_CONFIG, SPEED_OF_LIGHT


def synthesize_frame(points: np.ndarray, velocities: np.ndarray, amplitudes: np.ndarray,
                     config: ChirpConfig = HUPR_CHIRP_CONFIG,
                     mount: RadarMount = HORIZONTAL_MOUNT) -> np.ndarray:
    """Return the noiseless complex IF samples of one frame.

    Args:
        points: float (P, 3) scatterer positions in the sensor frame (m) at the frame start.
        velocities: float (P, 3) m/s, constant during the frame.
        amplitudes: float (P,) amplitude at the ADC (counts), already including path loss.
        config: chirp configuration; mount: where the radar sits.
    Returns:
        complex64 (chirps, rx, samples) in stream order.
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
    d_tx = np.linalg.norm(at_chirp - tx_pos[tx_of_chirp][None], axis=-1)      # (P, C)
    d_rx = np.linalg.norm(at_chirp[:, :, None, :] - rx_pos[None, None], axis=-1)  # (P, C, R)
    tau = (d_tx[:, :, None] + d_rx) / SPEED_OF_LIGHT                          # (P, C, R)
    f_first = config.start_frequency + config.slope * config.adc_start_time
    carrier = np.exp(2j * np.pi * (f_first * tau - 0.5 * config.slope * tau ** 2))
    carrier *= amplitudes[:, None, None]
    mid = config.num_chirps // 2
    beat = config.slope * tau[:, mid].mean(axis=-1) / config.sample_rate     # cycles/sample
    fast = np.exp(2j * np.pi * np.outer(beat, np.arange(config.num_samples)))  # (P, N)
    frame = carrier.reshape(len(points), -1).T.astype(np.complex64) @ fast.astype(np.complex64)
    return frame.reshape(config.num_chirps, config.num_rx, config.num_samples)


def quantize(frame: np.ndarray, noise_std: float = 0.0,
             rng: np.random.Generator = None) -> np.ndarray:
    """Add complex white receiver noise (std per I and Q, counts) and round to int16 range.

    Returns complex64 with integer-valued, int16-saturated parts (what the DCA1000 delivers).
    """
    frame = np.asarray(frame, dtype=np.complex64)
    if noise_std > 0:
        rng = rng if rng is not None else np.random.default_rng()
        noise = rng.standard_normal(frame.shape + (2,), dtype=np.float32) * noise_std
        frame = frame + noise.view(np.complex64)[..., 0]
    re = np.clip(np.rint(frame.real), -32768, 32767)
    im = np.clip(np.rint(frame.imag), -32768, 32767)
    return (re + 1j * im).astype(np.complex64)
