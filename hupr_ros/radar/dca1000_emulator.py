# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
DCA1000EVM emulator over UDP.

A DCA1000EVM emulator over UDP (loopback), for tests, the simulator and users without
boards (no ROS).

It answers the configuration protocol of :mod:`hupr_ros.radar.dca1000_net` and, between
RECORD_START and RECORD_STOP (and, with ``require_sensor``, while the radar's sensor runs),
streams the frames of ``frame_source(k)`` as data datagrams in the board's format, paced at
``fps`` (0 = as fast as the host can). :class:`Faults` injects what real links do: loss,
reordering, duplicates, truncated and garbage datagrams.
"""

from dataclasses import dataclass
import random
import socket
import struct
import threading
import time
from typing import Callable, Optional

from hupr_ros.radar import dca1000_net as net


@dataclass
class Faults:
    """Probabilities per data datagram (0 = never)."""

    loss: float = 0.0
    reorder: float = 0.0        # swapped with the next datagram
    duplicate: float = 0.0
    truncate: float = 0.0       # payload cut short
    garbage: float = 0.0        # a datagram of random bytes sent before this one
    seed: int = 0


class Dca1000Emulator:
    """
    One emulated board.

    :param frame_source: frame number -> the frame's bytes (DCA1000 stream order).
    :param fpga_ip, config_port: where it listens for commands (port 0: any free port; see
        :attr:`config_port`).
    :param host_ip, data_port: where it sends data.
    :param fps: frames per second (0: no pacing). A frame's datagrams are spread over
        ``burst_fraction`` of the frame period, in chunks, as the radar's chirps spread them (a
        whole frame at once would overrun a default socket buffer).
    :param faults: fault injection on the data stream.
    :param respond: False = never answer commands (an unplugged board).
    :param require_sensor: stream only between :meth:`sensor_start` and :meth:`sensor_stop` (wire
        them to the CLI emulator's callbacks), as the real board sees LVDS data only then.
    :param byte_count_origin: the byte counter's value at the first datagram.
    :param max_frames: stop streaming after this many frames (None: never).
    """

    VERSION_STATUS = 2 | (9 << 7)       # FPGA version 2.9

    def __init__(self, frame_source: Callable[[int], bytes], *, fpga_ip: str = '127.0.0.1',
                 config_port: int = 0, host_ip: str = '127.0.0.1',
                 data_port: int = net.DATA_PORT, fps: float = 10.0, faults: Faults = Faults(),
                 respond: bool = True, require_sensor: bool = False,
                 byte_count_origin: int = 0, max_frames: Optional[int] = None,
                 burst_fraction: float = 0.3) -> None:
        self.frame_source = frame_source
        self.data_address = (host_ip, data_port)
        self.fps, self.faults, self.respond = fps, faults, respond
        self.require_sensor = require_sensor
        self.byte_count = byte_count_origin
        self.max_frames = max_frames
        self.burst_fraction = burst_fraction
        self.frames_sent = self.packets_sent = self.packets_lost = 0
        self.commands = []
        self._rng = random.Random(faults.seed)
        self._config = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._config.bind((fpga_ip, config_port))
        self._config.settimeout(0.05)
        self.config_port = self._config.getsockname()[1]
        self._data = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._recording = threading.Event()
        self._sensor = threading.Event()
        self._stop = threading.Event()
        self._last_requester = None
        self._threads = [threading.Thread(target=self._serve, daemon=True, name='dca_config'),
                         threading.Thread(target=self._stream, daemon=True, name='dca_data')]
        self._sequence = 1
        self._held: Optional[bytes] = None

    def __enter__(self) -> 'Dca1000Emulator':
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2.0)
        self._config.close()
        self._data.close()

    def record_start(self) -> None:
        """Start recording as RECORD_START does (for benchmarks without a control client)."""
        self._recording.set()

    def sensor_start(self) -> None:
        self._sensor.set()

    def sensor_stop(self) -> None:
        self._sensor.clear()

    def send_system_error(self, code: int) -> None:
        """Send SYSTEM_ERROR unasked, as the board does (to whoever sent the last command)."""
        if self._last_requester is not None:
            self._config.sendto(struct.pack('<HHHH', net.HEADER, net.SYSTEM_ERROR, code,
                                            net.FOOTER), self._last_requester)

    # -- configuration -------------------------------------------------------------------------
    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                packet, address = self._config.recvfrom(1024)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                command, _ = net.parse_request(packet)
            except ValueError:
                continue
            self.commands.append(command)
            self._last_requester = address
            if command == net.RECORD_START:
                self._recording.set()
            elif command == net.RECORD_STOP:
                self._recording.clear()
            status = self.VERSION_STATUS if command == net.READ_FPGA_VERSION else 0
            if self.respond:
                self._config.sendto(struct.pack('<HHHH', net.HEADER, command, status,
                                                net.FOOTER), address)

    # -- data ----------------------------------------------------------------------------------
    def _streaming(self) -> bool:
        return self._recording.is_set() and (self._sensor.is_set() or not self.require_sensor)

    def _stream(self) -> None:
        frame = 0
        start = None
        while not self._stop.is_set():
            if not self._streaming() or (self.max_frames is not None
                                         and frame >= self.max_frames):
                start = None
                time.sleep(0.005)
                continue
            if start is None:
                start = time.monotonic() - (frame / self.fps if self.fps else 0)
            if self.fps:
                delay = start + frame / self.fps - time.monotonic()
                if delay > 0:
                    time.sleep(min(delay, 0.05))
                    continue
            self._send_frame(self.frame_source(frame))
            frame += 1
            self.frames_sent += 1
        if self._held is not None:
            self._send(self._held)

    def _send_frame(self, data: bytes) -> None:
        f, rng = self.faults, self._rng
        chunk = 32
        packets = -(-len(data) // net.PAYLOAD_BYTES)
        pause = (self.burst_fraction / self.fps) / max(1, packets // chunk) if self.fps else 0
        for number, start in enumerate(range(0, len(data), net.PAYLOAD_BYTES)):
            if pause and number and number % chunk == 0:
                time.sleep(pause)
            payload = data[start:start + net.PAYLOAD_BYTES]
            header = struct.pack('<IIH', self._sequence, self.byte_count & 0xFFFFFFFF,
                                 (self.byte_count >> 32) & 0xFFFF)
            self._sequence += 1
            self.byte_count += len(payload)
            if f.truncate and rng.random() < f.truncate:
                payload = payload[:rng.randrange(2, max(3, len(payload)), 2)]
            packet = header + payload
            if f.garbage and rng.random() < f.garbage:
                self._send(bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 200))))
            if f.loss and rng.random() < f.loss:
                self.packets_lost += 1
                continue
            if f.duplicate and rng.random() < f.duplicate:
                self._send(packet)
            if self._held is not None:           # a reordered datagram goes after this one
                self._send(packet)
                self._send(self._held)
                self._held = None
            elif f.reorder and rng.random() < f.reorder:
                self._held = packet
            else:
                self._send(packet)

    def _send(self, packet: bytes) -> None:
        try:
            self._data.sendto(packet, self.data_address)
            self.packets_sent += 1
        except OSError:
            pass


__all__ = ['Dca1000Emulator', 'Faults']
