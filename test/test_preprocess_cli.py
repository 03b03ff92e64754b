# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""hupr-preprocess: HuPR-layout captures -> cached VRDAEMaps; resumable, skips done, bad files."""

import json
import shutil

from hupr_ros.data import preprocess as preprocess_lib
from hupr_ros.dsp import vrdae_map
from hupr_ros.radar.dca1000 import encode_samples, load_adc_file, read_adc_frames
from hupr_ros.tools import preprocess
import numpy as np
import pytest


@pytest.fixture()
def dataset(tmp_path, data_dir):
    """single_1 (3 frames per radar) and single_2 (2 frames, truncated tail on vert)."""
    root = tmp_path / 'raw'
    rng = np.random.default_rng(4)
    base = load_adc_file(data_dir / 'dca1000_one_frame.bin')[0]
    for seq, n in (('single_1', 3), ('single_2', 2)):
        for radar in preprocess_lib.RADARS:
            frames = np.stack([base * (1 + 0.1 * i) + rng.integers(-50, 50, base.shape)
                               for i in range(n)])
            path = root / seq / radar / 'adc_data.bin'
            path.parent.mkdir(parents=True)
            encode_samples(frames).tofile(path)
    with open(root / 'single_2' / 'vert' / 'adc_data.bin', 'ab') as f:
        f.write(b'\x01' * 1000)
    return root


def test_cli_writes_exact_maps_and_skips_done(dataset, tmp_path, caplog):
    out = tmp_path / 'cache'
    assert preprocess.main([str(dataset), str(out), '--workers', '1']) == 0
    for seq, n in (('single_1', 3), ('single_2', 2)):
        for radar in preprocess_lib.RADARS:
            cache = np.load(out / seq / radar / 'vrdae.npy')
            assert cache.shape == (n, 16, 64, 64, 8) and cache.dtype == np.complex64
            frames = read_adc_frames(dataset / seq / radar / 'adc_data.bin', 0, n)
            np.testing.assert_array_equal(cache, vrdae_map(frames))
            meta = json.loads((out / seq / radar / 'vrdae.json').read_text())
            assert meta['frames'] == n and meta['dtype'] == 'complex64'
            assert not (out / seq / radar / '.vrdae.progress').exists()
    mtime = (out / 'single_1' / 'hori' / 'vrdae.npy').stat().st_mtime_ns
    with caplog.at_level('INFO'):
        assert preprocess.main([str(dataset), str(out), '--workers', '2']) == 0
    assert '4 already done, 0 to do' in caplog.text
    assert (out / 'single_1' / 'hori' / 'vrdae.npy').stat().st_mtime_ns == mtime


def test_resume_after_interruption(dataset, tmp_path, monkeypatch):
    out = tmp_path / 'cache'
    source = dataset / 'single_1' / 'hori' / 'adc_data.bin'
    monkeypatch.setattr(preprocess_lib, 'CHUNK', 1)
    calls = []
    real = preprocess_lib.vrdae_map

    def crash_on_third(frames, config):
        calls.append(len(frames))
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(frames, config)
    monkeypatch.setattr(preprocess_lib, 'vrdae_map', crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        preprocess_lib.preprocess_capture(source, out / 's1h')
    assert (out / 's1h' / '.vrdae.progress').read_text() == '2'
    assert not (out / 's1h' / 'vrdae.json').exists()
    calls.clear()
    monkeypatch.setattr(preprocess_lib, 'vrdae_map', real)
    assert preprocess_lib.preprocess_capture(source, out / 's1h') == 3
    np.testing.assert_array_equal(np.load(out / 's1h' / 'vrdae.npy'),
                                  vrdae_map(read_adc_frames(source, 0, 3)))


def test_float16_cache_is_scaled_and_close(dataset, tmp_path):
    source = dataset / 'single_1' / 'vert' / 'adc_data.bin'
    preprocess_lib.preprocess_capture(source, tmp_path / 'f16', dtype='float16')
    cache = np.load(tmp_path / 'f16' / 'vrdae.npy')
    assert cache.shape == (3, 16, 64, 64, 8, 2) and cache.dtype == np.float16
    exact = vrdae_map(read_adc_frames(source, 0, 3))
    restored = cache[..., 0].astype(np.float32) + 1j * cache[..., 1].astype(np.float32)
    scale = np.abs(exact).reshape(3, -1).max(axis=1)[:, None, None, None, None]
    np.testing.assert_allclose(restored * scale, exact, atol=2e-3 * scale.max())


def test_bad_inputs(dataset, tmp_path, capsys, caplog):
    with pytest.raises(SystemExit):
        preprocess.main([str(tmp_path / 'missing'), str(tmp_path / 'out')])
    assert 'input folder not found' in capsys.readouterr().err
    empty = tmp_path / 'empty'
    (empty / 'single_9' / 'hori').mkdir(parents=True)
    (empty / 'single_9' / 'hori' / 'adc_data.bin').write_bytes(b'\x00' * 10)
    for workers in ('1', '2'):      # in this process, and in a pool
        caplog.clear()
        assert preprocess.main([str(empty), str(tmp_path / f'out{workers}'),
                                '--workers', workers]) == 1
        assert 'single_9/hori: ' in caplog.text and 'no whole frame in 10 bytes' in caplog.text
    shutil.rmtree(empty)
