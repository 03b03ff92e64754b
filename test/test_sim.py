# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""HuPR-Sim: deterministic, physically placed, right formats; the dataset CLI's layout."""

import json

from hupr_ros.dsp import axes, vrdae_map
from hupr_ros.inference import estimate_person_range
from hupr_ros.radar.dca1000 import load_adc_file
from hupr_ros.sim import dataset as sim_dataset
from hupr_ros.sim.body import joint_positions, make_subjects, Motion, MOTIONS, Subject
from hupr_ros.sim.scene import project, SimConfig, Simulator
from hupr_ros.skeleton import JOINT_INDEX
from hupr_ros.tools import preprocess
from hupr_ros.tools import sim as sim_tool
import numpy as np
import pytest


def test_frames_are_deterministic_for_a_seed():
    a = Simulator(Subject(), Motion(kind='wave_one'), seed=3).frame(7)
    b = Simulator(Subject(), Motion(kind='wave_one'), seed=3).frame(7)
    c = Simulator(Subject(), Motion(kind='wave_one'), seed=4).frame(7)
    assert np.array_equal(a.hori, b.hori) and np.array_equal(a.vert, b.vert)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.keypoints, b.keypoints)
    assert not np.array_equal(a.hori, c.hori)                   # other noise
    assert np.array_equal(a.keypoints, c.keypoints)             # same motion
    # Without the camera: no image, the same radar frames and ground truth.
    d = Simulator(Subject(), Motion(kind='wave_one'), seed=3).frame(7, camera=False)
    assert d.image is None
    assert np.array_equal(a.hori, d.hori) and np.array_equal(a.vert, d.vert)
    assert np.array_equal(a.keypoints, d.keypoints)


def test_radar_frames_are_int16_valued_with_noise():
    frame = Simulator(Subject(), Motion(kind='wave_both')).frame(0)
    for data in (frame.hori, frame.vert):
        assert data.shape == (192, 4, 256) and data.dtype == np.complex64
        assert np.array_equal(data.real, np.rint(data.real))
        assert np.abs(data.real).max() <= 32767
        assert 1.0 < np.std(data.real) < 2000


@pytest.mark.parametrize('distance', [1.8, 2.6, 3.4])
@pytest.mark.parametrize('kind', ['static', 'wave_both'])
def test_person_energy_sits_at_the_persons_range(distance, kind):
    sim = Simulator(Subject(), Motion(kind=kind, position=(0.2, distance)), seed=1)
    frame = sim.frame(5)
    for data, mount in ((frame.hori, sim.config.hori_mount),
                        (frame.vert, sim.config.vert_mount)):
        estimated = estimate_person_range(vrdae_map(data))
        assert abs(estimated - distance) < 0.35, (kind, distance, estimated)


def test_horizontal_and_vertical_radars_see_the_raised_arm_where_it_is():
    """
    A subject waving with the right hand (on the sensors' left) high up.

    The horizontal radar's azimuth energy leans left, the vertical radar's leans up.
    """
    sim = Simulator(Subject(), Motion(kind='wave_one', wave_side='right', position=(0.0, 2.2),
                                      amplitude=50), seed=2)
    frame = sim.frame(3)
    wrist = frame.joints_3d[JOINT_INDEX['R_Wrist']]
    assert wrist[0] < -0.2 and wrist[2] > 0.3
    hori, vert = np.abs(vrdae_map(frame.hori)), np.abs(vrdae_map(frame.vert))
    hori[8], vert[8] = 0, 0                                      # drop the static bin
    az = axes.azimuth_sines()
    hori_profile = (hori ** 2).sum(axis=(0, 1, 3))
    vert_profile = (vert ** 2).sum(axis=(0, 1, 3))
    assert (hori_profile * az).sum() / hori_profile.sum() < -0.05   # energy left of centre
    assert (vert_profile * az).sum() / vert_profile.sum() > 0.05    # energy above centre


