# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Tests of hupr-import.

hupr-import: HuPR layout -> bags -> HuPR layout is bit-exact (ADC captures, JPEGs, labels),
the bags hold what the nodes publish, and bad input gets one line.
"""

import json

from hupr_ros import topics
from hupr_ros.bags import read_messages
from hupr_ros.data import convert
from hupr_ros.radar.dca1000 import load_adc_file
from hupr_ros.tools import hupr_import, sim
import numpy as np
import pytest


@pytest.fixture(scope='session')
def layout(tmp_path_factory):
    out = tmp_path_factory.mktemp('imp') / 'data'
    assert sim.main([str(out), '--sequences', '3', '--frames', '4', '--workers', '1']) == 0
    return out


def test_round_trip_is_bit_exact(layout, tmp_path):
    assert hupr_import.main(['to-bags', str(layout), str(tmp_path / 'bags')]) == 0
    assert hupr_import.main(['to-layout', str(tmp_path / 'bags'), str(tmp_path / 'back')]) == 0
    back = tmp_path / 'back'
    originals = sorted(p.relative_to(layout) for p in layout.rglob('*')
                       if p.suffix in ('.bin', '.jpg'))
    assert len(originals) == 3 * 2 + 3 * 4
    for rel in originals:
        assert (back / rel).read_bytes() == (layout / rel).read_bytes(), rel
    assert json.loads((back / 'splits.json').read_text()) == \
        json.loads((layout / 'splits.json').read_text())
    for split in json.loads((layout / 'splits.json').read_text()):
        assert json.loads((back / f'hrnet_annot_{split}.json').read_text()) == \
            json.loads((layout / f'hrnet_annot_{split}.json').read_text()), split


def test_bags_hold_the_radar_frames_and_labels(layout, tmp_path):
    convert.to_bags(layout, tmp_path, ['single_2'], start_ns=5_000_000_000)
    got = list(read_messages(tmp_path / 'single_2'))
    raw = [(t, s, m) for t, s, m in got if t.lstrip('/') == topics.RADAR_VERT_RAW]
    assert [s for _, s, _ in raw] == [5_000_000_000 + k * 100_000_000 for k in range(4)]
    frames = load_adc_file(layout / 'single_2' / 'vert' / 'adc_data.bin')
    iq = np.asarray(raw[2][2].data, np.int16).reshape(192, 4, 256, 2)
    np.testing.assert_array_equal(iq[..., 0] + 1j * iq[..., 1], frames[2])
    labels = [m for t, _, m in got if t.lstrip('/') == topics.LABEL_SKELETON]
    annotations = [b for split, numbers in json.loads((layout / 'splits.json').read_text())
                   .items() for n, b in zip(numbers, json.loads(
                       (layout / f'hrnet_annot_{split}.json').read_text())) if n == 2][0]
    assert len(labels) == 4
    np.testing.assert_array_equal(labels[1].x, np.float32([j[0] for j in
                                                           annotations[1]['joints']]))


@pytest.mark.parametrize('args, needle', [
    (['to-bags', '{root}', '{tmp}/b', '--sequences', 'single_9'], 'no such sequence'),
    (['to-bags', '{tmp}/empty', '{tmp}/b'], 'splits.json'),
    (['to-layout', '{tmp}/empty', '{tmp}/c'], 'no bags under'),
    (['to-bags', '{root}', '{tmp}/b', '--frame-rate', '0'], '--frame-rate must be > 0'),
])
def test_bad_input_one_line(layout, tmp_path, capsys, args, needle):
    (tmp_path / 'empty').mkdir()
    args = [a.format(root=layout, tmp=tmp_path) for a in args]
    assert hupr_import.main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0], err


def test_from_recordings_names_frames_without_a_camera_image(layout, tmp_path, capsys):
    """A labelled radar pair whose camera image is missing keeps its label, gets no JPEG."""
    from hupr_ros.bags import BagWriter
    from hupr_ros.radar.config import HUPR_CHIRP_CONFIG
    jpeg = sorted((layout / 'frames' / 'single_1').glob('*.jpg'))[0].read_bytes()
    frame = np.zeros((192, 4, 256), np.complex64)
    joints = np.full((14, 2), 100.0, np.float32)
    with BagWriter(tmp_path / 'rec') as bag:
        for k in range(4):
            stamp = 1_000_000_000 + k * 100_000_000
            for orientation in (topics.ORIENTATION_HORIZONTAL, topics.ORIENTATION_VERTICAL):
                bag.write_radar_frame(orientation, frame, HUPR_CHIRP_CONFIG, stamp_ns=stamp,
                                      frame_number=k)
            bag.write_skeleton(topics.LABEL_SKELETON, joints, None, stamp_ns=stamp,
                               source='test')
            if k != 0:           # the camera's first frame came late
                bag.write_compressed_image(jpeg, stamp_ns=stamp)
    out = tmp_path / 'out'
    assert hupr_import.main(['from-recordings', str(tmp_path / 'rec'), str(out)]) == 0
    assert 'rec: 1 of 4 frames have no camera image within 0.05 s' in capsys.readouterr().err
    annotations = json.loads((out / 'hrnet_annot_train.json').read_text())[0]
    assert [a['image'] for a in annotations] == [f'{k:09d}.jpg' for k in range(4)]
    assert sorted(p.name for p in (out / 'frames' / 'single_1').glob('*.jpg')) == \
        [f'{k:09d}.jpg' for k in (1, 2, 3)]
