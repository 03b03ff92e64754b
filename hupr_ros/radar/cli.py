# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The IWR1843's UART command line (CLI) over pyserial (no ROS).

The mmWave SDK firmware reads one command per line at 115200 baud on the lower-numbered of the
board's two XDS110 serial ports. It echoes the command, may print information lines, then
``Done`` (accepted) or ``Error <code>`` (refused), and its prompt ``mmwDemo:/>``. An unknown
command gets ``'<cmd>' is not recognized as a CLI command``; a command that has no effect in
the current state gets a line starting ``Ignored:``. Bytes left over from the boot (banners,
noise) corrupt the first command unless they are read and dropped first, which
:meth:`RadarCli.open` does.

Every failure is a :class:`RadarCliError` whose message says what to check.
"""

import errno
import logging
import time
from typing import Callable, List, Optional

from hupr_ros.radar.cfg import RadarCfg

_LOG = logging.getLogger(__name__)

PROMPT = b'mmwDemo:/>'
BAUD = 115200


class RadarCliError(RuntimeError):
    """The radar's CLI port cannot be used, or the firmware refused a command."""


def _open_error(port: str, error: Exception) -> RadarCliError:
    text = str(error)
    code = getattr(error, 'errno', None)
    if code == errno.ENOENT or 'No such file' in text:
        return RadarCliError(
            f'no serial port {port}: is the radar plugged in and powered? The CLI port is the '
            'lower-numbered of the two XDS110 ports (ls /dev/ttyACM* /dev/serial/by-id/)')
    if code == errno.EACCES or 'Permission denied' in text:
        return RadarCliError(
            f'permission denied on {port}: add your user to the dialout group '
            '(sudo usermod -aG dialout $USER) and log in again')
    if code in (errno.EAGAIN, errno.EBUSY) or 'exclusively lock' in text or 'busy' in text:
        return RadarCliError(
            f'{port} is in use by another program (another radar node, mmWave Studio, a '
            'terminal): close it; each radar needs its own CLI port')
    return RadarCliError(f'cannot open {port}: {text}')


class RadarCli:
    """
    One radar's CLI session.

    :param port: serial device, e.g. /dev/ttyACM0.
    :param baud: 115200 for the SDK demo firmware.
    :param timeout: seconds to wait for the answer to one command.
    :param serial_factory: ``serial.Serial``-like constructor (tests); default pyserial.
    """

    def __init__(self, port: str, baud: int = BAUD, timeout: float = 2.0,
                 serial_factory: Optional[Callable] = None) -> None:
        self.port = port
        self.baud = baud
        self.timeout = timeout
        self._factory = serial_factory
        self._serial = None

    # -- session -------------------------------------------------------------------------------
    def open(self) -> 'RadarCli':      # noqa: A003 - the port's open / close, as pyserial
        """Open the port exclusively, drop stray bytes and check the firmware answers."""
        factory = self._factory
        if factory is None:
            try:
                import serial
            except ImportError as error:
                raise RadarCliError('pyserial is not installed (pip install pyserial, or '
                                    'apt install python3-serial)') from error
            factory = serial.Serial
        try:
            self._serial = factory(self.port, self.baud, timeout=0.05, exclusive=True)
        except Exception as error:   # noqa: B902 - pyserial raises SerialException / OSError
            raise _open_error(self.port, error) from error
        self.flush()
        return self

    def close(self) -> None:
        if self._serial is not None:
            self._serial.close()
            self._serial = None

    def __enter__(self) -> 'RadarCli':
        return self.open() if self._serial is None else self

    def __exit__(self, *exc) -> None:
        self.close()

    def flush(self, quiet_s: float = 0.1) -> bytes:
        """
        Drain what the board sent unasked, then sync on the prompt.

        Read and drop whatever the board sent unasked (boot banner, noise), then send an
        empty line and wait for the prompt: the next command starts on a clean line.
        """
        dropped = self._drain(quiet_s)
        self._serial.write(b'\n')
        text = self._read_until_prompt('(empty line)')
        if dropped:
            _LOG.info('%s: dropped %d stray bytes before the first command', self.port,
                      len(dropped))
        return dropped + text

    def _drain(self, quiet_s: float) -> bytes:
        data = b''
        deadline = time.monotonic() + max(self.timeout, 1.0)
        last = time.monotonic()
        while time.monotonic() < deadline:
            chunk = self._read_available()
            if chunk:
                data += chunk
                last = time.monotonic()
            elif time.monotonic() - last >= quiet_s:
                break
        return data

    def _read_until_prompt(self, command: str) -> bytes:
        data = b''
        deadline = time.monotonic() + self.timeout
        while PROMPT not in data:
            if time.monotonic() > deadline:
                raise RadarCliError(
                    f'{self.port}: no answer to {command!r} within {self.timeout:g} s '
                    f'(got {data[-80:]!r}): is this the CLI port (the lower-numbered XDS110 '
                    f'port) at {self.baud} baud, and is the board flashed with the mmWave SDK '
                    'demo and in functional mode (SOP jumpers)?')
            data += self._read_available()
        return data

    def _read_available(self) -> bytes:
        """
        Wait up to the port's read timeout for a byte, then take what else has arrived.

        ``read(4096)`` would wait out the whole timeout for every answer, since answers are
        shorter than that: 50 ms per command, 1.5 s per configuration.
        """
        data = self._serial.read(1)
        waiting = getattr(self._serial, 'in_waiting', 0) if data else 0
        return data + self._serial.read(waiting) if waiting else data

    # -- commands ------------------------------------------------------------------------------
    def send(self, line: str, where: str = '') -> List[str]:
        """
        Send one command; return the firmware's answer lines (echo and prompt removed).

        :raises RadarCliError: ``Error <code>``, an unknown command, or no answer; the message
            names the command (and ``where`` it came from, e.g. ``file.cfg:12``).
        """
        if self._serial is None:
            raise RadarCliError(f'{self.port}: not open')
        line = line.strip()
        self._serial.write(line.encode('ascii') + b'\n')
        raw = self._read_until_prompt(line)
        text = raw.split(PROMPT)[0].decode('ascii', 'replace')
        lines = [t.strip() for t in text.replace('\r', '\n').split('\n') if t.strip()]
        if lines and lines[0] == line:
            lines = lines[1:]                      # the echo
        label = f'{where}: ' if where else ''
        for answer in lines:
            if 'is not recognized as a CLI command' in answer:
                raise RadarCliError(f'{label}{line!r}: the firmware does not know this command '
                                    f'({answer}); is it an SDK demo of another version?')
            if answer.startswith('Error'):
                raise RadarCliError(f'{label}{line!r} was refused by the firmware: {answer} '
                                    "(see the mmWave SDK user guide for the command's values)")
        if any(a.startswith('Ignored') for a in lines):
            _LOG.info('%s: %r: %s', self.port, line, '; '.join(lines))
        elif 'Done' not in lines:
            raise RadarCliError(f'{label}{line!r}: unexpected answer {lines!r}')
        return lines

    def configure(self, cfg: RadarCfg) -> None:
        """Send every command of a .cfg file except sensorStart, in order."""
        for command in cfg.commands:
            if command.name == 'sensorStart':
                continue
            self.send(command.text(), cfg.where(command))

    def start(self) -> None:
        self.send('sensorStart')

    def stop(self) -> None:
        """Stop the sensor (answers 'Ignored' when it was not running: that is fine)."""
        self.send('sensorStop')


__all__ = ['BAUD', 'PROMPT', 'RadarCli', 'RadarCliError']
