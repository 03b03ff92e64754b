# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The radar CLI session (pyserial) against the pseudo-terminal emulator."""

from conftest import REPO
from hupr_ros.radar.cfg import load_cfg
from hupr_ros.radar.cli import RadarCli, RadarCliError
from hupr_ros.radar.cli_emulator import CliEmulator
import pytest

serial = pytest.importorskip('serial')


def test_configure_start_stop_after_stray_boot_bytes():
    cfg = load_cfg(REPO / 'config' / 'iwr1843_hupr.cfg')
    events = []
    with CliEmulator(on_start=lambda: events.append('start'),
                     on_stop=lambda: events.append('stop')) as radar:
        with RadarCli(radar.port, timeout=2.0) as cli:
            cli.configure(cfg)
            cli.start()
            assert radar.started and events == ['start']
            assert any('Ignored' in a for a in cli.send('profileCfg 0 77 7 6 65 0 0 60.012 '
                                                        '1 256 4400 0 0 30'))
            cli.stop()
            cli.stop()                       # already stopped: 'Ignored', not an error
        assert radar.received[:len(cfg.lines())] == cfg.lines()   # first command not corrupted
        assert events == ['start', 'stop']


def test_firmware_errors_name_the_line():
    with CliEmulator() as radar, RadarCli(radar.port) as cli:
        with pytest.raises(RadarCliError, match="my.cfg:7: 'frameCfg 0 2 64' was refused by "
                                                'the firmware: Error -1'):
            cli.send('frameCfg 0 2 64', 'my.cfg:7')
        with pytest.raises(RadarCliError, match="does not know this command .*'bogusCmd' is "
                                                'not recognized'):
            cli.send('bogusCmd 1 2')


def test_port_problems_are_one_clear_sentence(tmp_path):
    with pytest.raises(RadarCliError, match='no serial port /dev/ttyNOPE.*plugged in'):
        RadarCli('/dev/ttyNOPE').open()
    with CliEmulator() as radar:
        first = RadarCli(radar.port).open()
        try:
            with pytest.raises(RadarCliError, match='in use by another program'):
                RadarCli(radar.port).open()
        finally:
            first.close()

    def denied(*args, **kwargs):
        raise serial.SerialException(13, 'could not open port /dev/ttyACM0: [Errno 13] '
                                         'Permission denied')
    with pytest.raises(RadarCliError, match='dialout'):
        RadarCli('/dev/ttyACM0', serial_factory=denied).open()


def test_no_answer_times_out_with_advice():
    with CliEmulator(respond=False) as radar:
        with pytest.raises(RadarCliError, match='no answer .* lower-numbered XDS110 port'):
            RadarCli(radar.port, timeout=0.5).open()
