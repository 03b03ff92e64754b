# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
DCA1000 over UDP loopback.

Configuration protocol, frame reassembly by byte count, and frame integrity and accounting under
each injected fault.
"""

import threading
import time

from hupr_ros.radar import dca1000_net as net
from hupr_ros.radar.dca1000_emulator import Dca1000Emulator, Faults
import numpy as np
import pytest

FRAME = 10_000          # bytes per test frame: 6.87 datagrams, not aligned on purpose


def source(k: int) -> bytes:
    return np.random.default_rng(k).integers(1, 250, FRAME, dtype=np.uint8).tobytes()


def receive(frames: int, faults: Faults = Faults(), fps: float = 0.0, zero_fill=True,
            origin: int = 0):
    got, done = [], threading.Event()

    def on_frame(frame):
        got.append(frame)
        if len(got) >= frames:
            done.set()
    receiver = net.Dca1000Receiver('127.0.0.1', 0, FRAME, on_frame, zero_fill).start()
    with Dca1000Emulator(source, data_port=receiver.port, fps=fps, faults=faults,
                         max_frames=frames, byte_count_origin=origin) as board, \
            net.Dca1000Control('127.0.0.1', board.config_port, '127.0.0.1', 0,
                               timeout=0.5) as control:
        assert control.connect() == '2.9'
        control.configure(packet_delay_us=25)
        control.start_record()
        deadline = time.monotonic() + 20
        while board.frames_sent < frames and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.05)
        control.stop_record()
        assert board.commands == [net.SYSTEM_CONNECT, net.READ_FPGA_VERSION,
                                  net.CONFIG_PACKET_DATA, net.CONFIG_FPGA_GEN,
                                  net.RECORD_START, net.RECORD_STOP]
    receiver.stop()
    return got, receiver.assembler.stats, board


def test_clean_stream_gives_exact_frames():
    got, stats, board = receive(20, origin=123_456_789_000)     # counter did not start at 0
    assert [f.index for f in got] == list(range(20))
    assert all(f.data == source(f.index) and f.bytes_missing == 0 for f in got)
    assert stats.lost == stats.duplicates == stats.malformed == stats.zero_filled_frames == 0
    assert stats.packets == board.packets_sent


def intact(frame) -> bool:
    """Every byte is the source's or a zero-filled hole: nothing shifted."""
    data = np.frombuffer(frame.data, np.uint8)
    want = np.frombuffer(source(frame.index), np.uint8)
    return bool(((data == want) | (data == 0)).all()) and \
        int((data == 0).sum()) == frame.bytes_missing


def test_lost_datagrams_zero_fill_one_frame_and_never_shift_later_ones():
    got, stats, board = receive(40, Faults(loss=0.05, seed=1))
    assert board.packets_lost > 5
    assert stats.lost == board.packets_lost
    assert all(intact(f) for f in got)
    assert stats.zero_filled_frames == sum(1 for f in got if f.bytes_missing)
    assert stats.zero_filled_frames > 0
    assert sum(f.bytes_missing == 0 for f in got) > 0      # later frames arrive whole again


def test_lost_frames_can_be_dropped_instead():
    got, stats, board = receive(40, Faults(loss=0.05, seed=1), zero_fill=False)
    assert all(f.bytes_missing == 0 and f.data == source(f.index) for f in got)
    assert stats.dropped_frames > 0 and stats.frames == len(got)


@pytest.mark.parametrize('faults, counter', [
    (Faults(reorder=0.2, seed=2), 'out_of_order'),
    (Faults(duplicate=0.2, seed=3), 'duplicates'),
    (Faults(garbage=0.2, seed=4), 'malformed'),
])
def test_reordered_duplicated_and_garbage_datagrams_leave_frames_exact(faults, counter):
    got, stats, board = receive(30, faults)
    assert getattr(stats, counter) > 0
    assert stats.lost == 0 and stats.zero_filled_frames == 0
    assert [f.index for f in got] == list(range(30))
    assert all(f.data == source(f.index) for f in got)


def test_truncated_datagrams_leave_a_flagged_hole():
    got, stats, board = receive(30, Faults(truncate=0.1, seed=5))
    assert stats.zero_filled_frames > 0 and all(intact(f) for f in got)
    # an incomplete last frame is taken for the stop cutting it, and dropped
    assert [f.index for f in got] == list(range(30 - stats.tail_dropped))


def test_no_answer_and_system_errors_are_reported_clearly():
    with Dca1000Emulator(source, respond=False) as board:
        with net.Dca1000Control('127.0.0.1', board.config_port, '127.0.0.1', 0,
                                timeout=0.2, retries=1) as control:
            with pytest.raises(net.Dca1000Error, match='no answer from the DCA1000 .* '
                                                       'SYSTEM_CONNECT .*\\(2 tries\\)'):
                control.connect()
    with Dca1000Emulator(source) as board:
        with net.Dca1000Control('127.0.0.1', board.config_port, '127.0.0.1', 0,
                                timeout=0.5) as control:
            control.connect()
            board.send_system_error(9)
            control.command(net.SYSTEM_CONNECT)
            assert control.system_errors == [9]
    assert 'LVDS buffer full' in net.SYSTEM_ERRORS[9]


def test_assembler_survives_random_bytes_with_bounded_memory():
    rng = np.random.default_rng(0)
    assembler = net.FrameAssembler(FRAME)
    for _ in range(3000):
        size = int(rng.integers(0, 1500))
        assembler.push(rng.integers(0, 256, size, dtype=np.uint8).tobytes())
        assert len(assembler._open) <= 16
    assert assembler.stats.malformed > 0


def test_counter_restart_is_a_new_recording():
    assembler = net.FrameAssembler(FRAME, reorder_packets=2, resync_after=3)
    data = b''.join(source(k) for k in range(3))

    def packets(origin, first_seq):
        out = []
        for i, start in enumerate(range(0, len(data), net.PAYLOAD_BYTES)):
            count = origin + start
            out.append(net.DATA_HEADER.pack(first_seq + i, count & 0xFFFFFFFF, count >> 32)
                       + data[start:start + net.PAYLOAD_BYTES])
        return out
    frames = [f for p in packets(10 ** 9, 1) for f in assembler.push(p)]
    frames += [f for p in packets(0, 1) for f in assembler.push(p)] + assembler.flush()
    whole = [f for f in frames if f.bytes_missing == 0]
    assert len(whole) >= 4 and all(f.data == source(f.index) for f in whole)
