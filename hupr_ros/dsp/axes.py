# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
The physical meaning of every bin of a radar cube: the one place it is derived.

Conventions (radar antenna frame: x along the virtual array, from RX0 towards RX3 and from
TX0 towards TX2; z towards the TX0/TX2 row, i.e. away from the elevated-offset TX1 row;
y = boresight, so x, y, z is right-handed):

- range: bin ``b`` of the range FFT is ``b * range_resolution`` metres (complex sampling);
  the published crop keeps b = 94 .. 31 in that (descending) order.
- Doppler: stored bin ``k`` (-8..7) is radial velocity ``k * velocity_resolution``, positive
  when the target moves away from the radar.
- azimuth: after the published fftshift and reversal, bin ``j`` looks at direction sine
  ``u_x = (j - A/2 + 1) / (A/2)`` towards +x (A = 64), i.e. +x to the right of the map.
- elevation: bin ``j`` looks at ``u_z = (E/2 - 1 - j) / (E/2)`` towards +z (E = 8). Only two
  antenna rows exist, so this axis is coarse (paper: 2 bins).

These follow from the geometry alone (the round-trip delay to each virtual element), and the
tests check them against the simulator's exact path-length model for both radar orientations.
"""

from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

from hupr_ros.dsp.config import HUPR_VRDAE_CONFIG, VRDAEConfig
import numpy as np


@dataclass(frozen=True)
class AxisSpec:
    """One axis of a radar cube: name, unit and the physical value of each bin (may be empty)."""

    name: str
    size: int
    unit: str = ''
    values: Tuple[float, ...] = ()


def range_values(config: VRDAEConfig = HUPR_VRDAE_CONFIG) -> np.ndarray:
    """Metres of each stored range bin, in stored (descending) order: float64 (64,)."""
    bins = np.arange(config.range_first, config.range_last - 1, -1)
    return bins * config.chirp.range_resolution


def doppler_values(config: VRDAEConfig = HUPR_VRDAE_CONFIG) -> np.ndarray:
    """Radial velocity (m/s, + = receding) of each stored Doppler bin: float64 (16,)."""
    half = config.num_stored_doppler // 2
    return np.arange(-half, half) * config.chirp.velocity_resolution


def azimuth_sines(config: VRDAEConfig = HUPR_VRDAE_CONFIG) -> np.ndarray:
    """Direction sine towards +x of each azimuth bin: float64 (64,), increasing."""
    half = config.azimuth_fft // 2
    return (np.arange(config.azimuth_fft) - half + 1) / half


def elevation_sines(config: VRDAEConfig = HUPR_VRDAE_CONFIG) -> np.ndarray:
    """Direction sine towards +z of each elevation bin: float64 (8,), decreasing."""
    half = config.elevation_fft // 2
    return (half - 1 - np.arange(config.elevation_fft)) / half


def cube_axes(config: VRDAEConfig = HUPR_VRDAE_CONFIG) -> Tuple[AxisSpec, ...]:
    """Return the axes of the stored cube (doppler, range, azimuth, elevation), in radians."""
    if config.representation == 'vrdaemap':
        first = AxisSpec('doppler', config.num_stored_doppler, 'm/s',
                         tuple(doppler_values(config)))
    else:
        first = AxisSpec('chirp_loop', config.num_stored_doppler)
    return (
        first,
        AxisSpec('range', config.num_range, 'm', tuple(range_values(config))),
        AxisSpec('azimuth', config.azimuth_fft, 'rad',
                 tuple(np.arcsin(np.clip(azimuth_sines(config), -1, 1)))),
        AxisSpec('elevation', config.elevation_fft, 'rad',
                 tuple(np.arcsin(np.clip(elevation_sines(config), -1, 1)))),
    )


def input_axes(config: VRDAEConfig = HUPR_VRDAE_CONFIG) -> Tuple[AxisSpec, ...]:
    """
    Return the axes of one frame's network input averaged over elevation.

    (doppler K: the kept bins, part 2: real / imaginary, range, azimuth); hupr_msgs/
    RadarInputPair carries it.
    """
    from hupr_ros.dsp.vrdae import input_doppler_indices
    first, rng, azimuth, _ = cube_axes(config)
    bins = input_doppler_indices(config)
    kept = AxisSpec(first.name, len(bins), first.unit,
                    tuple(first.values[b] for b in bins) if first.values else ())
    return kept, AxisSpec('part', 2), rng, azimuth


def motion_axes(config: VRDAEConfig = HUPR_VRDAE_CONFIG) -> Tuple[AxisSpec, ...]:
    """Return the axes of a moving-energy map (range, azimuth)."""
    return cube_axes(config)[1:3]


def nearest_bin(values: np.ndarray, value: float) -> int:
    """Index of the bin whose value is nearest to ``value``."""
    return int(np.argmin(np.abs(np.asarray(values) - value)))


def axes_mismatch(got: Sequence[AxisSpec], expected: Sequence[AxisSpec]) -> Optional[str]:
    """Describe how a cube's axes differ from the expected ones (None: they do not)."""
    shape = [(a.name, a.size) for a in got]
    want = [(a.name, a.size) for a in expected]
    if shape != want:
        return f'has axes {shape}, the weights expect {want}'

    def span(axis):
        return (f'{axis.values[0]:.3g} .. {axis.values[-1]:.3g} {axis.unit}'
                if axis.values else 'no values')
    differ = [f'{a.name} axis spans {span(a)}, the weights were trained on {span(b)}'
              for a, b in zip(got, expected)
              if len(a.values) != len(b.values) or (
                  a.values and not np.allclose(a.values, b.values, rtol=1e-3, atol=1e-4))]
    return '; '.join(differ) + ' (another chirp configuration?)' if differ else None
