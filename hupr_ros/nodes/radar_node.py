# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Radar driver node: one IWR1843 + DCA1000EVM -> ``radar/<hori|vert>/raw``, a lifecycle node.

- configure: read and check the .cfg file, open the CLI port and send the configuration,
  connect to the DCA1000 (every failure is one log line saying what to check; the node stays
  unconfigured and can be configured again);
- activate: start the DCA1000 recording and the data receiver, then the sensor (a radar with
  the hardware trigger waits for its SYNC_IN);
- deactivate: stop the sensor and the recording; cleanup / shutdown: release the port and the
  sockets. SIGINT stops the radar and the DCA1000 too.

Under a lifecycle manager a failed transition can be retried. With ``autostart`` (what the
launch file sets) it configures and activates itself, and a failure stops it with one line
(exit status 1), as for every lifecycle node here (:func:`hupr_ros.nodes.common.autostart`).

Frames (hupr_msgs/RadarFrame, complex int16 I first) are stamped at the frame start: the
arrival of the frame's first datagram minus ``first_datagram_latency_s`` (docs/hardware.md
gives the error of this estimate). Frames with lost datagrams are published zero-filled and
flagged (or dropped, ``drop_incomplete``). ``/diagnostics`` gets the frame rate, datagrams
lost, zero-filled frames and kernel drops every second.

