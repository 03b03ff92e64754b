# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""mmWave SDK .cfg files: round trips, derived values of paper Table 1, rejections."""

from conftest import REPO
from hupr_ros.radar import HUPR_CHIRP_CONFIG
from hupr_ros.radar.cfg import CfgError, HARDWARE_TRIGGER, load_cfg, RadarCfg
import pytest

CFG = REPO / 'config' / 'iwr1843_hupr.cfg'


def test_shipped_cfg_is_paper_table_1():
    cfg = load_cfg(CFG)
    assert cfg.chirp_config() == HUPR_CHIRP_CONFIG
    assert cfg.check_hupr() == HUPR_CHIRP_CONFIG
    d = cfg.derived()
    assert d['range_resolution_m'] == pytest.approx(0.0429, abs=1e-4)
    assert d['max_range_m'] == pytest.approx(10.99, abs=0.01)
    assert d['sampling_time_s'] == pytest.approx(58.18e-6, abs=1e-8)
    assert d['sampled_bandwidth_hz'] == pytest.approx(3.49e9, rel=1e-3)
    assert d['velocity_resolution_mps'] == pytest.approx(0.141, abs=1e-3)
    assert d['max_velocity_mps'] == pytest.approx(4.51, abs=0.01)
    assert d['frame_bytes'] == 786_432
    assert d['data_rate_mbps'] == pytest.approx(62.9, abs=0.1)
    assert d['duty_cycle'] == pytest.approx(192 * 72e-6 / 0.1)
    assert cfg.trigger == 1 and cfg.iq_order == 'qi'
    assert '4.29 cm range resolution' in cfg.summary()


def test_round_trip_keeps_every_command():
    cfg = RadarCfg.load(CFG)
    again = RadarCfg.parse(cfg.to_text())
    assert again.lines() == cfg.lines() and len(cfg.lines()) > 20
    assert not any('%' in line for line in cfg.lines())


def test_hardware_trigger_variant_differs_only_in_the_trigger():
    hw = load_cfg(REPO / 'config' / 'iwr1843_hupr_hwtrigger.cfg')
    sw = load_cfg(CFG)
    assert hw.trigger == HARDWARE_TRIGGER
    assert sw.with_trigger(HARDWARE_TRIGGER).lines() == hw.lines()
    assert hw.chirp_config() == sw.chirp_config()


def edit(old, new):
    text = CFG.read_text()
    assert old in text
    return RadarCfg.parse(text.replace(old, new), 'test.cfg')


@pytest.mark.parametrize('old, new, message', [
    ('profileCfg 0 77 7 6 65 0 0 60.012 1 256 4400 0 0 30',
     'profileCfg 0 77 7 6 50 0 0 60.012 1 256 4400 0 0 30',
     'sampling window .* is longer than the ramp \\(50 us\\)'),
    ('frameCfg 0 2 64 0 100 1 0', 'frameCfg 0 2 64 0 10 1 0',
     'frame period \\(10 ms\\) is shorter than its chirps .* 13.82 ms'),
    ('adcCfg 2 1', 'adcCfg 2 2', '16-bit complex'),
    ('chirpCfg 2 2 0 0 0 0 0 4', 'chirpCfg 3 3 0 0 0 0 0 4', 'uses chirp 2, which no chirpCfg'),
])
def test_inconsistent_files_are_refused_with_the_numbers(old, new, message):
    with pytest.raises(CfgError, match=message):
        edit(old, new).check()


def test_data_rate_above_the_dca1000_is_refused():
    # 512 samples at 10 Msps, 67 us chirps, a frame every 14 ms: 899 Mbit/s on average.
    cfg = edit('profileCfg 0 77 7 6 65 0 0 60.012 1 256 4400 0 0 30',
               'profileCfg 0 77 7 6 60 0 0 60.012 1 512 10000 0 0 30')
    cfg = RadarCfg.parse(cfg.to_text().replace('frameCfg 0 2 64 0 100 1 0',
                                               'frameCfg 0 2 64 0 14 1 0'), 'test.cfg')
    with pytest.raises(CfgError, match='899 Mbit/s of raw data is more than a DCA1000'):
        cfg.check()


def test_malformed_lines_name_the_file_and_line():
    with pytest.raises(CfgError, match='test.cfg:16: frameCfg takes 7 values, got 6'):
        edit('frameCfg 0 2 64 0 100 1 0', 'frameCfg 0 2 64 0 100 1')
    with pytest.raises(CfgError, match='test.cfg:12: .*could not convert'):
        edit('profileCfg 0 77 7 6 65', 'profileCfg 0 seventy 7 6 65').check()
    with pytest.raises(CfgError, match='not found'):
        RadarCfg.load(REPO / 'config' / 'missing.cfg')
    with pytest.raises(CfgError, match='tx masks \\[1, 4, 2\\]'):
        edit('chirpCfg 1 1 0 0 0 0 0 2\nchirpCfg 2 2 0 0 0 0 0 4',
             'chirpCfg 1 1 0 0 0 0 0 4\nchirpCfg 2 2 0 0 0 0 0 2').check_hupr()
