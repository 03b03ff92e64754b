# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The DCA1000EVM over Ethernet: configuration protocol and raw data stream (no ROS).

Configuration (UDP, default port 4096 both ways). A request is little-endian
``u16 0xA55A | u16 command | u16 data length | data | u16 0xEEAA``; the answer is 8 bytes
``0xA55A | the command | u16 status (0 = success) | 0xEEAA``. The board may also send
SYSTEM_ERROR (0x0A) at any time, with an error code in the status field.

Data (UDP, default port 4098, board to host). Every datagram is
``u32 sequence number (from 1) | u48 byte count | payload``, where the byte count is the
number of payload bytes the board sent *before* this datagram. Frames are not aligned to
datagrams (786,432 bytes = 540.13 datagrams of 1,456 bytes for the HuPR profile), so
:class:`FrameAssembler` places every payload by its byte count: a lost datagram leaves a
hole in one frame (zero-filled and flagged, or the frame dropped) and never shifts later
frames. Duplicates, reordering, truncated and garbage datagrams are detected and counted.

docs/hardware.md has the start order, the network set-up and what each error means.
"""

from dataclasses import dataclass, field
import errno
import logging
import socket
import struct
import sys
import threading
import time
from typing import Callable, Dict, List, Optional, Tuple

_LOG = logging.getLogger(__name__)

HEADER, FOOTER = 0xA55A, 0xEEAA
CONFIG_PORT, DATA_PORT = 4096, 4098
FPGA_IP, HOST_IP = '192.168.33.180', '192.168.33.30'
DATA_HEADER = struct.Struct('<IIH')          # sequence, byte count low 32 bits, high 16 bits
PAYLOAD_BYTES = 1456

RESET_FPGA, RESET_AR_DEV, CONFIG_FPGA_GEN, CONFIG_EEPROM = 0x01, 0x02, 0x03, 0x04
RECORD_START, RECORD_STOP, SYSTEM_CONNECT, SYSTEM_ERROR = 0x05, 0x06, 0x09, 0x0A
CONFIG_PACKET_DATA, READ_FPGA_VERSION = 0x0B, 0x0E
COMMAND_NAMES = {RESET_FPGA: 'RESET_FPGA', RESET_AR_DEV: 'RESET_AR_DEV',
                 CONFIG_FPGA_GEN: 'CONFIG_FPGA_GEN', CONFIG_EEPROM: 'CONFIG_EEPROM',
                 RECORD_START: 'RECORD_START', RECORD_STOP: 'RECORD_STOP',
                 SYSTEM_CONNECT: 'SYSTEM_CONNECT', SYSTEM_ERROR: 'SYSTEM_ERROR',
                 CONFIG_PACKET_DATA: 'CONFIG_PACKET_DATA',
                 READ_FPGA_VERSION: 'READ_FPGA_VERSION'}

#: CONFIG_FPGA_GEN body: raw log mode, 2 LVDS lanes (IWR1843), capture, Ethernet stream,
#: 16-bit samples, timer 30 s
FPGA_CONFIG_RAW_2LANE = bytes([1, 2, 1, 2, 3, 30])

#: SYSTEM_ERROR codes -> what happened and what to check
SYSTEM_ERRORS = {
    0: 'no LVDS data: the radar is not streaming (sensorStart not sent, lvdsStreamCfg '
       'missing, or the LVDS ribbon cable is loose)',
    1: 'no header in the LVDS data (the radar sends a header the DCA1000 was not set up for: '
       'use lvdsStreamCfg -1 0 1 0)',
    2: 'EEPROM failure (board fault; re-flash the FPGA image)',
    6: 'mode configuration failed (check the DCA1000 switch settings, docs/hardware.md)',
    7: 'DDR full (the host is not reading the data fast enough)',
    8: 'record completed',
    9: 'LVDS buffer full: the Ethernet link is slower than the radar bursts; lower the packet '
       'delay (CONFIG_PACKET_DATA) or the data rate',
}


class Dca1000Error(RuntimeError):
    """The DCA1000 did not answer, refused a command, or reported an error."""


def build_request(command: int, data: bytes = b'') -> bytes:
    if len(data) >= 504:
        raise ValueError(f'DCA1000 command data must be < 504 bytes, got {len(data)}')
    return struct.pack('<HHH', HEADER, command, len(data)) + data + struct.pack('<H', FOOTER)


def parse_response(packet: bytes) -> Tuple[int, int]:
    """(command, status) of an 8-byte answer; ValueError for anything else."""
    if len(packet) != 8:
        raise ValueError(f'DCA1000 answer of {len(packet)} bytes (expected 8)')
    header, command, status, footer = struct.unpack('<HHHH', packet)
    if header != HEADER or footer != FOOTER:
        raise ValueError(f'DCA1000 answer with header {header:#06x} / footer {footer:#06x}')
    return command, status


def parse_request(packet: bytes) -> Tuple[int, bytes]:
    """(command, data) of a request (used by the emulator); ValueError when malformed."""
    if len(packet) < 8:
        raise ValueError(f'request of {len(packet)} bytes')
    header, command, length = struct.unpack_from('<HHH', packet)
    if header != HEADER or len(packet) != 8 + length or \
            struct.unpack_from('<H', packet, 6 + length)[0] != FOOTER:
        raise ValueError('malformed request')
    return command, packet[6:6 + length]


def packet_delay_body(delay_us: float, payload: int = 1470) -> bytes:
    """
    CONFIG_PACKET_DATA body.

    Bytes per packet and the delay between packets, in units of 8 ns (the board's 125 MHz clock).
    """
    return struct.pack('<HHH', payload, int(round(delay_us * 1000 / 8)), 0)


def describe_version(status: int) -> str:
    major, minor = status & 0x7F, (status >> 7) & 0x7F
    return f'{major}.{minor}' + (' (playback mode)' if status & 0x4000 else '')


class Dca1000Control:
    """
    Configuration client of one DCA1000.

    :param fpga_ip, config_port: the board's address (192.168.33.180:4096 by default).
    :param host_ip, host_config_port: where its answers come to (this host's address on the board's
        network; the board answers to the port it was configured with, 4096).
    :param timeout: seconds to wait for an answer; ``retries`` more tries after a timeout.
    """

    def __init__(self, fpga_ip: str = FPGA_IP, config_port: int = CONFIG_PORT,
                 host_ip: str = HOST_IP, host_config_port: int = CONFIG_PORT,
                 timeout: float = 1.0, retries: int = 2) -> None:
        self.address = (fpga_ip, config_port)
        self.timeout, self.retries = timeout, retries
        self.system_errors: List[int] = []
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self._socket.bind((host_ip, host_config_port))
        except OSError as error:
            self._socket.close()
            if error.errno == errno.EADDRNOTAVAIL:
                raise Dca1000Error(
                    f'this host has no address {host_ip}: give the network interface that '
                    f'the DCA1000 is plugged into the static address {host_ip}/24 '
                    '(docs/hardware.md)') from error
            if error.errno == errno.EADDRINUSE:
                raise Dca1000Error(
                    f'UDP port {host_ip}:{host_config_port} is in use (another radar node or '
                    'mmWave Studio): two boards on one host need different ports') from error
            raise Dca1000Error(f'cannot bind {host_ip}:{host_config_port}: {error}') from error
        self._socket.settimeout(timeout)

    def close(self) -> None:
        self._socket.close()

    def __enter__(self) -> 'Dca1000Control':
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def command(self, command: int, data: bytes = b'') -> int:
        """
        Send a command and return the status of its answer (0 = success).

        :raises Dca1000Error: no answer after the retries, naming what to check.
        """
        name = COMMAND_NAMES.get(command, hex(command))
        request = build_request(command, data)
        for _ in range(1 + self.retries):
            self._socket.sendto(request, self.address)
            deadline = time.monotonic() + self.timeout
            while time.monotonic() < deadline:
                try:
                    packet, _ = self._socket.recvfrom(64)
                except socket.timeout:
                    break
                except OSError as error:      # e.g. ICMP port unreachable on loopback
                    if error.errno == errno.ECONNREFUSED:
                        break
                    raise
                try:
                    answer, status = parse_response(packet)
                except ValueError as error:
                    _LOG.warning('DCA1000 %s: ignored %s', self.address[0], error)
                    continue
                if answer == SYSTEM_ERROR:
                    self._system_error(status)
                elif answer == command:
                    return status
        raise Dca1000Error(
            f'no answer from the DCA1000 at {self.address[0]}:{self.address[1]} to {name} '
            f'within {self.timeout:g} s ({1 + self.retries} tries): check its power and '
            'Ethernet cable, that this host has the address the board sends to on that '
            "interface, the firewall for UDP 4096/4098, and the board's switch settings "
            '(docs/hardware.md)')

    def _system_error(self, code: int) -> None:
        self.system_errors.append(code)
        text = SYSTEM_ERRORS.get(code, f'unknown error code {code}')
        (_LOG.info if code == 8 else _LOG.error)('DCA1000 %s: %s', self.address[0], text)

    def expect_ok(self, command: int, data: bytes = b'') -> None:
        status = self.command(command, data)
        if status != 0:
            raise Dca1000Error(f'the DCA1000 refused {COMMAND_NAMES.get(command, command)} '
                               f'(status {status}): check the switch settings and that the '
                               'FPGA image supports raw capture (docs/hardware.md)')

    def connect(self) -> str:
        """SYSTEM_CONNECT, then read the FPGA version; return it (e.g. '2.9')."""
        self.expect_ok(SYSTEM_CONNECT)
        return describe_version(self.command(READ_FPGA_VERSION))

    def configure(self, packet_delay_us: float = 10.0) -> None:
        """Packet size and delay, then raw 2-lane capture over Ethernet."""
        self.expect_ok(CONFIG_PACKET_DATA, packet_delay_body(packet_delay_us))
        self.expect_ok(CONFIG_FPGA_GEN, FPGA_CONFIG_RAW_2LANE)

    def start_record(self) -> None:
        self.expect_ok(RECORD_START)

    def stop_record(self) -> None:
        self.expect_ok(RECORD_STOP)


# --------------------------------------------------------------------------- the data stream

@dataclass
class StreamStats:
    """Counters of a :class:`FrameAssembler` (datagrams unless named otherwise)."""

    packets: int = 0
    bytes: int = 0                # noqa: A003 - a field name, read as stats.bytes
    lost: int = 0                 # sequence numbers never received
    duplicates: int = 0
    out_of_order: int = 0
    late: int = 0                 # arrived after their frame was closed
    malformed: int = 0            # too short, odd length, or an implausible byte count
    frames: int = 0               # frames delivered (complete or zero-filled)
    zero_filled_frames: int = 0
    dropped_frames: int = 0       # incomplete frames dropped (zero_fill=False)
    bytes_zero_filled: int = 0
    tail_dropped: int = 0         # an incomplete last frame when the stream stopped

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class AssembledFrame:
    index: int                    # frame number since the stream origin
    data: bytes
    bytes_missing: int = 0
    packets: int = 0
    first_arrival: float = 0.0    # time.monotonic() of its first datagram
    packets_expected: int = 0


@dataclass
class _Open:
    buffer: bytearray
    received: int = 0
    packets: int = 0
    first_arrival: float = 0.0
    filled: List[Tuple[int, int]] = field(default_factory=list)


class FrameAssembler:
    """
    Frames from DCA1000 datagrams, placed by byte count (see the module docstring).

    :param frame_bytes: bytes per frame (786,432 for the HuPR profile).
    :param zero_fill: deliver incomplete frames zero-filled (True) or drop them.
    :param reorder_packets: how far (in datagrams) the stream may run past a frame's end before the
        frame is closed; datagrams later than that are counted ``late``.
    :param max_jump_frames: a byte count further ahead than this is implausible (garbage) until
        ``resync_after`` consistent datagrams confirm the jump (a long outage).
    """

    def __init__(self, frame_bytes: int, zero_fill: bool = True, reorder_packets: int = 32,
                 max_jump_frames: int = 8, resync_after: int = 4) -> None:
        if frame_bytes <= 0:
            raise ValueError(f'frame_bytes must be > 0, got {frame_bytes}')
        self.frame_bytes = frame_bytes
        self.zero_fill = zero_fill
        self.slack = reorder_packets * PAYLOAD_BYTES
        self.max_jump = max_jump_frames * frame_bytes
        self.resync_after = resync_after
        self.stats = StreamStats()
        self.origin: Optional[int] = None
        self._open: Dict[int, _Open] = {}
        self._next = 0                      # first frame not yet delivered
        self._max_end = 0                   # furthest stream offset received
        self._max_seq = 0
        self._seen: Dict[int, None] = {}    # recent sequence numbers (bounded)
        self._suspect: List[Tuple[int, int, bytes]] = []

    def push(self, packet: bytes, now: Optional[float] = None) -> List[AssembledFrame]:
        """Take one datagram; return the frames it completes or closes, in order."""
        now = time.monotonic() if now is None else now
        if len(packet) <= DATA_HEADER.size or (len(packet) - DATA_HEADER.size) % 2:
            self.stats.malformed += 1
            return []
        seq, low, high = DATA_HEADER.unpack_from(packet)
        count = low | (high << 32)
        payload = memoryview(packet)[DATA_HEADER.size:]     # bytes or a memoryview
        if self.origin is None:
            self.origin = count
            self._max_seq = seq - 1
        offset = count - self.origin
        if 0 <= offset <= self._max_end + self.max_jump:
            self._suspect = []
            return self._place(seq, offset, payload, now)
        # Implausible: garbage, or the first datagrams after a long outage or a counter that
        # restarted (a new recording). Believe it once ``resync_after`` datagrams in a row
        # continue each other; until then count them as malformed.
        last = self._suspect[-1] if self._suspect else None
        if last is not None and (seq != last[0] + 1 or count != last[1] + len(last[2])):
            self._suspect = []
        self._suspect.append((seq, count, bytes(payload)))
        if len(self._suspect) < self.resync_after:
            self.stats.malformed += 1
            return []
        chain, self._suspect = self._suspect, []
        self.stats.malformed -= len(chain) - 1
        out = self._close_all(now)
        first_seq, first_count = chain[0][0], chain[0][1]
        if first_count < self.origin:             # a new recording: a new origin
            self.origin = first_count
            self._seen.clear()
            self._max_seq = first_seq - 1
        first_frame = (first_count - self.origin) // self.frame_bytes
        self.stats.dropped_frames += max(0, first_frame - self._next)
        self._next = first_frame
        self._max_end = first_frame * self.frame_bytes
        for chained_seq, chained_count, data in chain:
            out += self._place(chained_seq, chained_count - self.origin, memoryview(data), now)
        return out

    def _place(self, seq: int, offset: int, payload: memoryview, now: float
               ) -> List[AssembledFrame]:
        if seq in self._seen:
            self.stats.duplicates += 1
            return []
        self._seen[seq] = None
        if len(self._seen) > 4096:
            self._seen.pop(next(iter(self._seen)))
        if seq < self._max_seq:
            self.stats.out_of_order += 1
            self.stats.lost -= 1                 # counted as lost when it was skipped
        else:
            self.stats.lost += seq - self._max_seq - 1
            self._max_seq = seq
        self.stats.packets += 1
        self.stats.bytes += len(payload)
        end = offset + len(payload)
        first, last = offset // self.frame_bytes, (end - 1) // self.frame_bytes
        if last < self._next:
            self.stats.late += 1
            return []
        for index in range(max(first, self._next), last + 1):
            start = index * self.frame_bytes
            frame = self._open.get(index)
            if frame is None:
                frame = self._open[index] = _Open(bytearray(self.frame_bytes),
                                                  first_arrival=now)
            lo, hi = max(offset, start), min(end, start + self.frame_bytes)
            frame.buffer[lo - start:hi - start] = payload[lo - offset:hi - offset]
            frame.received += hi - lo
            frame.packets += 1
        self._max_end = max(self._max_end, end)
        return self._deliver(now)

    def _deliver(self, now: float, everything: bool = False) -> List[AssembledFrame]:
        out = []
        while True:
            frame = self._open.get(self._next)
            end = (self._next + 1) * self.frame_bytes
            complete = frame is not None and frame.received >= self.frame_bytes
            passed = self._max_end >= end + self.slack
            if not (complete or passed or (everything and self._next * self.frame_bytes
                                           < self._max_end)):
                break
            self._open.pop(self._next, None)
            missing = self.frame_bytes - (frame.received if frame else 0)
            if missing and not self.zero_fill:
                self.stats.dropped_frames += 1
            else:
                self.stats.frames += 1
                if missing:
                    self.stats.zero_filled_frames += 1
                    self.stats.bytes_zero_filled += missing
                out.append(AssembledFrame(
                    self._next, bytes(frame.buffer) if frame else bytes(self.frame_bytes),
                    missing, frame.packets if frame else 0,
                    frame.first_arrival if frame else now,
                    -(-self.frame_bytes // PAYLOAD_BYTES)))
            self._next += 1
        return out

    def _close_all(self, now: float) -> List[AssembledFrame]:
        return self._deliver(now, everything=True)

    def flush(self, now: Optional[float] = None) -> List[AssembledFrame]:
        """
        At the end of a stream: deliver what is left.

        The last frame, when incomplete, was cut by the stop rather than by a loss: it is dropped
        (``tail_dropped``).
        """
        last = (self._max_end - 1) // self.frame_bytes if self._max_end else -1
        tail = self._open.get(last)
        if tail is not None and tail.received < self.frame_bytes:
            del self._open[last]
            self._max_end = last * self.frame_bytes
            self.stats.tail_dropped += 1
        return self._close_all(time.monotonic() if now is None else now)


def socket_drops(sock: socket.socket) -> Optional[int]:
    """Datagrams the kernel dropped for this UDP socket (Linux /proc/net/udp), or None."""
    try:
        inode = str(__import__('os').fstat(sock.fileno()).st_ino)
        for name in ('/proc/net/udp', '/proc/net/udp6'):
            with open(name) as table:
                for line in table.readlines()[1:]:
                    parts = line.split()
                    if len(parts) >= 13 and parts[9] == inode:
                        return int(parts[12])
    except (OSError, ValueError):
        return None
    return None


class Dca1000Receiver:
    """
    Receive one DCA1000's data stream on a thread.

    Receives one DCA1000's data stream on a thread of its own and calls ``on_frame`` with
    every assembled frame (from that thread: hand it over, don't block).

    :param host_ip, data_port: where the board sends data (this host, 4098).
    :param frame_bytes, zero_fill: see :class:`FrameAssembler`.
    :param rcvbuf_bytes: socket receive buffer asked for (the kernel caps it at net.core.rmem_max;
        :attr:`rcvbuf_granted` says what it gave).
    """

    def __init__(self, host_ip: str, data_port: int, frame_bytes: int,
                 on_frame: Callable[[AssembledFrame], None], zero_fill: bool = True,
                 rcvbuf_bytes: int = 4 << 20) -> None:
        self.assembler = FrameAssembler(frame_bytes, zero_fill)
        self.on_frame = on_frame
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf_bytes)
        granted = self._socket.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        # Linux reports twice the usable size (bookkeeping); it caps the request at
        # net.core.rmem_max.
        self.rcvbuf_granted = granted // 2 if sys.platform.startswith('linux') else granted
        if self.rcvbuf_granted < rcvbuf_bytes:
            _LOG.warning(
                'UDP receive buffer: asked for %d bytes, the kernel gave %d (net.core.rmem_max);'
                ' datagrams may be lost at frame bursts. Raise it with: sudo sysctl -w '
                'net.core.rmem_max=%d', rcvbuf_bytes, self.rcvbuf_granted, rcvbuf_bytes)
        try:
            self._socket.bind((host_ip, data_port))
        except OSError as error:
            self._socket.close()
            raise Dca1000Error(f'cannot receive DCA1000 data on {host_ip}:{data_port}: '
                               f'{error.strerror} (another radar or program on this port? '
                               'two boards on one host need different data ports)') from error
        self.port = self._socket.getsockname()[1]
        self._socket.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f'dca1000_rx_{data_port}',
                                        daemon=True)
        self.error: Optional[BaseException] = None

    def start(self) -> 'Dca1000Receiver':
        self._thread.start()
        return self

    def stop(self, drain_s: float = 0.2) -> None:
        """
        Stop after the stream has been quiet for ``drain_s`` (at most 1 s).

        Datagrams of the last frame still in flight are taken.
        """
        deadline = time.monotonic() + 1.0
        last = self.assembler.stats.packets
        while time.monotonic() < deadline and self._thread.is_alive():
            time.sleep(drain_s)
            if self.assembler.stats.packets == last:
                break
            last = self.assembler.stats.packets
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)
        for frame in self.assembler.flush():
            self.on_frame(frame)
        self._final_drops = self.kernel_drops
        self._socket.close()

    @property
    def kernel_drops(self) -> Optional[int]:
        """Datagrams the kernel dropped (socket buffer full) so far."""
        if self._socket.fileno() < 0:
            return getattr(self, '_final_drops', None)
        return socket_drops(self._socket)

    def _run(self) -> None:
        buffer = bytearray(65536)
        view = memoryview(buffer)
        while not self._stop.is_set():
            try:
                size = self._socket.recv_into(buffer)
            except socket.timeout:
                continue
            except OSError as error:
                if not self._stop.is_set():
                    self.error = error
                    _LOG.error('DCA1000 receiver on port %d: %s', self.port, error)
                return
            for frame in self.assembler.push(view[:size]):      # copied into its frame
                try:
                    self.on_frame(frame)
                except Exception as error:   # noqa: B902 - the receiver outlives a consumer
                    _LOG.error('frame %d consumer failed: %r', frame.index, error)


__all__ = ['AssembledFrame', 'CONFIG_PORT', 'DATA_PORT', 'Dca1000Control', 'Dca1000Error',
           'Dca1000Receiver', 'FPGA_IP', 'FrameAssembler', 'HOST_IP', 'PAYLOAD_BYTES',
           'StreamStats', 'SYSTEM_ERRORS']
