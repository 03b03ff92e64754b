# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The two-radar rig.

Configure, start, receive and stop both radars and their DCA1000s (no ROS), for real boards or for
the emulators.

Start order (docs/hardware.md): each DCA1000 connects, is configured and starts recording;
each radar is configured over its CLI; the hardware-triggered radar (the second) starts first
and waits for its SYNC_IN, then the master's ``sensorStart`` starts both. Stop: the master,
then the others, then the DCA1000 recordings.
"""

from dataclasses import dataclass
import logging
from typing import Callable, List, Optional, Sequence

from hupr_ros.radar.cfg import HARDWARE_TRIGGER, RadarCfg, SOFTWARE_TRIGGER
from hupr_ros.radar.cli import RadarCli
from hupr_ros.radar.dca1000_net import AssembledFrame, CONFIG_PORT, DATA_PORT, Dca1000Control, \
    Dca1000Receiver, FPGA_IP, HOST_IP

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class RadarLink:
    """Where one radar and its DCA1000 are (defaults: one board on the standard addresses)."""

    name: str = 'hori'
    cli_port: str = '/dev/ttyACM0'
    fpga_ip: str = FPGA_IP
    config_port: int = CONFIG_PORT
    host_ip: str = HOST_IP
    host_config_port: int = CONFIG_PORT
    data_port: int = DATA_PORT
    packet_delay_us: float = 10.0


class Radar:
    """
    One radar + DCA1000.

    :meth:`open` checks both, :meth:`arm` starts recording, :meth:`start` / :meth:`stop` the
    sensor, :meth:`close` releases everything.
    """

    def __init__(self, link: RadarLink, cfg: RadarCfg,
                 on_frame: Callable[[AssembledFrame], None], zero_fill: bool = True,
                 cli_timeout: float = 2.0, dca_timeout: float = 1.0) -> None:
        self.link, self.cfg = link, cfg
        self.chirp = cfg.check_hupr()
        self.on_frame, self.zero_fill = on_frame, zero_fill
        self.cli = RadarCli(link.cli_port, timeout=cli_timeout)
        self.dca: Optional[Dca1000Control] = None
        self.receiver: Optional[Dca1000Receiver] = None
        self.dca_timeout = dca_timeout
        self.fpga_version = ''

    def open(self) -> None:          # noqa: A003 - open / close, as the CLI
        self.cli.open()
        self.cli.stop()
        self.dca = Dca1000Control(self.link.fpga_ip, self.link.config_port, self.link.host_ip,
                                  self.link.host_config_port, timeout=self.dca_timeout)
        self.fpga_version = self.dca.connect()
        self.receiver = Dca1000Receiver(self.link.host_ip, self.link.data_port,
                                        self.chirp.frame_bytes, self.on_frame, self.zero_fill)
        _LOG.info('%s: DCA1000 FPGA %s at %s, CLI %s', self.link.name, self.fpga_version,
                  self.link.fpga_ip, self.link.cli_port)

    def arm(self) -> None:
        self.dca.configure(self.link.packet_delay_us)
        self.cli.configure(self.cfg)
        self.receiver.start()
        self.dca.start_record()

    def start(self) -> None:
        self.cli.start()

    def stop(self) -> None:
        try:
            self.cli.stop()
        finally:
            if self.dca is not None:
                self.dca.stop_record()

    def close(self) -> None:
        for action in (self.cli.close,
                       self.receiver.stop if self.receiver else None,
                       self.dca.close if self.dca else None):
            if action is not None:
                try:
                    action()
                except Exception as error:   # noqa: B902 - release the rest regardless
                    _LOG.warning('%s: while closing: %r', self.link.name, error)


def rig_cfgs(cfg: RadarCfg, count: int) -> List[RadarCfg]:
    """Return the first radar triggers by software (the master); the others wait for SYNC_IN."""
    return [cfg.with_trigger(SOFTWARE_TRIGGER if i == 0 else HARDWARE_TRIGGER)
            for i in range(count)]


class Rig:
    """Several radars started together (see the module docstring)."""

    def __init__(self, radars: Sequence[Radar]) -> None:
        self.radars = list(radars)

    def start(self) -> None:
        opened = []
        try:
            for radar in self.radars:
                radar.open()
                opened.append(radar)
            for radar in self.radars:
                radar.arm()
            for radar in reversed(self.radars):     # the master last
                radar.start()
        except Exception:
            for radar in opened:
                radar.close()
            raise

    def stop(self) -> None:
        errors = []
        for radar in self.radars:                   # the master first
            try:
                radar.stop()
            except Exception as error:   # noqa: B902 - stop every radar regardless
                errors.append(error)
        for radar in self.radars:
            radar.close()
        if errors:
            raise errors[0]


class EmulatedRig:
    """
    CLI and DCA1000 emulators for ``names`` on loopback, fed by ``frames(name, k)``.

    The master's sensorStart triggers every board's stream (as the SYNC wire does).
    """

    def __init__(self, frames: Callable[[str, int], bytes],
                 names: Sequence[str] = ('hori', 'vert'), fps: float = 10.0,
                 faults=None) -> None:
        import socket

        from hupr_ros.radar.cli_emulator import CliEmulator
        from hupr_ros.radar.dca1000_emulator import Dca1000Emulator, Faults
        self.boards, self.clis, self.links = {}, {}, []
        for i, name in enumerate(names):
            probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            probe.bind(('127.0.0.1', 0))
            data_port = probe.getsockname()[1]
            probe.close()
            board = Dca1000Emulator(lambda k, n=name: frames(n, k), data_port=data_port,
                                    fps=fps, faults=(faults or {}).get(name, Faults()),
                                    require_sensor=True)
            self.boards[name] = board
            hooks = {'on_start': self._trigger, 'on_stop': self._untrigger} if i == 0 else {}
            self.clis[name] = CliEmulator(**hooks)
            self.links.append(RadarLink(name, self.clis[name].port, '127.0.0.1',
                                        board.config_port, '127.0.0.1', 0, data_port))

    def _trigger(self) -> None:
        for board in self.boards.values():
            board.sensor_start()

    def _untrigger(self) -> None:
        for board in self.boards.values():
            board.sensor_stop()

    def __enter__(self) -> 'EmulatedRig':
        for emulator in [*self.boards.values(), *self.clis.values()]:
            emulator.start()
        return self

    def __exit__(self, *exc) -> None:
        for emulator in [*self.clis.values(), *self.boards.values()]:
            emulator.close()


__all__ = ['EmulatedRig', 'Radar', 'RadarLink', 'Rig', 'rig_cfgs']