def test_a_body_simulated_in_parts_reflects_only_those_parts(tmp_path, capsys):
    # hupr-sim --parts (diagnostics): the arms alone on the radars, the whole body in the labels
    # and the camera. Without noise and clutter, the arms alone leave less echo than the body
    # and their own, different, frame; an unknown part is refused with the names that exist.
    quiet = SimConfig(noise_std=0.0, clutter=False)
    motion = Motion(kind='wave_one', wave_side='right', position=(0.0, 2.2), amplitude=50)
    whole = Simulator(Subject(), motion, quiet, seed=2).frame(3)
    arms = Simulator(Subject(), motion, SimConfig(noise_std=0.0, clutter=False,
                                                  body_parts=('arms',)), seed=2).frame(3)
    assert np.array_equal(arms.keypoints, whole.keypoints)
    assert np.array_equal(arms.image, whole.image)
    for radar in ('hori', 'vert'):
        part, body = getattr(arms, radar), getattr(whole, radar)
        assert 0 < np.abs(part).sum() < 0.8 * np.abs(body).sum()
    trunk = Simulator(Subject(), motion, SimConfig(noise_std=0.0, clutter=False,
                                                   body_parts=('torso', 'head')), seed=2)
    assert trunk.sampling.count == 2 * trunk.sampling.along * trunk.sampling.around
    with pytest.raises(ValueError, match="unknown body part 'tail'.*groups are arms, legs"):
        Simulator(Subject(), motion, SimConfig(body_parts=('tail',)))
    out = tmp_path / 'arms'
    assert sim_tool.main([str(out), '--sequences', '2', '--frames', '1', '--workers', '1',
                          '--parts', 'arms']) == 0
    assert json.loads((out / 'sim_meta.json').read_text())['config']['body_parts'] == ['arms']
    with pytest.raises(SystemExit):
        sim_tool.main([str(tmp_path / 'x'), '--parts', 'tail'])
    assert "unknown body part 'tail'" in capsys.readouterr().err


def test_camera_keypoints_are_the_projected_joints():
    config = SimConfig()
    sim = Simulator(Subject(), Motion(kind='walk_wave'), config)
    frame = sim.frame(12)
    np.testing.assert_allclose(frame.keypoints, project(frame.joints_3d, config), atol=1e-4)
    assert ((frame.keypoints > 0) & (frame.keypoints < 256)).all()
    assert frame.image.shape == (256, 256, 3) and frame.image.dtype == np.uint8
    # the head is rendered where its keypoint is: skin tone differs from the background wall
    u, v = frame.keypoints[JOINT_INDEX['Head']].astype(int)
    assert abs(int(frame.image[v, u, 0]) - int(frame.image[5, 5, 0])) > 20
    dark = Simulator(Subject(), Motion(kind='walk_wave'), SimConfig(brightness=0.05)).frame(12)
    assert dark.image.mean() < 0.2 * frame.image.mean()


def test_motions_move_the_right_joints():
    subject = make_subjects(0)[1]
    still = [joint_positions(subject, Motion(kind='static'), t) for t in (0.0, 0.5)]
    assert np.abs(still[0] - still[1]).max() < 0.03              # only postural sway
    waving = [joint_positions(subject, Motion(kind='wave_both'), t) for t in (0.0, 0.3)]
    moved = np.linalg.norm(waving[0] - waving[1], axis=1)
    assert moved[JOINT_INDEX['L_Wrist']] > 0.05 and moved[JOINT_INDEX['R_Wrist']] > 0.05
    assert moved[JOINT_INDEX['R_Ankle']] < 0.03
    walking = [joint_positions(subject, Motion(kind='walk_wave'), t) for t in (0.0, 1.0)]
    assert np.linalg.norm(walking[0][JOINT_INDEX['Neck']] - walking[1][JOINT_INDEX['Neck']]) \
        > 0.3
    with pytest.raises(ValueError, match='motion kind'):
        Motion(kind='dance')