``source:=emulator`` runs the same code against a CLI emulator and a DCA1000 emulator on
loopback fed by the simulator, so the whole hardware path runs without boards.
"""

import sys
import threading
import time
from typing import Optional

from hupr_msgs.msg import RadarFrame
from hupr_ros import topics
from hupr_ros.guards import ErrorLog
from hupr_ros.messages.ros import frame_to_msg
from hupr_ros.mount import frame_prefix
from hupr_ros.nodes.common import autostart, declare_parameters, Diagnostics, Param, RateMeter, \
    report, run_node, transition_failed
from hupr_ros.nodes.qos import SENSOR_QOS
from hupr_ros.radar.cfg import CfgError, HARDWARE_TRIGGER, RadarCfg, SOFTWARE_TRIGGER
from hupr_ros.radar.cli import RadarCliError
from hupr_ros.radar.dca1000 import decode_samples
from hupr_ros.radar.dca1000_net import AssembledFrame, CONFIG_PORT, DATA_PORT, Dca1000Error, \
    FPGA_IP, HOST_IP
from hupr_ros.radar.rig import Radar, RadarLink
from hupr_ros.shipped import shipped_file
import numpy as np
from rclpy.lifecycle import LifecycleNode, State, TransitionCallbackReturn

SOURCES = ('hardware', 'emulator')


def shipped_cfg() -> str:
    """Return the shipped radar configuration (config/iwr1843_hupr.cfg); '' when absent."""
    return str(shipped_file('hupr_ros', 'config', 'iwr1843_hupr.cfg') or '')


#: The node's parameters (``ros2 param describe`` shows these descriptions).
PARAMETERS = (
    Param('orientation', topics.ORIENTATION_HORIZONTAL, "'horizontal' or 'vertical' (rotated 90 "
          'degrees)'),
    Param('source', 'hardware', "'hardware' or 'emulator' (CLI + DCA1000 emulators fed by the "
          'simulator)'),
    Param('cfg_file', '', "mmWave SDK .cfg ('' = the shipped config/iwr1843_hupr.cfg)"),
    Param('trigger', '', "'software', 'hardware' (SYNC_IN) or '' = software for the horizontal "
          'radar (the master), hardware for the vertical one'),
    Param('cli_port', '/dev/ttyACM0', 'CLI serial port (the lower-numbered XDS110 port)'),
    Param('fpga_ip', FPGA_IP, 'DCA1000 address'),
    Param('config_port', CONFIG_PORT, 'DCA1000 configuration port', range=(1, 65535)),
    Param('host_ip', HOST_IP, "this host's address on the DCA1000 network"),
    Param('data_port', DATA_PORT, 'DCA1000 data port', range=(1, 65535)),
    Param('packet_delay_us', 10.0, 'DCA1000 delay between datagrams', range=(0.0, 1000.0)),
    Param('frame_id', '', "'' = radar_hori / radar_vert from the orientation"),
    Param('iq_order', '', "'iq', 'qi' or '' = from the .cfg (adcbufCfg sample swap)"),
    Param('first_datagram_latency_s', 0.0005, 'time from the frame start to its first datagram '
          'arriving', range=(0.0, 1.0)),
    Param('drop_incomplete', False, 'drop frames with lost datagrams instead of zero-filling '
          'them'),
    Param('emulator_loop_frames', 30, 'source:=emulator: simulate this many frames once and '
          'repeat them (0 = simulate every frame, as fast as the simulator allows)',
          range=(0, 10000)),
    Param('emulator_faults', '', 'source:=emulator: faults to inject in the data stream, e.g. '
          "'loss=0.02,reorder=0.05,duplicate=0.01,truncate=0.01,garbage=0.01'"),
    Param('autostart', False, 'configure and activate at start-up (without a lifecycle '
          'manager); a failure then stops the node with one line (exit status 1)'),
)


class RadarNode(LifecycleNode):
    """One radar's driver (see the module docstring)."""

    def __init__(self, **kwargs) -> None:
        super().__init__('hupr_radar', **kwargs)
        # what the lifecycle callbacks touch, set first: rclpy runs on_shutdown at context
        # shutdown even when a bad parameter stopped this constructor
        self._active = False
        self.radar: Optional[Radar] = None
        self.emulator = None
        self.params = declare_parameters(self, PARAMETERS)
        self.orientation = self.params.orientation
        self.source = self.params.source
        self.errors = ErrorLog()
        self.radar: Optional[Radar] = None
        self.emulator = None
        self.chirp = None
        self.iq_order = 'iq'
        self.counts = {'frames': 0, 'published': 0, 'zero_filled': 0}
        self._lock = threading.Lock()
        self._active = False
        self._rate = RateMeter()
        self.frame_id = self.params.frame_id or \
            frame_prefix(self.get_namespace()) + (
                topics.FRAME_RADAR_HORI if self.orientation == topics.ORIENTATION_HORIZONTAL
                else topics.FRAME_RADAR_VERT)
        self.publisher = None
        self.diagnostics = Diagnostics(self, self.diagnose, hardware_id=self.frame_id,
                                       errors=self.errors)
        self._failure = ''
        if self.params.autostart:
            autostart(self)

    # -- lifecycle -----------------------------------------------------------------------------
    def on_configure(self, state: State) -> TransitionCallbackReturn:
        try:
            self._configure()
        except (CfgError, RadarCliError, Dca1000Error, ValueError, OSError) as error:
            self._release()
            return transition_failed(self, f'cannot configure the {self.orientation} radar: '
                                           f'{error}')
        self.publisher = self.create_lifecycle_publisher(
            RadarFrame, topics.RADAR_HORI_RAW if self.orientation == 'horizontal'
            else topics.RADAR_VERT_RAW, SENSOR_QOS)
        self.get_logger().info(
            f'{self.orientation} radar configured ({self.cfg.summary()}); DCA1000 FPGA '
            f'{self.radar.fpga_version}; trigger '
            f'{"hardware" if self.cfg.trigger == HARDWARE_TRIGGER else "software"}')
        return TransitionCallbackReturn.SUCCESS

    def _configure(self) -> None:
        if self.orientation not in topics.ORIENTATIONS:
            raise ValueError(f'orientation must be one of {topics.ORIENTATIONS}, got '
                             f'{self.orientation!r}')
        if self.source not in SOURCES:
            raise ValueError(f'source must be one of {SOURCES}, got {self.source!r}')
        trigger = self.params.trigger or (
            'software' if self.orientation == topics.ORIENTATION_HORIZONTAL else 'hardware')
        if trigger not in ('software', 'hardware'):
            raise ValueError(f"trigger must be 'software', 'hardware' or '', got {trigger!r}")
        cfg_file = self.params.cfg_file or shipped_cfg()
        if not cfg_file:
            raise ValueError('no cfg_file given, and the shipped config/iwr1843_hupr.cfg is '
                             'not installed')
        cfg = RadarCfg.load(cfg_file)
        if self.source == 'emulator':
            trigger = 'software'          # an emulated radar has nobody to trigger it
        self.cfg = cfg.with_trigger(SOFTWARE_TRIGGER if trigger == 'software'
                                    else HARDWARE_TRIGGER)
        self.chirp = self.cfg.check_hupr()
        self.iq_order = self.params.iq_order or self.cfg.iq_order
        if self.iq_order not in ('iq', 'qi'):
            raise ValueError(f"iq_order must be 'iq', 'qi' or '', got {self.iq_order!r}")
        if self.source == 'emulator':
            link = self._start_emulator()
        else:
            link = RadarLink(self.orientation[:4], self.params.cli_port,
                             self.params.fpga_ip, int(self.params.config_port),
                             self.params.host_ip, int(self.params.config_port),
                             int(self.params.data_port),
                             float(self.params.packet_delay_us))
        self.radar = Radar(link, self.cfg, self.on_frame,
                           zero_fill=not self.params.drop_incomplete)
        self.radar.open()

    def _start_emulator(self) -> RadarLink:
        from hupr_ros.radar.dca1000 import encode_samples
        from hupr_ros.radar.rig import EmulatedRig
        from hupr_ros.sim.adc_source import SimFrames
        frames = SimFrames(loop=max(0, int(self.params.emulator_loop_frames)))
        name = self.orientation[:4]
        # The emulated board sends what a radar with this .cfg's sample order would send.
        if self.iq_order == 'qi':
            def source(radar, k):
                data = np.frombuffer(frames(radar, k), np.int16)
                return encode_samples(decode_samples(data), 'qi').tobytes()
        else:
            source = frames
        self.emulator = EmulatedRig(source, (name,), faults={
            name: parse_faults(self.params.emulator_faults)}).__enter__()
        return self.emulator.links[0]

    def on_activate(self, state: State) -> TransitionCallbackReturn:
        try:
            self.radar.arm()
            self._active = True
            self.radar.start()
        except (RadarCliError, Dca1000Error, OSError) as error:
            self._active = False
            return transition_failed(self, f'cannot start the {self.orientation} radar: {error}')
        self.get_logger().info(f'{self.orientation} radar streaming')
        return super().on_activate(state)

    def on_deactivate(self, state: State) -> TransitionCallbackReturn:
        self._stop_streaming()
        return super().on_deactivate(state)

    def on_cleanup(self, state: State) -> TransitionCallbackReturn:
        self._release()
        if self.publisher is not None:
            self.destroy_lifecycle_publisher(self.publisher)
            self.publisher = None
        return TransitionCallbackReturn.SUCCESS

    def on_shutdown(self, state: State) -> TransitionCallbackReturn:
        self._stop_streaming()
        self._release()
        return TransitionCallbackReturn.SUCCESS

    def _stop_streaming(self) -> None:
        if self._active and self.radar is not None:
            self._active = False
            try:
                self.radar.stop()
            except (RadarCliError, Dca1000Error, OSError) as error:
                self.get_logger().error(f'while stopping the {self.orientation} radar: {error}')

    def _release(self) -> None:
        if self.radar is not None:
            self.radar.close()
            self.radar = None
        if self.emulator is not None:
            self.emulator.__exit__(None, None, None)
            self.emulator = None

    # -- frames --------------------------------------------------------------------------------
    def on_frame(self, frame: AssembledFrame) -> None:
        """From the receiver thread: decode, stamp and publish one frame."""
        self.counts['frames'] += 1
        if not self._active or self.publisher is None or not self.context.ok():
            return
        try:
            age = time.monotonic() - frame.first_arrival
            stamp = self.get_clock().now().nanoseconds - int(
                (age + float(self.params.first_datagram_latency_s)) * 1e9)
            samples = decode_samples(np.frombuffer(frame.data, np.int16), self.iq_order)
            c = self.chirp
            msg = frame_to_msg(samples.reshape(c.num_chirps, c.num_rx, c.num_samples), c,
                               stamp_ns=stamp, frame_id=self.frame_id,
                               frame_number=frame.index, orientation=self.orientation,
                               packets_expected=frame.packets_expected,
                               packets_received=frame.packets,
                               bytes_zero_filled=frame.bytes_missing)
            self.publisher.publish(msg)
            self.counts['published'] += 1
            self.counts['zero_filled'] += bool(frame.bytes_missing)
        except Exception as error:   # noqa: B902 - the receiver thread must go on
            if self.context.ok():
                report(self, self.errors, 'publish_error',
                       f'frame {frame.index} not published: {error!r}')

    def diagnose(self):
        rate = self._rate(self.counts['published'])
        stats = self.radar.receiver.assembler.stats if self.radar and self.radar.receiver \
            else None
        level, message = Diagnostics.OK, 'streaming'
        if not self._active:
            level, message = Diagnostics.WARN, 'not streaming (lifecycle inactive)'
        elif rate < 5.0:
            level, message = Diagnostics.WARN, f'{rate:.1f} frames/s (expected 10)'
        if stats is not None and stats.lost and self._active:
            level = max(level, Diagnostics.WARN)
            message += f'; {stats.lost} datagrams lost'
        values = {'frames_per_s': f'{rate:.2f}', **self.counts}
        if stats is not None:
            values.update({f'stream_{k}': v for k, v in stats.as_dict().items()})
            values['kernel_drops'] = self.radar.receiver.kernel_drops
        return level, message, values

    def destroy_node(self) -> None:
        self._stop_streaming()
        self._release()
        super().destroy_node()


def parse_faults(text: str):
    """'loss=0.02,reorder=0.1' -> Faults; ValueError naming what is wrong."""
    import dataclasses

    from hupr_ros.radar.dca1000_emulator import Faults
    names = {f.name for f in dataclasses.fields(Faults)}
    values = {}
    for item in filter(None, (t.strip() for t in text.split(','))):
        key, sep, value = item.partition('=')
        if not sep or key not in names:
            raise ValueError(f'emulator_faults: {item!r} is not one of {sorted(names)}=VALUE')
        values[key] = int(value) if key == 'seed' else float(value)
        if key != 'seed' and not 0 <= values[key] <= 1:
            raise ValueError(f'emulator_faults: {key} must be a probability, got {value}')
    return Faults(**values)


def main(args=None) -> None:
    run_node(RadarNode, args if args is not None else sys.argv)


if __name__ == '__main__':
    main()
