# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Presence: an empty simulated room scores low, a person high.

Hysteresis; the estimator marks windows without a person.
"""

from hupr_ros.dsp import vrdae_map
from hupr_ros.inference import PoseEstimator
from hupr_ros.model import build_model
from hupr_ros.presence import motion_energy_db, motion_map, PRESENCE_OFF_DB, PRESENCE_ON_DB, \
    PresenceDetector
from hupr_ros.sim.body import make_subjects, Motion
from hupr_ros.sim.scene import Simulator
import numpy as np
import pytest


@pytest.fixture(scope='session')
def enter_leave():
    """Frames 15..24 of an enter/leave sequence: absent until 2.0 s, then present."""
    sim = Simulator(make_subjects(0)[2], Motion(kind='enter_leave', position=(0.2, 2.6)),
                    seed=4)
    frames = [sim.frame(k) for k in range(15, 25)]
    return [(f.present, vrdae_map(f.hori), vrdae_map(f.vert)) for f in frames]


def test_scores_separate_empty_room_and_person(enter_leave):
    empty = [motion_energy_db(h) for p, h, _ in enter_leave if not p]
    person = [motion_energy_db(h) for p, h, _ in enter_leave if p]
    assert len(empty) == 5 and len(person) == 5
    assert max(empty) < PRESENCE_OFF_DB < PRESENCE_ON_DB < min(person)


def test_hysteresis():
    detector = PresenceDetector(on_db=10, off_db=5, on_frames=2, off_frames=3)
    decisions = [detector.update(s) for s in (0, 20, 0, 20, 20, 7, 3, 3, 20, 3, 3, 3, 20)]
    assert decisions == [False, False, False, False, True, True, True, True, True, True, True,
                         False, False]
    with pytest.raises(ValueError, match='off_db'):
        PresenceDetector(on_db=5, off_db=10)


def test_estimator_marks_windows_without_a_person(enter_leave):
    model = build_model('realtime', 2).eval()
    estimator = PoseEstimator(model, 'causal', presence=PresenceDetector(on_frames=1,
                                                                         off_frames=1))
    results = []
    for k, (present, hori, vert) in enumerate(enter_leave):
        window = estimator.push(k * 100_000_000, hori, vert)
        result = estimator.infer(window)
        results.append((present, result.present))
        assert np.isfinite(result.presence_db)
    assert results == [(p, p) for p, _ in results]
    assert [p for p, _ in results] == [False] * 5 + [True] * 5


def test_motion_map_fast_path_matches_the_power_sum():
    """complex64 C-contiguous cubes take the einsum path; the sums are the power formula's."""
    rng = np.random.default_rng(3)
    cube = (rng.standard_normal((16, 8, 6, 4)) + 1j * rng.standard_normal((16, 8, 6, 4))) \
        .astype(np.complex64) * 100
    power = np.abs(cube.astype(np.complex128)) ** 2
    expected = power.sum(axis=(0, 3)) - power[8].sum(axis=-1)
    for variant in (cube, np.asfortranarray(cube), cube.astype(np.complex128)):
        np.testing.assert_allclose(motion_map(variant), expected, rtol=1e-5)
