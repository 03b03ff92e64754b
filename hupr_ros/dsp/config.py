# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""Parameters of the radar-cube preprocessing, with the published values as defaults."""

from dataclasses import dataclass
from typing import Tuple

from hupr_ros.radar.config import ChirpConfig, HUPR_CHIRP_CONFIG

REPRESENTATIONS = ('vrdaemap', 'raemap')


@dataclass(frozen=True)
class VRDAEConfig:
    """
    How a raw frame becomes a radar cube and how a cube becomes network input.

    :ivar representation: 'vrdaemap' (paper: Doppler FFT, keep the central Doppler bins) or
        'raemap' (traditional scheme of paper Fig. 5b / Table 2: no Doppler FFT, K chirp loops
        sampled uniformly).
    :ivar num_stored_doppler: Doppler bins (or sampled loops) kept in the stored cube (16).
    :ivar num_input_doppler: K, bins fed to the network (8; Table 5 ablation: 2, 4, 8, 16).
    :ivar range_first, range_last: the range crop, in the published descending order: bins 94, 93,
        ..., 31 (range_first down to range_last inclusive), i.e. 4.0 m .. 1.3 m for the HuPR
        profile. Descending so that the near range is at the bottom of the map.
    :ivar azimuth_fft, elevation_fft: zero-padded angle FFT sizes (64, 8).
    :ivar elevation_positions: azimuth positions of the 4-element elevated row (TX1): 2..5, where
        the antenna geometry puts it; only these positions get the elevation FFT (published quirk,
        kept).
    :ivar clutter_removal: subtract each antenna's mean over the chirp loops.
    :ivar chirp: the radar's chirp configuration.
    """

    representation: str = 'vrdaemap'
    num_stored_doppler: int = 16
    num_input_doppler: int = 8
    range_first: int = 94
    range_last: int = 31
    azimuth_fft: int = 64
    elevation_fft: int = 8
    elevation_positions: Tuple[int, int] = (2, 6)
    clutter_removal: bool = True
    chirp: ChirpConfig = HUPR_CHIRP_CONFIG

    def __post_init__(self) -> None:
        if self.representation not in REPRESENTATIONS:
            raise ValueError(f'representation must be one of {REPRESENTATIONS}, '
                             f'got {self.representation!r}')
        loops = self.chirp.num_loops
        if not 0 < self.num_stored_doppler <= loops or self.num_stored_doppler % 2:
            raise ValueError(f'num_stored_doppler must be even and in 1..{loops}, '
                             f'got {self.num_stored_doppler}')
        if not 0 < self.num_input_doppler <= self.num_stored_doppler:
            raise ValueError(f'num_input_doppler (K) must be in 1..{self.num_stored_doppler}, '
                             f'got {self.num_input_doppler}')
        if self.representation == 'vrdaemap' and self.num_input_doppler % 2:
            raise ValueError(f'num_input_doppler (K) must be even, got {self.num_input_doppler}')
        if not 0 <= self.range_last <= self.range_first < self.chirp.num_samples:
            raise ValueError(f'range crop {self.range_first}..{self.range_last} must be '
                             f'descending within 0..{self.chirp.num_samples - 1}')
        if self.chirp.num_tx != 3 or self.chirp.num_rx != 4:
            raise ValueError('the HuPR virtual array needs 3 TX and 4 RX, got '
                             f'{self.chirp.num_tx} TX and {self.chirp.num_rx} RX')
        lo, hi = self.elevation_positions
        if hi - lo != self.chirp.num_rx or lo < 0 or hi > self.azimuth_fft:
            raise ValueError(f'elevation_positions {self.elevation_positions} must span '
                             f'{self.chirp.num_rx} positions within the azimuth FFT')
        if self.azimuth_fft < 2 * self.chirp.num_rx or self.elevation_fft < 2:
            raise ValueError('azimuth_fft must cover the 8-element row and elevation_fft >= 2')

    @property
    def num_range(self) -> int:
        """Range bins after the crop (64)."""
        return self.range_first - self.range_last + 1

    @property
    def cube_shape(self) -> Tuple[int, int, int, int]:
        """Return the stored cube's shape (doppler, range, azimuth, elevation): (16, 64, 64, 8)."""
        return (self.num_stored_doppler, self.num_range, self.azimuth_fft, self.elevation_fft)

    @property
    def input_shape(self) -> Tuple[int, int, int, int, int]:
        """Network input of one frame (K, 2 re/im, range, azimuth, elevation)."""
        return (self.num_input_doppler, 2, self.num_range, self.azimuth_fft, self.elevation_fft)


#: The published preprocessing.
HUPR_VRDAE_CONFIG = VRDAEConfig()
