# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
FMCW chirp configuration of the IWR1843 as HuPR uses it, and the quantities derived from it.

Values follow the paper's Table 1 and the HuPR radar configuration (profileCfg
``0 77 7 6 65 0 0 60.012 1 256 4400 0 0 30``, frameCfg ``0 2 64 0 100 1 0``).
"""

from dataclasses import dataclass
import math

SPEED_OF_LIGHT = 299_792_458.0  # m/s


@dataclass(frozen=True)
class ChirpConfig:
    """
    Chirp and frame timing of one radar. SI units (Hz, Hz/s, s).

    Chirps of a frame are TDM ordered by loop, then TX: chirp ``c`` is TX ``c % num_tx``,
    loop ``c // num_tx``.
    """

    num_tx: int = 3
    num_rx: int = 4
    num_loops: int = 64
    num_samples: int = 256
    start_frequency: float = 77e9
    slope: float = 60.012e12
    sample_rate: float = 4.4e6
    idle_time: float = 7e-6
    adc_start_time: float = 6e-6
    ramp_end_time: float = 65e-6
    frame_period: float = 0.1

    def __post_init__(self) -> None:
        for name in ('num_tx', 'num_rx', 'num_loops', 'num_samples'):
            if int(getattr(self, name)) <= 0:
                raise ValueError(f'ChirpConfig.{name} must be positive, got {getattr(self, name)}')
        for name in ('start_frequency', 'slope', 'sample_rate', 'ramp_end_time', 'frame_period'):
            if not math.isfinite(float(getattr(self, name))) or not getattr(self, name) > 0:
                raise ValueError(f'ChirpConfig.{name} must be finite and > 0, got '
                                 f'{getattr(self, name)}')
        for name in ('idle_time', 'adc_start_time'):
            if not math.isfinite(float(getattr(self, name))) or getattr(self, name) < 0:
                raise ValueError(f'ChirpConfig.{name} must be finite and >= 0, got '
                                 f'{getattr(self, name)}')
        if not self.sampled_bandwidth > 0 or not math.isfinite(self.range_resolution):
            raise ValueError(f'ChirpConfig: the sampled bandwidth ({self.slope} Hz/s x '
                             f'{self.num_samples} samples / {self.sample_rate} Hz) is not a '
                             'usable positive number')
        if self.adc_start_time + self.num_samples / self.sample_rate > self.ramp_end_time:
            raise ValueError(
                f'sampling ({self.num_samples} samples at {self.sample_rate} Hz from '
                f'{self.adc_start_time} s) does not fit in the ramp of {self.ramp_end_time} s')

    def message_fields(self) -> dict:
        """Return the fields of a hupr_msgs/ChirpConfig message (rclpy or rosbags class)."""
        return {'num_tx': self.num_tx, 'num_rx': self.num_rx, 'num_loops': self.num_loops,
                'num_chirps': self.num_chirps, 'num_samples': self.num_samples,
                'start_frequency': float(self.start_frequency), 'slope': float(self.slope),
                'sample_rate': float(self.sample_rate), 'idle_time': float(self.idle_time),
                'adc_start_time': float(self.adc_start_time),
                'ramp_end_time': float(self.ramp_end_time),
                'chirp_period': float(self.chirp_period),
                'frame_period': float(self.frame_period)}

    @property
    def num_chirps(self) -> int:
        """Chirps per frame, all transmitters (192)."""
        return self.num_loops * self.num_tx

    @property
    def chirp_period(self) -> float:
        """Seconds from one chirp's start to the next (72 us)."""
        return self.idle_time + self.ramp_end_time

    @property
    def loop_period(self) -> float:
        """Seconds between two chirps of the same TX (TDM repeat, 216 us)."""
        return self.num_tx * self.chirp_period

    @property
    def frame_bytes(self) -> int:
        """Bytes of one frame in the DCA1000 stream (complex int16: 786,432)."""
        return self.num_chirps * self.num_rx * self.num_samples * 2 * 2

    @property
    def wavelength(self) -> float:
        """Metres, at the start frequency."""
        return SPEED_OF_LIGHT / self.start_frequency

    @property
    def sampled_bandwidth(self) -> float:
        """Hz swept while sampling (3.49 GHz)."""
        return self.slope * self.num_samples / self.sample_rate

    @property
    def range_resolution(self) -> float:
        """Metres per range bin of a num_samples-point FFT (4.29 cm)."""
        return SPEED_OF_LIGHT / (2.0 * self.sampled_bandwidth)

    @property
    def max_range(self) -> float:
        """Metres covered by the range FFT (complex sampling)."""
        return self.range_resolution * self.num_samples

    @property
    def velocity_resolution(self) -> float:
        """m/s per Doppler bin of a num_loops-point FFT (0.14 m/s)."""
        return self.wavelength / (2.0 * self.num_loops * self.loop_period)

    @property
    def max_velocity(self) -> float:
        """Unambiguous radial speed, m/s (4.5 m/s)."""
        return self.wavelength / (4.0 * self.loop_period)


#: The profile the published HuPR data and weights use.
HUPR_CHIRP_CONFIG = ChirpConfig()
