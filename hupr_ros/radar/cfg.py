# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
mmWave SDK ``.cfg`` files: parse, check, derive and write (no ROS).

A ``.cfg`` file is the list of CLI commands the radar firmware takes, one per line (``%``
starts a comment). :class:`RadarCfg` keeps every command in order, so writing it back gives
the same commands, and reads the ones that fix the raw data:

- ``channelCfg rxMask txMask cascade``
- ``adcCfg numADCBits adcOutputFmt``  (2 = 16 bit; 1 = complex 1x)
- ``adcbufCfg subFrame outputFmt sampleSwap chanInterleave chirpThreshold``
- ``profileCfg id startGHz idleUs adcStartUs rampEndUs txPower txPhase slopeMHzUs txStartUs
  numSamples sampleRateKsps hpf1 hpf2 rxGain``
- ``chirpCfg startIdx endIdx profileId startFreqVar slopeVar idleVar adcStartVar txMask``
- ``frameCfg chirpStartIdx chirpEndIdx numLoops numFrames periodMs triggerSelect delayMs``
  (trigger 1 = software, 2 = hardware SYNC_IN)
- ``lvdsStreamCfg subFrame header dataFmt swData``

:meth:`RadarCfg.chirp_config` turns them into the :class:`ChirpConfig` the rest of the package
uses; :meth:`RadarCfg.check` refuses what cannot work (docs/hardware.md lists the rules).
"""

from dataclasses import dataclass
import math
import pathlib
from typing import Dict, List, Optional, Sequence, Tuple, Union

from hupr_ros.radar.config import ChirpConfig

#: Average data rate we let one DCA1000 carry (its Ethernet link is 1 Gbit/s; above about
#: 600 Mbit/s captures lose packets on ordinary hosts).
DCA1000_MAX_MBPS = 600.0

SOFTWARE_TRIGGER, HARDWARE_TRIGGER = 1, 2


class CfgError(ValueError):
    """A .cfg file cannot be parsed or describes a configuration that cannot work."""


@dataclass(frozen=True)
class Command:
    """One CLI command: its name, arguments (text) and line number in the file (0: made)."""

    name: str
    args: Tuple[str, ...]
    line: int = 0

    def text(self) -> str:
        return ' '.join((self.name,) + self.args)


#: command -> number of arguments it must have (the ones this module reads)
ARITY = {'channelCfg': 3, 'adcCfg': 2, 'adcbufCfg': 5, 'profileCfg': 14, 'chirpCfg': 8,
         'frameCfg': 7, 'lvdsStreamCfg': 4}


class RadarCfg:
    """The commands of one ``.cfg`` file, with typed access to those that fix the data."""

    def __init__(self, commands: Sequence[Command], source: str = '<cfg>') -> None:
        self.commands = list(commands)
        self.source = source
        for command in self.commands:
            want = ARITY.get(command.name)
            if want is not None and len(command.args) != want:
                raise CfgError(f'{self.where(command)}: {command.name} takes {want} values, '
                               f'got {len(command.args)}: {command.text()!r}')

    # -- reading and writing -------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str, source: str = '<cfg>') -> 'RadarCfg':
        commands = []
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.split('%', 1)[0].strip()
            if line:
                name, *args = line.split()
                commands.append(Command(name, tuple(args), number))
        if not commands:
            raise CfgError(f'{source}: no commands')
        return cls(commands, source)

    @classmethod
    def load(cls, path: Union[str, pathlib.Path]) -> 'RadarCfg':
        path = pathlib.Path(path)
        if not path.is_file():
            raise CfgError(f'radar configuration not found: {path}')
        return cls.parse(path.read_text(), str(path))

    def to_text(self) -> str:
        return ''.join(c.text() + '\n' for c in self.commands)

    def lines(self) -> List[str]:
        """Return the commands to send over the CLI, in order."""
        return [c.text() for c in self.commands]

    def where(self, command: Command) -> str:
        return f'{self.source}:{command.line}' if command.line else self.source

    # -- typed access --------------------------------------------------------------------------
    def find(self, name: str) -> List[Command]:
        return [c for c in self.commands if c.name == name]

    def one(self, name: str) -> Command:
        found = self.find(name)
        if len(found) != 1:
            raise CfgError(f'{self.source}: needs exactly one {name} line, found {len(found)}')
        return found[0]

    def numbers(self, command: Command) -> List[float]:
        try:
            return [float(a) for a in command.args]
        except ValueError as error:
            raise CfgError(f'{self.where(command)}: {command.text()!r}: {error}') from error

    def value(self, name: str, index: int) -> float:
        return self.numbers(self.one(name))[index]

    @property
    def rx_mask(self) -> int:
        return int(self.value('channelCfg', 0))

    @property
    def tx_order(self) -> List[int]:
        """TX mask of each chirp of a loop, in chirp order (from the frame's chirpCfg range)."""
        frame = self.numbers(self.one('frameCfg'))
        masks = {}
        for command in self.find('chirpCfg'):
            start, end, *_, mask = self.numbers(command)
            for index in range(int(start), int(end) + 1):
                masks[index] = int(mask)
        order = []
        for index in range(int(frame[0]), int(frame[1]) + 1):
            if index not in masks:
                raise CfgError(f'{self.source}: frameCfg uses chirp {index}, which no chirpCfg '
                               'defines')
            order.append(masks[index])
        return order

    @property
    def trigger(self) -> int:
        return int(self.value('frameCfg', 5))

    @property
    def iq_order(self) -> str:
        """'qi' when adcbufCfg's sample swap puts Q in the first lane (SDK demo default)."""
        return 'qi' if int(self.value('adcbufCfg', 2)) == 1 else 'iq'

    def replaced(self, name: str, index: int, value: Union[int, float, str]) -> 'RadarCfg':
        """Return a copy with one argument of the (single) ``name`` command changed."""
        old = self.one(name)
        args = list(old.args)
        args[index] = str(value)
        commands = [Command(c.name, tuple(args), c.line) if c is old else c
                    for c in self.commands]
        return RadarCfg(commands, self.source)

    def with_trigger(self, trigger: int) -> 'RadarCfg':
        """Return the same configuration started by software (1) or by the SYNC_IN pin (2)."""
        if trigger not in (SOFTWARE_TRIGGER, HARDWARE_TRIGGER):
            raise CfgError(f'trigger must be 1 (software) or 2 (hardware), got {trigger}')
        return self.replaced('frameCfg', 5, trigger)

    # -- derived quantities ----------------------------------------------------------------------
    def chirp_config(self) -> ChirpConfig:
        """Return the :class:`ChirpConfig` of this file (checked first)."""
        self.check()
        return self._chirp_config()

    def _chirp_config(self) -> ChirpConfig:
        p = self.numbers(self.one('profileCfg'))
        frame = self.numbers(self.one('frameCfg'))
        order = self.tx_order
        try:
            return ChirpConfig(num_tx=len(order), num_rx=bin(self.rx_mask).count('1'),
                               num_loops=int(frame[2]), num_samples=int(p[9]),
                               start_frequency=p[1] * 1e9, slope=p[7] * 1e12,
                               sample_rate=p[10] * 1e3, idle_time=p[2] * 1e-6,
                               adc_start_time=p[3] * 1e-6, ramp_end_time=p[4] * 1e-6,
                               frame_period=frame[4] * 1e-3)
        except ValueError as error:
            raise CfgError(f'{self.source}: {error}') from error

    def derived(self) -> Dict[str, float]:
        """Bandwidth, resolutions, limits, duty cycle and data rate (SI units, Mbit/s)."""
        c = self._chirp_config()
        active = c.num_chirps * c.chirp_period
        return {
            'sampled_bandwidth_hz': c.sampled_bandwidth,
            'ramp_bandwidth_hz': c.slope * c.ramp_end_time,
            'sampling_time_s': c.num_samples / c.sample_rate,
            'range_resolution_m': c.range_resolution,
            'max_range_m': c.max_range,
            'velocity_resolution_mps': c.velocity_resolution,
            'max_velocity_mps': c.max_velocity,
            'chirp_period_s': c.chirp_period,
            'frame_active_s': active,
            'duty_cycle': active / c.frame_period,
            'frame_bytes': float(c.frame_bytes),
            'data_rate_mbps': c.frame_bytes * 8 / c.frame_period / 1e6,
            'burst_rate_mbps': c.num_rx * c.num_samples * 32 / c.chirp_period / 1e6,
        }

    def check(self) -> None:
        """Refuse a configuration that cannot work, with the reason and the numbers."""
        p = self.numbers(self.one('profileCfg'))
        frame = self.numbers(self.one('frameCfg'))
        adc_start, ramp_end = p[3], p[4]
        samples, ksps = p[9], p[10]
        if ksps <= 0 or samples <= 0:
            raise CfgError(f'{self.where(self.one("profileCfg"))}: numSamples and sampleRate '
                           f'must be > 0, got {samples:g} and {ksps:g} ksps')
        sampling_us = samples / ksps * 1e3
        if adc_start + sampling_us > ramp_end:
            raise CfgError(
                f'{self.where(self.one("profileCfg"))}: the sampling window (ADC start '
                f'{adc_start:g} us + {samples:g} samples at {ksps:g} ksps = '
                f'{adc_start + sampling_us:.2f} us) is longer than the ramp ({ramp_end:g} us)')
        if self.rx_mask <= 0 or self.rx_mask > 15:
            raise CfgError(f'{self.where(self.one("channelCfg"))}: rxMask must be 1..15, got '
                           f'{self.rx_mask}')
        if int(self.value('adcCfg', 0)) != 2 or int(self.value('adcCfg', 1)) != 1:
            raise CfgError(f'{self.where(self.one("adcCfg"))}: raw capture needs 16-bit complex '
                           'samples (adcCfg 2 1)')
        if frame[2] < 1 or frame[4] <= 0:
            raise CfgError(f'{self.where(self.one("frameCfg"))}: numLoops must be >= 1 and the '
                           f'period > 0, got {frame[2]:g} and {frame[4]:g} ms')
        chirp_us = p[2] + ramp_end
        active_ms = len(self.tx_order) * frame[2] * chirp_us * 1e-3
        if active_ms >= frame[4]:
            raise CfgError(
                f'{self.where(self.one("frameCfg"))}: the frame period ({frame[4]:g} ms) is '
                f'shorter than its chirps ({len(self.tx_order)} x {frame[2]:g} loops x '
                f'{chirp_us:g} us = {active_ms:.2f} ms)')
        rate = self.derived()['data_rate_mbps']
        if rate > DCA1000_MAX_MBPS:
            raise CfgError(f'{self.source}: {rate:.0f} Mbit/s of raw data is more than a '
                           f'DCA1000 carries reliably ({DCA1000_MAX_MBPS:.0f} Mbit/s): fewer '
                           'samples, loops or a longer frame period')
        if not math.isfinite(rate):
            raise CfgError(f'{self.source}: the data rate is not a number')

    def check_hupr(self) -> ChirpConfig:
        """
        Check that the frames fit the HuPR processing.

        That is 3 TX in the order TX0, TX1, TX2, 4 RX, and the published range crop. Returns
        their ChirpConfig.
        """
        chirp = self.chirp_config()
        if self.tx_order != [1, 2, 4] or self.rx_mask != 15:
            raise CfgError(f'{self.source}: HuPR processing needs chirps from TX0, TX1, TX2 in '
                           f'that order (chirpCfg tx masks 1, 2, 4) and all 4 RX (channelCfg '
                           f'15); this file has tx masks {self.tx_order} and rx mask '
                           f'{self.rx_mask}')
        if chirp.num_samples <= 94:
            raise CfgError(f'{self.source}: HuPR keeps range bins 31..94: needs more than 94 '
                           f'samples per chirp, got {chirp.num_samples}')
        return chirp

    def summary(self) -> str:
        d = self.derived()
        return (f'{d["range_resolution_m"] * 100:.2f} cm range resolution, '
                f'{d["max_range_m"]:.1f} m range, {d["velocity_resolution_mps"]:.3f} m/s '
                f'velocity resolution, +-{d["max_velocity_mps"]:.2f} m/s, duty cycle '
                f'{100 * d["duty_cycle"]:.1f}%, {d["data_rate_mbps"]:.1f} Mbit/s')


def load_cfg(path: Union[str, pathlib.Path], trigger: Optional[int] = None) -> RadarCfg:
    """Read and check a .cfg file; optionally switch its trigger (1 software, 2 hardware)."""
    cfg = RadarCfg.load(path)
    if trigger is not None:
        cfg = cfg.with_trigger(trigger)
    cfg.check()
    return cfg


__all__ = ['CfgError', 'Command', 'DCA1000_MAX_MBPS', 'HARDWARE_TRIGGER', 'load_cfg',
           'RadarCfg', 'SOFTWARE_TRIGGER']
