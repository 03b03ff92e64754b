# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
hupr_ros.data: targets and windows against direct transcriptions of the published maths.

Clear errors for bad datasets and caches.
"""

import json
import shutil

from hupr_ros.data import DatasetError, HuPRDataset, keypoint_heatmaps
from hupr_ros.dsp import vrdae_map, VRDAEConfig
from hupr_ros.radar.dca1000 import read_adc_frames
from hupr_ros.tools import preprocess
import numpy as np
import pytest


def transcribed_heatmaps(joints, size=64, stride=4, sigma=2):
    """Return the published target generator, loop by loop."""
    target = np.zeros((len(joints), size, size), dtype=np.float32)
    tmp = sigma * 3
    for j, (x, y) in enumerate(joints):
        mu_x, mu_y = int(x / stride + 0.5), int(y / stride + 0.5)
        ul = [int(mu_x - tmp), int(mu_y - tmp)]
        br = [int(mu_x + tmp + 1), int(mu_y + tmp + 1)]
        if ul[0] >= size or ul[1] >= size or br[0] < 0 or br[1] < 0:
            continue
        g_size = 2 * tmp + 1
        xs = np.arange(0, g_size, 1, np.float32)
        ys = xs[:, None]
        x0 = y0 = g_size // 2
        g = np.exp(-((xs - x0) ** 2 + (ys - y0) ** 2) / (2 * sigma ** 2))
        g_x = max(0, -ul[0]), min(br[0], size) - ul[0]
        g_y = max(0, -ul[1]), min(br[1], size) - ul[1]
        img_x = max(0, ul[0]), min(br[0], size)
        img_y = max(0, ul[1]), min(br[1], size)
        target[j, img_y[0]:img_y[1], img_x[0]:img_x[1]] = g[g_y[0]:g_y[1], g_x[0]:g_x[1]]
    return target


def transcribed_input(cubes, k=8):
    """Transcribe the published input normalisation: loops over bins, re/im, elevation."""
    n = cubes.shape[0]
    out = np.zeros((n, k, 2, 64, 64, 8), dtype=np.float64)
    for f in range(n):
        for i, d in enumerate(range(8 - k // 2, 8 + k // 2)):
            for part, values in enumerate((cubes[f, d].real, cubes[f, d].imag)):
                for e in range(8):
                    v = values[:, :, e].astype(np.float64)
                    v = v - v.min()
                    v = v / v.max()
                    out[f, i, part, :, :, e] = (v - v.mean()) / v.std(ddof=1)
    return out


def test_heatmaps_match_published_generator():
    rng = np.random.default_rng(0)
    joints = np.concatenate([rng.uniform(0, 255, (14, 2)),
                             [[-30, 10], [300, 100], [270, 100], [-5, -5], [255.9, 3.4],
                              [1.9, 2.1]]])
    np.testing.assert_allclose(keypoint_heatmaps(joints), transcribed_heatmaps(joints),
                               atol=1e-7)
    maps = keypoint_heatmaps(joints)
    assert maps[14].max() == 0 and maps[15].max() == 0      # wholly off the map: no target
    assert 0 < maps[16].max() < 1                           # partly on the map
    assert maps[0].max() == pytest.approx(1.0)


@pytest.fixture(scope='session')
def sim_data(tmp_path_factory):
    """Three short HuPR-Sim sequences (train / val / test) with both caches."""
    from hupr_ros.sim.dataset import write_dataset
    root = tmp_path_factory.mktemp('sim')
    data = root / 'data'
    write_dataset(data, num_sequences=6, frames=6, seed=3, progress=False)
    splits = json.loads((data / 'splits.json').read_text())
    keep = [splits['train'][0], splits['train'][1]]
    assert preprocess.main([str(data), str(root / 'input'), '--output', 'input', '--workers',
                            '1', '--sequences'] + [f'single_{n}' for n in keep]) == 0
    assert preprocess.main([str(data), str(root / 'cube'), '--workers', '1',
                            '--sequences'] + [f'single_{n}' for n in keep]) == 0
    return root, data, keep


@pytest.mark.parametrize('alignment', ['centered', 'causal'])
def test_sample_matches_transcription(sim_data, alignment):
    root, data, (first, second) = sim_data
    exact = HuPRDataset(data, root / 'cube', sequences=[first, second], alignment=alignment,
                        cache_kind='cube')
    compact = HuPRDataset(data, root / 'input', sequences=[first, second],
                          alignment=alignment)
    assert len(exact) == len(compact) == 12
    t = 1                                         # near the start: indices clamp
    offsets = range(-4, 4) if alignment == 'centered' else range(-7, 1)
    indices = [min(max(t + o, 0), 5) for o in offsets]
    for radar in ('hori', 'vert'):
        capture = data / f'single_{first}' / radar / 'adc_data.bin'
        cubes = vrdae_map(read_adc_frames(capture, 0, 6))[indices]
        expected = transcribed_input(cubes)
        item = exact[t]
        np.testing.assert_allclose(item[radar].numpy(), expected, atol=2e-4)
        np.testing.assert_allclose(compact[t][radar].numpy()[..., 0], expected.mean(-1),
                                   atol=2e-4)
    labels = json.loads((data / 'hrnet_annot_train.json').read_text())
    splits = json.loads((data / 'splits.json').read_text())
    joints = labels[splits['train'].index(first)][t]['joints']
    np.testing.assert_allclose(exact[t]['target'].numpy(), transcribed_heatmaps(joints),
                               atol=1e-7)
    assert exact[t]['sequence'] == first and exact[t]['frame'] == t


def test_windows_never_cross_sequences(sim_data):
    root, data, (first, second) = sim_data
    both = HuPRDataset(data, root / 'input', sequences=[first, second])
    alone = HuPRDataset(data, root / 'input', sequences=[second])
    # The first sample of the second sequence sees only that sequence's frames (clamped).
    np.testing.assert_array_equal(both[6]['hori'].numpy(), alone[0]['hori'].numpy())
    assert both[6]['sequence'] == second and both[6]['frame'] == 0
    np.testing.assert_array_equal(both.window(6), [0, 0, 0, 0, 0, 1, 2, 3])


def test_model_accepts_the_compact_input(sim_data):
    from hupr_ros.model import build_model
    import torch
    root, data, (first, _) = sim_data
    exact = HuPRDataset(data, root / 'cube', sequences=[first], cache_kind='cube')
    compact = HuPRDataset(data, root / 'input', sequences=[first])
    model = build_model('realtime', 4).eval()
    with torch.no_grad():
        a = model(exact[2]['hori'][None], exact[2]['vert'][None])[1]
        b = model(compact[2]['hori'][None], compact[2]['vert'][None])[1]
    torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


def copy_dataset(sim_data, tmp_path):
    root, data, keep = sim_data
    shutil.copytree(data, tmp_path / 'data')
    shutil.copytree(root / 'input', tmp_path / 'input')
    return tmp_path / 'data', tmp_path / 'input', keep


def test_short_capture_is_named(sim_data, tmp_path):
    data, cache, (first, _) = copy_dataset(sim_data, tmp_path)
    capture = data / f'single_{first}' / 'vert' / 'adc_data.bin'
    capture.write_bytes(capture.read_bytes()[:-786432 - 100])
    with pytest.raises(DatasetError, match=rf'single_{first}/vert/adc_data.bin: holds 4 whole '
                                           'frames.*frame 4 is missing'):
        HuPRDataset(data, cache, sequences=[first])
    capture.unlink()
    with pytest.raises(DatasetError, match='capture not found'):
        HuPRDataset(data, cache, sequences=[first])


def test_annotation_count_mismatch_is_named(sim_data, tmp_path):
    data, cache, (first, _) = copy_dataset(sim_data, tmp_path)
    path = data / 'hrnet_annot_train.json'
    splits = json.loads((data / 'splits.json').read_text())
    blocks = json.loads(path.read_text())
    blocks[splits['train'].index(first)].pop()
    path.write_text(json.dumps(blocks))
    with pytest.raises(DatasetError, match='holds 6 frames but the annotations have 5'):
        HuPRDataset(data, cache, sequences=[first])
    blocks[0][0]['joints'] = [[1.0, 2.0]] * 13
    path.write_text(json.dumps(blocks))
    with pytest.raises(DatasetError, match=r'hrnet_annot_train.json \(single_\d+\): frame 0: '
                                           r'joints have shape \(13, 2\)'):
        HuPRDataset(data, cache, sequences=[splits['train'][0]])


def test_cache_from_another_configuration(sim_data, tmp_path):
    data, cache, (first, _) = copy_dataset(sim_data, tmp_path)
    with pytest.raises(DatasetError, match='num_input_doppler: cache 8 vs wanted 4'):
        HuPRDataset(data, cache, sequences=[first], config=VRDAEConfig(num_input_doppler=4))
    with pytest.raises(DatasetError, match='representation'):
        HuPRDataset(data, cache, sequences=[first],
                    config=VRDAEConfig(representation='raemap'))
    with pytest.raises(DatasetError, match='cache is missing or unfinished.*--output input'):
        HuPRDataset(data, tmp_path / 'nothing', sequences=[first])
    with pytest.raises(DatasetError, match='in no split'):
        HuPRDataset(data, cache, sequences=[999])
