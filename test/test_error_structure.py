# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The structure of a model's body error over sequences, and hupr-error-report."""

from hupr_ros import error_structure as es
from hupr_ros.metrics import BODY_JOINTS, inside_image
from hupr_ros.skeleton import JOINT_INDEX
import numpy as np
import pytest


def _walk(sequences=4, frames=30, seed=0):
    """Make true poses walking across the image, one sequence after the other."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(-20, 20, (14, 2)) + 128
    base[JOINT_INDEX['Head']] = 128, 50
    base[[JOINT_INDEX['R_Ankle'], JOINT_INDEX['L_Ankle']]] = (120, 200), (136, 200)
    gt, seq, frame = [], [], []
    for s in range(sequences):
        scale = 0.7 + 0.2 * s
        start = rng.uniform(60, 190)
        for f in range(frames):
            pose = (base - 128) * scale + 128
            pose[:, 0] += start + 2.0 * f - 128
            gt.append(pose)
            seq.append(s)
            frame.append(f)
    return np.array(gt), np.array(seq), np.array(frame)


def test_displacement_splits_into_a_fixed_error_per_sequence_and_a_wander():
    gt, seq, frame = _walk()
    rng = np.random.default_rng(1)
    fixed = rng.normal(0, 5, (4, 2))
    wander = rng.normal(0, 3, (len(gt), 2))
    pred = gt + fixed[seq][:, None] + wander[:, None]
    parts = es.displacement_parts(pred, gt, seq)
    np.testing.assert_allclose(parts.whole ** 2, parts.per_sequence ** 2 + parts.within ** 2)
    # the wander's own per-sequence means end up in the fixed part: compare with them removed
    means = np.array([wander[seq == s].mean(0) for s in range(4)])
    np.testing.assert_allclose(parts.within, np.sqrt(((wander - means[seq]) ** 2).mean(0)))
    np.testing.assert_allclose(parts.per_sequence,
                               np.sqrt(((fixed + means)[seq] ** 2).mean(0)))
    # a constant shift of everything is all fixed error
    shifted = es.displacement_parts(gt + [3.0, -4.0], gt, seq)
    np.testing.assert_allclose(shifted.per_sequence, [3, 4])
    np.testing.assert_allclose(shifted.within, [0, 0], atol=1e-12)
    # the arms do not move the body
    arms = gt.copy()
    arms[:, [i for i in range(14) if i not in [JOINT_INDEX[n] for n in BODY_JOINTS]]] += 40
    np.testing.assert_allclose(es.displacement_parts(arms, gt, seq).whole, [0, 0])


def test_a_lagging_prediction_is_closest_to_the_earlier_truth():
    gt, seq, frame = _walk()
    lagged = gt.copy()
    for s in np.unique(seq):
        chosen = np.where(seq == s)[0]
        lagged[chosen[2:]] = gt[chosen[:-2]]         # two frames late
    keep = frame >= 2                                 # frames that have a truth 2 frames back
    shifts = es.time_shift_errors(lagged[keep], gt[keep], seq[keep], frame[keep])
    assert min(shifts, key=lambda k: shifts[k].sum()) == 2
    np.testing.assert_allclose(shifts[2], [0, 0], atol=1e-9)
    np.testing.assert_allclose(shifts[0], [4.0, 0], atol=1e-9)   # 2 px per frame, 2 frames
    # frames are matched by number, not by position: a gap is not a frame
    gap = frame != 10
    shifts = es.time_shift_errors(gt[gap], gt[gap], seq[gap], frame[gap], shifts=[0, 1])
    np.testing.assert_allclose(shifts[1], [2.0, 0], atol=1e-9)


def test_speeds_of_the_body_and_of_the_arms():
    gt, seq, frame = _walk(sequences=2, frames=5)
    speed = es.speeds(gt, seq, frame)
    assert np.isnan(speed[frame == 0]).all()
    np.testing.assert_allclose(speed[frame > 0, 0], 2.0)
    np.testing.assert_allclose(speed[frame > 0, 1], 0.0, atol=1e-9)
    wrist = JOINT_INDEX['R_Wrist']
    waving = gt.copy()
    waving[frame % 2 == 1, wrist, 1] -= 8.0
    speed = es.speeds(waving, seq, frame)
    np.testing.assert_allclose(speed[frame > 0, 1], 8.0 / 4)   # one of the four arm joints


def test_size_reading_tells_a_read_size_from_one_size_for_all():
    gt, seq, frame = _walk()
    read = es.size_reading(gt * 1.0, gt, seq)
    assert read.slope == pytest.approx(1) and read.correlation == pytest.approx(1)
    assert read.rms_px == pytest.approx(0, abs=1e-9)
    mean_pose = np.broadcast_to(gt.mean(0), gt.shape)
    one = es.size_reading(mean_pose, gt, seq)
    assert one.slope == pytest.approx(0, abs=1e-9) and one.correlation == 0.0
    sizes = np.array([es.body_sizes(gt[seq == s]).mean() for s in range(4)])
    assert one.rms_px == pytest.approx(
        np.sqrt(((es.body_sizes(gt.mean(0)[None])[0] - sizes) ** 2).mean()))
    assert np.ptp(sizes) > 10
    with pytest.raises(ValueError, match='two sequences'):
        es.size_reading(gt[seq == 0], gt[seq == 0], seq[seq == 0])


def test_bad_input_is_named():
    gt, seq, frame = _walk(sequences=2, frames=3)
    with pytest.raises(ValueError, match='must both be'):
        es.displacement_parts(gt[:, :10], gt[:, :10], seq)
    with pytest.raises(ValueError, match='sequence and frame numbers'):
        es.time_shift_errors(gt, gt, seq[:-1], frame)
    bad = gt.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match='NaN'):
        es.sequence_errors(bad, gt, seq)
    with pytest.raises(ValueError, match='no frames'):
        es.displacement_parts(gt[:0], gt[:0], seq[:0])


def test_error_report_on_a_simulated_set(tmp_path, capsys):
    """hupr-error-report reads hupr-eval's predictions and the set's simulated settings."""
    from hupr_ros.sim.dataset import write_dataset
    from hupr_ros.tools import error_report
    data = tmp_path / 'sim'
    write_dataset(data, num_sequences=3, frames=4, seed=5, progress=False)
    import json
    meta = json.loads((data / 'sim_meta.json').read_text())
    gt, seq, frame = [], [], []
    for entry in meta['sequences']:
        for f in range(4):
            seq.append(entry['sequence'])
            frame.append(f)
    from hupr_ros.sim.dataset import simulator_for
    from hupr_ros.sim.scene import SimConfig
    config = SimConfig(**meta['config'])
    for s, f in zip(seq, frame):
        entry = next(e for e in meta['sequences'] if e['sequence'] == s)
        gt.append(simulator_for(entry, config, meta['seed']).frame(f, camera=False).keypoints)
    gt = np.array(gt, np.float32)
    pred = gt + np.array([6.0, 0.0], np.float32)          # 6 px to the right everywhere
    np.savez(tmp_path / 'predictions.npz', pred=pred, keypoints=gt, sequence=np.array(seq),
             frame=np.array(frame), confidence=np.ones(gt.shape[:2]))
    assert error_report.main([str(tmp_path), '--data', str(data)]) == 0
    out = capsys.readouterr().out
    assert 'whole 6.0 / 0.0; a fixed error per sequence 6.0 / 0.0; wandering within the ' \
        'sequence 0.0 / 0.0' in out
    assert '| across | ' in out and 'closest at k = ' in out
    assert '| body centre x | frames | mean across | rms across |' in out
    assert '| +6.0 | 6.0 |' in out
    share = 100 * (~inside_image(gt)).mean()
    assert f'{share:.1f}% of joints' in out
    settings = error_report.simulated_settings(data, error_report.load_predictions(tmp_path))
    fx = settings[seq[0]]['fx']
    expected = 100 * 6.0 * np.sqrt(np.mean([(settings[s]['distance, m'] / fx) ** 2
                                            for s in settings]))
    assert f'{expected:.1f} cm across and 0.0 cm up' in out
    assert '| receiver noise, counts |' in out and '| distance, m |' in out
    assert all(1.0 < v['distance, m'] < 5.0 for v in settings.values())
    # what is not there is named
    assert error_report.main([str(tmp_path / 'none')]) == 2
    assert 'not found' in capsys.readouterr().err
    np.savez(tmp_path / 'other.npz', pred=pred)
    assert error_report.main([str(tmp_path / 'other.npz')]) == 2
    assert 'not written by hupr-eval' in capsys.readouterr().err
    assert error_report.main([str(tmp_path), '--data', str(tmp_path)]) == 2
    assert 'sim_meta.json not found' in capsys.readouterr().err
