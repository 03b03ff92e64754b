# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""DCA1000 capture format: the published reader's layout, IQ order, and bad files."""

from hupr_ros.radar.dca1000 import CaptureFormatError, decode_samples, encode_samples, \
    frame_bytes, load_adc_file
import numpy as np
import pytest


def test_matches_published_reader(data_dir):
    frames = load_adc_file(data_dir / 'dca1000_one_frame.bin')
    official = np.load(data_dir / 'adc_complex_official.npy')      # (rx, chirps, samples)
    assert frames.shape == (1, 192, 4, 256) and frames.dtype == np.complex64
    np.testing.assert_array_equal(frames[0].transpose(1, 0, 2), official)


def test_lane_layout_by_hand():
    # [a, b, c, d] -> a + jc, b + jd
    raw = np.array([1, 2, 3, 4, 5, 6, 7, 8], dtype=np.int16)
    np.testing.assert_array_equal(decode_samples(raw), [1 + 3j, 2 + 4j, 5 + 7j, 6 + 8j])
    np.testing.assert_array_equal(decode_samples(raw, 'qi'), [3 + 1j, 4 + 2j, 7 + 5j, 8 + 6j])


@pytest.mark.parametrize('iq_order', ['iq', 'qi'])
def test_encode_decode_round_trip(iq_order):
    rng = np.random.default_rng(0)
    samples = (rng.integers(-32768, 32768, 512) + 1j * rng.integers(-32768, 32768, 512))
    raw = encode_samples(samples, iq_order)
    np.testing.assert_array_equal(decode_samples(raw, iq_order), samples.astype(np.complex64))
    # the wrong order conjugates-and-swaps, never silently equal
    other = 'qi' if iq_order == 'iq' else 'iq'
    assert not np.array_equal(decode_samples(raw, other), samples.astype(np.complex64))


def test_multi_frame_file_and_truncation(tmp_path):
    rng = np.random.default_rng(1)
    frames = (rng.integers(-2000, 2000, (3, 6, 2, 8)) +
              1j * rng.integers(-2000, 2000, (3, 6, 2, 8))).astype(np.complex64)
    path = tmp_path / 'adc_data.bin'
    encode_samples(frames).tofile(path)
    np.testing.assert_array_equal(load_adc_file(path, 2, 6, 8), frames)
    with open(path, 'ab') as f:
        f.write(b'\x00' * 100)
    size = 3 * frame_bytes(2, 6, 8) + 100
    with pytest.raises(CaptureFormatError, match=f'{size} bytes is 3 whole frames of 384 bytes'):
        load_adc_file(path, 2, 6, 8)
    np.testing.assert_array_equal(load_adc_file(path, 2, 6, 8, drop_incomplete=True), frames)


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.bin'):
        load_adc_file(tmp_path / 'nope.bin')
    (tmp_path / 'short.bin').write_bytes(b'\x00' * 64)
    with pytest.raises(CaptureFormatError, match='no whole frame'):
        load_adc_file(tmp_path / 'short.bin', drop_incomplete=True)
    with pytest.raises(CaptureFormatError, match='int16'):
        decode_samples(np.zeros(8, np.float32))
    with pytest.raises(ValueError, match='iq_order'):
        decode_samples(np.zeros(8, np.int16), 'iqx')
