# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""Frame pairing by stamp: right pairs, never wrong ones, bounded memory."""

from hupr_ros.pairing import FramePairer
import pytest

MS = 1_000_000


def test_pairs_matching_stamps_in_either_order():
    pairer = FramePairer(tolerance_ns=50 * MS)
    assert pairer.push('horizontal', 1000 * MS, 'h0') is None
    assert pairer.push('vertical', 1001 * MS, 'v0') == (1000 * MS, 'h0', 'v0')
    assert pairer.push('vertical', 1100 * MS, 'v1') is None
    assert pairer.push('horizontal', 1099 * MS, 'h1') == (1099 * MS, 'h1', 'v1')
    assert pairer.stats.paired == 2 and pairer.stats.unpaired_horizontal == 0


def test_never_pairs_outside_tolerance_and_counts_the_lost():
    pairer = FramePairer(tolerance_ns=50 * MS)
    pairer.push('horizontal', 1000 * MS, 'h0')
    assert pairer.push('vertical', 1060 * MS, 'v0') is None        # 60 ms apart: no pair
    assert pairer.stats.unpaired_horizontal == 1                   # h0 can never pair now
    assert pairer.push('horizontal', 1200 * MS, 'h1') is None      # 140 ms from v0: no pair
    assert pairer.stats.unpaired_vertical == 1                     # v0 is lost too
    assert pairer.pending('vertical') == [] and pairer.pending('horizontal') == [1200 * MS]
    assert pairer.push('vertical', 1250 * MS, 'v1') == (1200 * MS, 'h1', 'v1')  # 50 ms: pair
    assert pairer.stats.paired == 1


def test_picks_the_closest_candidate():
    pairer = FramePairer(tolerance_ns=50 * MS)
    pairer.push('vertical', 960 * MS, 'v_far')
    pairer.push('vertical', 995 * MS, 'v_near')
    assert pairer.push('horizontal', 1000 * MS, 'h') == (1000 * MS, 'h', 'v_near')
    assert pairer.stats.unpaired_vertical == 1                     # v_far was overtaken


def test_one_radar_silent_keeps_memory_bounded():
    pairer = FramePairer(tolerance_ns=50 * MS, max_pending=3)
    for i in range(100):
        assert pairer.push('horizontal', i * 100 * MS, i) is None
    assert len(pairer.pending('horizontal')) == 3
    assert pairer.stats.unpaired_horizontal == 97
    # the other radar comes back: pairs resume with the newest frames
    assert pairer.push('vertical', 99 * 100 * MS + 2 * MS, 'v') == (9900 * MS, 99, 'v')


def test_out_of_order_and_duplicate_frames_are_dropped():
    pairer = FramePairer()
    pairer.push('horizontal', 1000 * MS, 'a')
    assert pairer.push('horizontal', 1000 * MS, 'dup') is None
    assert pairer.push('horizontal', 900 * MS, 'old') is None
    assert pairer.stats.out_of_order == 2 and pairer.stats.unpaired_horizontal == 0
    assert pairer.pending('horizontal') == [1000 * MS]


def test_long_stream_with_jitter_and_drops():
    pairer = FramePairer(tolerance_ns=50 * MS)
    pairs = []
    for i in range(200):
        t = i * 100 * MS
        if i % 17 != 3:
            pairs.append(pairer.push('horizontal', t + (i % 5) * MS, ('h', i)))
        if i % 23 != 7:
            pairs.append(pairer.push('vertical', t + 3 * MS, ('v', i)))
    pairs = [p for p in pairs if p is not None]
    assert all(h[1] == v[1] for _, h, v in pairs)                  # never a wrong pair
    expected = sum(1 for i in range(200) if i % 17 != 3 and i % 23 != 7)
    assert len(pairs) == expected


def test_bad_arguments():
    with pytest.raises(ValueError, match='orientation'):
        FramePairer().push('diagonal', 0, None)
    with pytest.raises(ValueError, match='tolerance_ns'):
        FramePairer(tolerance_ns=0)
