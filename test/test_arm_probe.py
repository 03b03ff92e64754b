# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""hupr-arm-probe: the crop, the arm offsets, a probe that finds an arm planted in its input."""

from hupr_ros.metrics import arm_offsets, JOINT_INDEX, poses_with_arms
from hupr_ros.tools.arm_probe import arm_error_px, MOVING, person_crop, ProbeSet, run, score, \
    wrist_motion
import numpy as np
import pytest


def test_the_crop_centres_on_the_body_not_on_one_bright_cell():
    frame = np.zeros((8, 2, 64, 64), np.float32)
    frame[:, 0, 30:33, 40:43] = 1.0          # a body: 3 x 3 cells
    frame[0, 1, 5, 5] = 4.0                  # one brighter cell alone
    crop, centre = person_crop(frame, half_range=4, half_azimuth=6)
    assert centre == (31, 41)
    assert crop.shape == (8, 2, 9, 13)
    assert crop[:, 0, 3:6, 5:8].min() == 1.0 and crop.sum() == pytest.approx(frame[:, 0].sum())
    edge, _ = person_crop(frame, half_range=4, half_azimuth=6, centre=(0, 63))
    assert edge.shape == (8, 2, 9, 13) and not edge[:, :, :4].any() and not edge[..., 7:].any()
    with pytest.raises(ValueError, match=r'\(K, 2, range, azimuth\)'):
        person_crop(np.zeros((8, 64, 64)))


def _poses(count: int, rng) -> np.ndarray:
    """Upright bodies at random places and scales, the arms at random."""
    unit = {'Head': (0, -1.3), 'Neck': (0, -1), 'L_Shoulder': (0.3, -1), 'R_Shoulder': (-0.3, -1),
            'L_Hip': (0.15, 0), 'R_Hip': (-0.15, 0), 'L_Knee': (0.15, 0.5), 'R_Knee': (-0.15, 0.5),
            'L_Ankle': (0.15, 1), 'R_Ankle': (-0.15, 1), 'L_Elbow': (0.4, -0.6),
            'R_Elbow': (-0.4, -0.6), 'L_Wrist': (0.4, -0.2), 'R_Wrist': (-0.4, -0.2)}
    base = np.zeros((14, 2))
    for name, xy in unit.items():
        base[JOINT_INDEX[name]] = xy
    scale = rng.uniform(40, 60, count)[:, None, None]
    poses = base * scale + rng.uniform(80, 170, (count, 1, 2))
    for side in 'LR':     # arms anywhere from hanging to raised
        lift = rng.uniform(-1.2, 0.2, count)[:, None] * scale[:, 0]
        poses[:, JOINT_INDEX[f'{side}_Wrist'], 1:] += lift
        poses[:, JOINT_INDEX[f'{side}_Elbow'], 1:] += lift / 2
    return poses


def test_arm_offsets_are_in_torso_lengths_and_place_the_arms_back():
    poses = _poses(20, np.random.default_rng(0))
    offsets = arm_offsets(poses)
    assert offsets.shape == (20, 8)
    assert np.allclose(poses_with_arms(poses, offsets), poses)
    assert arm_error_px(poses, offsets) == pytest.approx(0, abs=1e-9)
    doubled = poses.copy()
    doubled[:, :, :] = poses * 2                # twice the size: the same offsets
    assert np.allclose(arm_offsets(doubled), offsets)
    flat = poses.copy()
    hips = (flat[:, JOINT_INDEX['L_Hip']] + flat[:, JOINT_INDEX['R_Hip']]) / 2
    flat[:, JOINT_INDEX['Neck']] = hips
    with pytest.raises(ValueError, match='no torso'):
        arm_offsets(flat)


def _planted(name: str, count: int, seed: int, signal: bool) -> ProbeSet:
    """Crops whose two channels hold each wrist's height as a bright row (when ``signal``)."""
    rng = np.random.default_rng(seed)
    poses = _poses(count, rng)
    crops = rng.normal(0, 0.3, (count, 4, 11, 11)).astype(np.float32)
    if signal:
        offsets = arm_offsets(poses).reshape(count, 4, 2)
        for channel, arm in ((0, 1), (2, 3)):         # L_Wrist, R_Wrist heights
            rows = np.clip(np.round(5 + 4 * offsets[:, arm, 1]), 0, 10).astype(int)
            crops[np.arange(count), channel, rows, :] += 3.0
    return ProbeSet(name, crops, poses, np.arange(count))


def test_a_probe_reads_an_arm_planted_in_its_input_and_nothing_from_noise():
    # The machinery end to end: an input that carries the wrists is read on unseen frames (both
    # probes beat the median pose), and one that carries nothing is not (no probe does better
    # than the median pose by more than noise).
    logs = []
    rows = run(_planted('train', 600, 1, True), _planted('select', 150, 2, True),
               [_planted('new', 150, 3, True)], epochs=4, log=logs.append)
    error = {(r['method'].split()[0], r['set']): r['arm_error_px'] for r in rows}
    assert error[('ridge', 'new')] < 0.8 * error[('median', 'new')]
    assert error[('cnn', 'new')] < 0.9 * error[('median', 'new')]
    assert any('cnn epoch 4' in line for line in logs)
    blind = run(_planted('train', 600, 1, False), _planted('select', 150, 2, False),
                [_planted('new', 150, 3, False)], epochs=2, log=logs.append)
    error = {(r['method'].split()[0], r['set']): r['arm_error_px'] for r in blind}
    assert error[('ridge', 'new')] > 0.95 * error[('median', 'new')]
    assert {r['set'] for r in blind} == {'training frames (600)', 'select', 'new'}


def test_moving_arm_frames_are_told_from_still_ones():
    poses = np.repeat(_poses(1, np.random.default_rng(4)), 4, axis=0)
    hips = (poses[0, JOINT_INDEX['L_Hip']] + poses[0, JOINT_INDEX['R_Hip']]) / 2
    length = np.linalg.norm(hips - poses[0, JOINT_INDEX['Neck']])
    poses[2:, JOINT_INDEX['R_Wrist'], 0] += 0.3 * length     # the right wrist moves at frame 2
    moved = wrist_motion(poses)
    assert moved == pytest.approx([0, 0, 0.3, 0])
    probe = ProbeSet('s', np.zeros((4, 2, 3, 3), np.float32), poses, np.ones(4), moved)
    truth = arm_offsets(poses)
    scored = score(probe, truth + np.where(moved[:, None] >= MOVING, 0.0, 0.1))
    assert scored['moving_frames'] == 1 and scored['moving_arm_error_px'] == pytest.approx(0)
    assert scored['still_arm_error_px'] > 0
