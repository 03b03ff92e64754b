# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""hupr-capture and the two-radar rig against the CLI and DCA1000 emulators."""

import json
import time

from conftest import REPO
from hupr_ros.radar import HUPR_CHIRP_CONFIG
from hupr_ros.radar.cfg import load_cfg
from hupr_ros.radar.dca1000 import decode_samples, load_adc_file
from hupr_ros.radar.dca1000_emulator import Faults
from hupr_ros.radar.rig import EmulatedRig, Radar, Rig, rig_cfgs
from hupr_ros.sim.adc_source import SimFrames
from hupr_ros.tools import capture
import numpy as np
import pytest

pytest.importorskip('serial')
CFG = REPO / 'config' / 'iwr1843_hupr.cfg'
FRAME_BYTES = HUPR_CHIRP_CONFIG.frame_bytes


@pytest.mark.slow
def test_capture_cli_records_both_radars_from_the_emulators(tmp_path):
    out = tmp_path / 'single_1'
    assert capture.main([str(CFG), str(out), '--seconds', '1.5', '--emulate']) == 0
    report = json.loads((out / 'capture.json').read_text())
    counts = {name: r['frames'] for name, r in report['radars'].items()}
    assert set(counts) == {'hori', 'vert'} and min(counts.values()) >= 5
    assert abs(counts['hori'] - counts['vert']) <= 1
    assert report['radars']['vert']['cfg'].count('frameCfg 0 2 64 0 100 2 0') == 1  # hw trigger
    frames = load_adc_file(out / 'hori' / 'adc_data.bin')
    assert frames.shape == (counts['hori'], 192, 4, 256)
    first = report['radars']['hori']['first_frame_index']
    sim = SimFrames()                         # the emulators' source: the same frames
    whole = [k for k in range(3) if k not in report['radars']['hori']['zero_filled_frames']]
    for k in whole:
        want = decode_samples(np.frombuffer(sim('hori', first + k), np.int16))
        np.testing.assert_array_equal(frames[k].reshape(-1), want)
    for r in report['radars'].values():      # no fault injected: only the kernel can drop
        assert r['packets_lost'] == (r['kernel_drops'] or 0), r['stream']
        assert bool(r['zero_filled_frames']) == bool(r['packets_lost'])


def synthetic(name, k):
    seed = k * 2 + (name == 'vert')
    return np.random.default_rng(seed).integers(-500, 500, FRAME_BYTES // 2,
                                                dtype=np.int16).tobytes()


@pytest.mark.slow
def test_rig_keeps_radars_frame_aligned_under_loss():
    got = {'hori': [], 'vert': []}
    cfgs = rig_cfgs(load_cfg(CFG), 2)
    with EmulatedRig(synthetic, fps=20, faults={'vert': Faults(loss=0.01, seed=3)}) as emu:
        radars = [Radar(link, cfg, got[link.name].append)
                  for link, cfg in zip(emu.links, cfgs)]
        rig = Rig(radars)
        rig.start()
        deadline = time.monotonic() + 20
        while min(len(v) for v in got.values()) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        rig.stop()
        lost = emu.boards['vert'].packets_lost
    assert lost > 0
    for name, frames in got.items():
        assert [f.index for f in frames[:20]] == list(range(20))
        for f in frames[:20]:
            data = np.frombuffer(f.data, np.uint8)
            want = np.frombuffer(synthetic(name, f.index), np.uint8)
            assert ((data == want) | (data == 0)).all()
    stats = radars[1].receiver.assembler.stats
    assert stats.lost == lost and stats.zero_filled_frames > 0
    assert radars[0].receiver.assembler.stats.zero_filled_frames == 0


def test_capture_names_a_missing_serial_port(tmp_path, capsys):
    assert capture.main([str(CFG), str(tmp_path / 'x'), '--seconds', '1', '--radars', 'hori',
                         '--cli-ports', '/dev/ttyNOPE,/dev/ttyNOPE2']) == 1
    err = capsys.readouterr().err
    assert 'no serial port /dev/ttyNOPE' in err and 'Traceback' not in err
    assert not list((tmp_path / 'x').rglob('adc_data.bin'))
