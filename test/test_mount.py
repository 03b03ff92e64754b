# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""The sensor mount file: REP-103 axes of the shipped mount, and clear errors for bad files."""

import math

from conftest import REPO
from hupr_ros import mount as m
import numpy as np
import pytest
import yaml


def test_shipped_mount_axes_follow_rep_103():
    mount = m.load_mount(REPO / 'config' / 'mount.yaml')
    assert [t.child for t in mount.transforms] == ['hupr_rig', 'radar_hori', 'radar_vert',
                                                   'camera_optical']
    assert mount.transforms[0].parent == 'base_link'
    # Optical frame: z along the body's x (forward), x to the right (-y), y down (-z).
    r = m.rotation_matrix(mount.transform('camera_optical').rotation)
    np.testing.assert_allclose(r, [[0, 0, 1], [-1, 0, 0], [0, -1, 0]], atol=1e-12)
    # Vertical radar: the horizontal board rolled 90 degrees about its boresight (x).
    r = m.rotation_matrix(mount.transform('radar_vert').rotation)
    np.testing.assert_allclose(r, [[1, 0, 0], [0, 0, -1], [0, 1, 0]], atol=1e-12)
    np.testing.assert_allclose(m.rotation_matrix(mount.transform('radar_hori').rotation),
                               np.eye(3), atol=1e-12)
    assert mount.camera_intrinsics == (221.7, 221.7, 128.0, 128.0)


def test_quaternion_matches_fixed_axis_rotations():
    roll, pitch, yaw = 0.3, -0.7, 1.9

    def rx(a):
        return np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])

    def ry(a):
        return np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])

    def rz(a):
        return np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])

    q = m.quaternion_from_rpy(roll, pitch, yaw)
    assert math.isclose(sum(v * v for v in q), 1.0)
    np.testing.assert_allclose(m.rotation_matrix(q), rz(yaw) @ ry(pitch) @ rx(roll), atol=1e-12)


def test_frame_prefix():
    assert m.frame_prefix('/') == '' and m.frame_prefix('/rig_b') == 'rig_b/'


@pytest.mark.parametrize('change, needle', [
    (lambda d: d.pop('radar_vert'), "missing ['radar_vert']"),
    (lambda d: d.update(extra=1), "unknown ['extra']"),
    (lambda d: d['rig'].update(xyz=[0, 0]), 'rig.xyz must be a list of 3 numbers'),
    (lambda d: d['camera_optical'].update(rpy=[0, 'a', 0]), 'camera_optical.rpy must be'),
    (lambda d: d['radar_hori'].update(xyz=[0, float('nan'), 0]), 'must be finite'),
    (lambda d: d.update(camera_intrinsics=[0, 1, 2, 3]), 'fx and fy must be > 0'),
    (lambda d: d.update(rig_frame='base_link'), 'two distinct names'),
])
def test_bad_mount_files_name_the_key(tmp_path, change, needle):
    data = yaml.safe_load((REPO / 'config' / 'mount.yaml').read_text())
    change(data)
    path = tmp_path / 'mount.yaml'
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(m.MountError, match='mount.yaml') as info:
        m.load_mount(path)
    assert needle in str(info.value)


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(m.MountError, match='No such file'):
        m.load_mount(tmp_path / 'nope.yaml')
    (tmp_path / 'bad.yaml').write_text('a: [1,\n')
    with pytest.raises(m.MountError, match='not valid YAML'):
        m.load_mount(tmp_path / 'bad.yaml')