def test_dataset_cli_layout_annotations_and_preprocessing(tmp_path):
    out = tmp_path / 'hupr_sim'
    assert sim_tool.main([str(out), '--sequences', '6', '--frames', '3', '--workers', '1',
                          '--plan', 'classic']) == 0
    splits = json.loads((out / 'splits.json').read_text())
    meta = json.loads((out / 'sim_meta.json').read_text())
    subject_of = {s['sequence']: s['subject'] for s in meta['sequences']}
    assert {subject_of[n] for n in splits['test']} == {5}               # test-only subject
    assert 5 not in {subject_of[n] for n in splits['train'] + splits['val']}
    assert sorted(sum(splits.values(), [])) == [1, 2, 3, 4, 5, 6]
    assert {s['motion']['kind'] for s in meta['sequences']} == set(MOTIONS)
    train = json.loads((out / 'hrnet_annot_train.json').read_text())
    assert len(train) == len(splits['train']) and len(train[0]) == 3
    block = train[0][1]
    assert block['image'] == '000000001.jpg' and len(block['joints']) == 14
    assert len(block['bbox']) == 4 and block['bbox'][0] < block['bbox'][2]
    assert (out / 'frames' / 'single_1' / '000000002.jpg').is_file()
    frames = load_adc_file(out / 'single_1' / 'hori' / 'adc_data.bin')
    assert frames.shape == (3, 192, 4, 256)
    assert np.load(out / 'single_1' / 'joints_3d.npy').shape == (3, 14, 3)
    # the preprocessing CLI reads the layout as it reads the public data
    assert preprocess.main([str(out), str(tmp_path / 'cache'), '--workers', '1']) == 0
    cache = np.load(tmp_path / 'cache' / 'single_2' / 'vert' / 'vrdae.npy')
    assert cache.shape == (3, 16, 64, 64, 8)
    # re-running skips finished sequences and gives the same annotations
    assert sim_tool.main([str(out), '--sequences', '6', '--frames', '3', '--workers', '1',
                          '--plan', 'classic']) == 0
    assert json.loads((out / 'hrnet_annot_train.json').read_text()) == train


def test_generative_plan_draws_bodies_motions_and_splits_independently():
    """Every sequence has its own body and motion seed; splits share neither."""
    plan = sim_dataset.plan(60, seed=3, kind='generative')
    assert len({json.dumps(s['body'], sort_keys=True) for s in plan}) == 60
    assert len({s['motion']['motion_seed'] for s in plan}) == 60
    assert {s['motion']['kind'] for s in plan} == {'generated'}
    splits = {k: [s for s in plan if s['split'] == k] for k in ('train', 'val', 'test')}
    assert [len(splits[k]) for k in ('train', 'val', 'test')] == [45, 6, 9]
    train_bodies = {s['subject'] for s in splits['train']}
    assert not train_bodies & {s['subject'] for s in splits['test'] + splits['val']}
    heights = [s['body']['height'] for s in plan]
    assert 1.45 <= min(heights) and max(heights) <= 2.0 and np.std(heights) > 0.1
    noise = [s['sim']['noise_std'] for s in plan]
    assert max(noise) > 2 * min(noise)
    # the same seed, the same plan; another seed, other bodies
    assert sim_dataset.plan(60, seed=3, kind='generative') == plan
    assert sim_dataset.plan(60, seed=4, kind='generative')[0]['body'] != plan[0]['body']


@pytest.mark.slow
def test_generated_motions_move_each_arm_on_its_own_and_walk_in_the_field_of_view():
    from hupr_ros.sim.body import GENERATED, random_motion
    from hupr_ros.sim.motion_gen import DISTANCE_RANGE, sample_subject
    rng = np.random.default_rng(0)
    left_only = right_only = 0
    for k in range(12):
        subject = sample_subject(rng, f'b{k}')
        motion = random_motion(rng, GENERATED)
        joints = np.array([joint_positions(subject, motion, t / 10) for t in range(300)])
        assert np.isfinite(joints).all()
        # no teleporting: at 10 Hz no joint moves more than 0.7 m per frame (7 m/s; a brisk
        # wave or a foot's swing at a fast walk peaks at 3-5 m/s)
        assert np.linalg.norm(np.diff(joints, axis=0), axis=-1).max() < 0.7
        # the body stays on the floor inside the radars' range
        pelvis = joints[:, [JOINT_INDEX['R_Hip'], JOINT_INDEX['L_Hip']]].mean(axis=1)
        assert DISTANCE_RANGE[0] - 0.3 < pelvis[:, 1].min()
        assert pelvis[:, 1].max() < DISTANCE_RANGE[1] + 0.3
        speed = {side: np.linalg.norm(np.diff(joints[:, JOINT_INDEX[f'{side}_Wrist']]
                                              - joints[:, JOINT_INDEX['Neck']], axis=0),
                                      axis=-1) for side in 'RL'}
        left_only += int(np.sum((speed['L'] > 0.05) & (speed['R'] < 0.005)))
        right_only += int(np.sum((speed['R'] > 0.05) & (speed['L'] < 0.005)))
    # frames where one arm moves and the other is still happen on both sides
    assert left_only > 20 and right_only > 20


