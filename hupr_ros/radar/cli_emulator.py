# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
An IWR1843 CLI emulator on a pseudo-terminal, for tests and users without a board (no ROS).

It answers like the mmWave SDK demo firmware (docs/hardware.md): a boot banner with stray bytes
before the first prompt, the echo of every command, ``Done``, ``Error -1`` for a command with
the wrong number of values, ``'<cmd>' is not recognized as a CLI command`` for an unknown
one, ``Ignored:`` lines for commands that do nothing in the current state, and the prompt.
``sensorStart`` and ``sensorStop`` call the ``on_start`` / ``on_stop`` callbacks, which the
DCA1000 emulator uses to stream frames only while the sensor runs.

    with CliEmulator() as radar:
        RadarCli(radar.port).open().send('sensorStop')
"""

import os
import pty
import select
import threading
import tty
from typing import Callable, List, Optional

from hupr_ros.radar.cfg import ARITY
from hupr_ros.radar.cli import PROMPT

BANNER = (b'\x00\xff\xfe\x13 garbage from the boot \x07\r\n'
          b'******************************************\r\n'
          b'xWR18xx MMW Demo 03.06.00.00\r\n'
          b'******************************************\r\n')

#: commands the emulator accepts (the demo's, as far as a .cfg file uses them)
KNOWN = {'sensorStop', 'sensorStart', 'flushCfg', 'dfeDataOutputMode', 'channelCfg', 'adcCfg',
         'adcbufCfg', 'profileCfg', 'chirpCfg', 'frameCfg', 'lowPower', 'guiMonitor',
         'cfarCfg', 'multiObjBeamForming', 'clutterRemoval', 'calibDcRangeSig',
         'extendedMaxVelocity', 'lvdsStreamCfg', 'compRangeBiasAndRxChanPhase',
         'measureRangeBiasAndRxChanPhase', 'CQRxSatMonitor', 'CQSigImgMonitor',
         'analogMonitor', 'aoaFovCfg', 'cfarFovCfg', 'calibData', 'bpmCfg', 'advFrameCfg',
         'subFrameCfg', 'help', 'version'}


class CliEmulator:
    """
    Serve the radar CLI on a pseudo-terminal; ``port`` is the device to open.

    :param banner: bytes written before the first prompt (stray bytes at boot).
    :param respond: False = never answer (a wrong port, a board in flashing mode).
    :param on_start, on_stop: called on sensorStart / sensorStop.
    """

    def __init__(self, banner: bytes = BANNER, respond: bool = True,
                 on_start: Optional[Callable[[], None]] = None,
                 on_stop: Optional[Callable[[], None]] = None) -> None:
        self.banner = banner
        self.respond = respond
        self.on_start, self.on_stop = on_start, on_stop
        self.started = False
        self.received: List[str] = []
        self._master, self._slave = pty.openpty()
        tty.setraw(self._slave)
        self.port = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name='cli_emulator', daemon=True)

    def __enter__(self) -> 'CliEmulator':
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        if self.respond:
            os.write(self._master, self.banner + PROMPT)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass

    def _serve(self) -> None:
        buffer = b''
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                buffer += os.read(self._master, 4096)
            except OSError:
                return
            while b'\n' in buffer:
                raw, buffer = buffer.split(b'\n', 1)
                line = raw.decode('ascii', 'replace').strip()
                if self.respond:
                    os.write(self._master, self.answer(line))

    def answer(self, line: str) -> bytes:
        """Return what the firmware prints for one command line (echo included)."""
        out = [line] if line else []
        if line:
            self.received.append(line)
            name, *args = line.split()
            want = ARITY.get(name)
            if name not in KNOWN:
                out.append(f"'{name}' is not recognized as a CLI command")
            elif want is not None and len(args) != want:
                out.append('Error -1')
            elif name == 'sensorStart':
                if self.started:
                    out.append('Ignored: Sensor is already started')
                else:
                    out += ['Debug: Init Calibration Status = 0x1FFE', 'Done']
                    self.started = True
                    if self.on_start:
                        self.on_start()
            elif name == 'sensorStop':
                if not self.started:
                    out.append('Ignored: Sensor is already stopped')
                else:
                    out.append('Done')
                    self.started = False
                    if self.on_stop:
                        self.on_stop()
            elif self.started:
                out.append('Ignored: This command is not allowed after sensor has started')
            else:
                out.append('Done')
        return ''.join(f'{t}\r\n' for t in out).encode('ascii') + PROMPT


__all__ = ['BANNER', 'CliEmulator', 'KNOWN']
