# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
hupr-capture: record both radars into the HuPR layout, without ROS.

    hupr-capture CFG OUT --seconds N [--radars hori,vert] [--emulate]

Configures every radar over its CLI (the first radar triggers by software, the others by
hardware), starts the DCA1000 recordings, records N seconds and stops everything, writing

    OUT/hori/adc_data.bin      raw ADC frames in the DCA1000 file format (what mmWave Studio
    OUT/vert/adc_data.bin      writes; the published tooling and hupr-preprocess read it)
    OUT/capture.json           the configuration, per-radar counts, zero-filled frames

A frame with lost datagrams is written zero-filled (so both files stay frame-aligned) and
listed in capture.json. ``--emulate`` runs against the CLI and DCA1000 emulators fed by the
simulator, so the whole path can be tried without boards. Addresses and ports of real boards:
``--cli-ports``, ``--fpga-ips``, ``--host-ip``, ``--config-ports``, ``--data-ports``
(docs/hardware.md).
"""

import argparse
import json
import logging
import pathlib
import sys
import threading
import time
from typing import Dict, List, Optional, Sequence

from hupr_ros.cli import fail, INTERRUPTED, output_dir_problem
from hupr_ros.radar.cfg import CfgError, RadarCfg
from hupr_ros.radar.cli import RadarCliError
from hupr_ros.radar.dca1000_net import CONFIG_PORT, DATA_PORT, Dca1000Error, FPGA_IP, HOST_IP
from hupr_ros.radar.rig import EmulatedRig, Radar, RadarLink, Rig, rig_cfgs
from hupr_ros.sim.adc_source import SimFrames

_LOG = logging.getLogger('hupr-capture')
RADAR_NAMES = ('hori', 'vert')


class CaptureWriter:
    """
    Append one radar's frames to its capture file.

    Appends one radar's frames to its adc_data.bin in frame order (an empty file is
    removed on close: no capture that looks like one but holds nothing).
    """

    def __init__(self, path: pathlib.Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file = open(path, 'wb')
        self._lock = threading.Lock()
        self.frames = 0
        self.zero_filled: List[int] = []
        self.first_index: Optional[int] = None

    def __call__(self, frame) -> None:
        with self._lock:
            if self._file.closed:
                return
            if self.first_index is None:
                self.first_index = frame.index
            self._file.write(frame.data)
            if frame.bytes_missing:
                self.zero_filled.append(self.frames)
            self.frames += 1

    def close(self) -> None:
        with self._lock:
            self._file.close()
            if self.frames == 0:
                self.path.unlink(missing_ok=True)


def _split(text: str, count: int, name: str, cast=str) -> List:
    values = [cast(v) for v in text.split(',')] if text else []
    if values and len(values) != count:
        raise ValueError(f'--{name} needs {count} comma-separated values, got {text!r}')
    return values


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='hupr-capture',
                                     description=__doc__.strip().split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.strip().split('\n', 1)[1])
    parser.add_argument('cfg', type=pathlib.Path, help='mmWave SDK .cfg file '
                        '(config/iwr1843_hupr.cfg)')
    parser.add_argument('out', type=pathlib.Path, help='sequence folder to write')
    parser.add_argument('--seconds', type=float, required=True, help='recording length')
    parser.add_argument('--radars', default='hori,vert',
                        help='radars to record, the software-triggered master first')
    parser.add_argument('--emulate', action='store_true',
                        help='use the CLI and DCA1000 emulators fed by the simulator')
    parser.add_argument('--cli-ports', default='/dev/ttyACM0,/dev/ttyACM2',
                        help='CLI serial port of each radar')
    parser.add_argument('--fpga-ips', default=f'{FPGA_IP},192.168.33.181',
                        help='DCA1000 address of each radar')
    parser.add_argument('--host-ip', default=HOST_IP, help="this host's address on the "
                        'DCA1000 network')
    parser.add_argument('--config-ports', default=f'{CONFIG_PORT},4097',
                        help='DCA1000 configuration port of each radar')
    parser.add_argument('--data-ports', default=f'{DATA_PORT},4099',
                        help='DCA1000 data port of each radar')
    parser.add_argument('--packet-delay-us', type=float, default=10.0,
                        help='DCA1000 delay between datagrams (default: %(default)s)')
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(name)s: %(message)s')
    names = args.radars.split(',')
    if not names or any(n not in RADAR_NAMES for n in names) or len(set(names)) != len(names):
        parser.error(f'--radars must name some of {RADAR_NAMES} once each, got {args.radars!r}')
    if not args.seconds > 0:
        parser.error(f'--seconds must be > 0, got {args.seconds}')
    try:
        cfgs = dict(zip(names, rig_cfgs(RadarCfg.load(args.cfg), len(names))))
        for cfg in cfgs.values():
            cfg.check_hupr()
        ports = _split(args.cli_ports, 2, 'cli-ports')[:len(names)]
        ips = _split(args.fpga_ips, 2, 'fpga-ips')[:len(names)]
        config_ports = _split(args.config_ports, 2, 'config-ports', int)[:len(names)]
        data_ports = _split(args.data_ports, 2, 'data-ports', int)[:len(names)]
    except (CfgError, ValueError) as error:
        return fail('hupr-capture', str(error))
    problem = output_dir_problem(args.out)
    if problem:
        return fail('hupr-capture', f'cannot write to {args.out}: {problem}')
    writers = {n: CaptureWriter(args.out / n / 'adc_data.bin') for n in names}
    emulator = EmulatedRig(SimFrames(), names) if args.emulate else None
    if emulator is not None:
        emulator.__enter__()
        links = emulator.links
    else:
        links = [RadarLink(n, ports[i], ips[i], config_ports[i], args.host_ip, config_ports[i],
                           data_ports[i], args.packet_delay_us) for i, n in enumerate(names)]
    radars = [Radar(link, cfgs[link.name], writers[link.name]) for link in links]
    rig = Rig(radars)
    interrupted = False
    started = time.monotonic()
    try:
        rig.start()
        started = time.monotonic()
        from tqdm import tqdm
        with tqdm(total=round(args.seconds, 1), unit='s', bar_format='{l_bar}{bar}| '
                  '{n:.1f}/{total:.1f} s {postfix}') as bar:
            while (elapsed := time.monotonic() - started) < args.seconds:
                time.sleep(0.1)
                bar.n = round(min(elapsed, args.seconds), 1)
                bar.set_postfix_str(', '.join(f'{n} {w.frames} frames' for n, w in
                                              writers.items()))
    except KeyboardInterrupt:
        interrupted = True
    except (RadarCliError, Dca1000Error, OSError) as error:
        for writer in writers.values():
            writer.close()
        if emulator is not None:
            emulator.__exit__(None, None, None)
        return fail('hupr-capture', str(error), 1)
    finally:
        try:
            rig.stop()
        except (RadarCliError, Dca1000Error) as error:
            _LOG.error('while stopping: %s', error)
        for writer in writers.values():
            writer.close()
        if emulator is not None:
            emulator.__exit__(None, None, None)
    report = summary(args, cfgs, radars, writers, time.monotonic() - started)
    (args.out / 'capture.json').write_text(json.dumps(report, indent=1))
    for name, radar in report['radars'].items():
        print(f'{name}: {radar["frames"]} frames, {radar["packets_lost"]} datagrams lost, '
              f'{len(radar["zero_filled_frames"])} frames zero-filled, kernel drops '
              f'{radar["kernel_drops"]}')
    print(f'wrote {args.out}')
    return INTERRUPTED if interrupted else 0


def summary(args, cfgs: Dict[str, RadarCfg], radars, writers, seconds: float) -> dict:
    report = {'cfg': str(args.cfg), 'seconds': round(seconds, 2), 'emulated': args.emulate,
              'radars': {}}
    for radar in radars:
        name = radar.link.name
        stats = radar.receiver.assembler.stats if radar.receiver else None
        report['radars'][name] = {
            'cfg': cfgs[name].to_text(), 'frames': writers[name].frames,
            'first_frame_index': writers[name].first_index,
            'zero_filled_frames': writers[name].zero_filled,
            'packets_lost': stats.lost if stats else None,
            'stream': stats.as_dict() if stats else None,
            'kernel_drops': radar.receiver.kernel_drops if radar.receiver else None,
            'fpga_version': radar.fpga_version}
    return report


if __name__ == '__main__':
    sys.exit(main())