@pytest.mark.slow
def test_generated_sequence_renders_and_simulates(tmp_path):
    out = tmp_path / 'gen'
    assert sim_tool.main([str(out), '--sequences', '3', '--frames', '2', '--workers', '1',
                          '--seed', '2']) == 0
    meta = json.loads((out / 'sim_meta.json').read_text())
    assert meta['plan'] == 'generative' and meta['complete']
    splits = json.loads((out / 'splits.json').read_text())
    assert sorted(sum(splits.values(), [])) == [1, 2, 3] and all(splits.values())
    radar = load_adc_file(out / 'single_1' / 'hori' / 'adc_data.bin')
    assert radar.shape[0] == 2 and np.abs(radar).max() > 0


def test_waving_arms_fill_the_networks_input():
    # hupr-sim-echo's measure: each group of body parts synthesised alone, its energy in the
    # Doppler bins the network reads. Waving arms put several times the echo of the same arms
    # held still (postural sway only) there, and more than the trunk does in the vertical radar.
    from hupr_ros.sim.echo import echo_by_group, fastest_wrist_speed
    subject = make_subjects(0)[0]
    still, waving = (Simulator(subject, Motion(kind=kind, position=(0.0, 2.5)), seed=0)
                     for kind in ('static', 'wave_both'))
    assert fastest_wrist_speed(still, 3) < 0.05 < 0.5 < fastest_wrist_speed(waving, 3)
    held, moving = echo_by_group(still, 3), echo_by_group(waving, 3)
    for radar in ('hori', 'vert'):
        assert moving[radar]['arms'].read > 5 * held[radar]['arms'].read
        assert moving[radar]['trunk'] == held[radar]['trunk']        # the same trunk, alone
        for echo in moving[radar].values():
            assert 0 < echo.read <= echo.stored
    assert moving['vert']['arms'].read > moving['vert']['trunk'].read
    with pytest.raises(KeyError):
        echo_by_group(waving, 3, {'tail': ('tail',)})


def test_echo_cli_reads_a_generated_set(tmp_path, capsys):
    from hupr_ros.tools import sim_echo
    out = tmp_path / 'gen'
    assert sim_tool.main([str(out), '--sequences', '3', '--frames', '2', '--workers', '1',
                          '--seed', '2']) == 0
    split, numbers = next((name, numbers) for name, numbers in
                          json.loads((out / 'splits.json').read_text()).items() if numbers)
    assert sim_echo.main([str(out), '--split', split, '--frames', '0', '1']) == 0
    printed = capsys.readouterr().out
    assert 'hori: arms share of the input' in printed
    assert sum(int(line.split('|')[2]) for line in printed.splitlines()
               if line.startswith('| ') and line[2].isdigit() or line.startswith('| >=')) == \
        2 * len(numbers)
    assert sim_echo.main([str(tmp_path), '--split', split]) == 2
    assert 'sim_meta.json not found' in capsys.readouterr().err


def test_which_simulated_bodies_a_model_was_trained_on():
    from hupr_ros.sim.dataset import trained_on_body
    classic = 'hupr-sim data/hupr_sim --sequences 80 --frames 60 --seed 1 --workers 2'
    assert trained_on_body(classic, seed=1, subject=0) is True
    assert trained_on_body(classic, seed=1, subject=5) is False     # test split only
    assert trained_on_body(classic, seed=0, subject=0) is False     # other bodies
    assert trained_on_body('hupr-sim d --plan classic --seed 2', seed=2, subject=4) is True
    assert trained_on_body('hupr-sim d --sequences 6', seed=0, subject=2) is True  # seed 0
    generative = 'hupr-sim data/hupr_gen --plan generative --sequences 200 --seed 11'
    assert trained_on_body(generative, seed=11, subject=0) is False
    assert trained_on_body('', seed=0, subject=0) is None
    assert trained_on_body('hupr-import /data/HuPR', seed=0, subject=0) is None
    # A model trained on two sets: yes when either set holds the body.
    both = f'{generative} --workers 2; hupr-preprocess a b; {classic} && hupr-preprocess c d'
    assert trained_on_body(both, seed=1, subject=2) is True
    assert trained_on_body(both, seed=11, subject=2) is False
    assert trained_on_body(both, seed=1, subject=5) is False
    # Each shipped model records its data: the demo can say what its body is.
    from hupr_ros.model import load_pretrained, PRETRAINED
    for name in PRETRAINED:
        command = load_pretrained(name).training_metadata['data_command']
        assert trained_on_body(command, seed=0, subject=5) is False, name
