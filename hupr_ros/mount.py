# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
The sensor mount (``config/mount.yaml``): where the radars and the camera sit.

One file feeds both the static transforms (``tf_node``) and the pose node's back-projection
(the camera intrinsics), so the two can't disagree. ROS-free: the node turns
:class:`Transform` into ``geometry_msgs/TransformStamped``.
"""

import dataclasses
import math
from pathlib import Path
from typing import List, Tuple, Union

from hupr_ros import topics
from hupr_ros.shipped import shipped_file, SOURCE_ROOT
from hupr_ros.yaml_files import read_yaml
import numpy as np

#: Child frames of the rig, in the order they are published.
SENSORS = (topics.FRAME_RADAR_HORI, topics.FRAME_RADAR_VERT, topics.FRAME_CAMERA)
_KEYS = {'base_frame', 'rig_frame', 'rig', 'camera_intrinsics', *SENSORS}


class MountError(ValueError):
    """The mount file is missing, malformed or physically meaningless."""


@dataclasses.dataclass(frozen=True)
class Transform:
    """``child`` in ``parent``: translation (m) and unit quaternion (x, y, z, w)."""

    parent: str
    child: str
    translation: Tuple[float, float, float]
    rotation: Tuple[float, float, float, float]


@dataclasses.dataclass(frozen=True)
class Mount:
    transforms: Tuple[Transform, ...]
    camera_intrinsics: Tuple[float, float, float, float]

    def transform(self, child: str) -> Transform:
        for t in self.transforms:
            if t.child == child:
                return t
        raise KeyError(child)


def quaternion_from_rpy(roll: float, pitch: float, yaw: float) -> Tuple[float, ...]:
    """Fixed-axis x-y-z rotation (R = Rz(yaw) Ry(pitch) Rx(roll)) as (x, y, z, w), as tf2."""
    cr, sr = math.cos(roll / 2), math.sin(roll / 2)
    cp, sp = math.cos(pitch / 2), math.sin(pitch / 2)
    cy, sy = math.cos(yaw / 2), math.sin(yaw / 2)
    return (sr * cp * cy - cr * sp * sy, cr * sp * cy + sr * cp * sy,
            cr * cp * sy - sr * sp * cy, cr * cp * cy + sr * sp * sy)


def rotation_matrix(q: Tuple[float, float, float, float]) -> np.ndarray:
    """3x3 matrix of a unit quaternion (x, y, z, w): child axes as columns in the parent."""
    x, y, z, w = q
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def _vector(path: Path, key: str, value, n: int) -> List[float]:
    if not isinstance(value, (list, tuple)) or len(value) != n:
        raise MountError(f'{path}: {key} must be a list of {n} numbers, got {value!r}')
    try:
        out = [float(v) for v in value]
    except (TypeError, ValueError):
        raise MountError(f'{path}: {key} must be numbers, got {value!r}') from None
    if not all(math.isfinite(v) for v in out):
        raise MountError(f'{path}: {key} must be finite, got {value!r}')
    return out


def _pose(path: Path, key: str, entry) -> Tuple[List[float], List[float]]:
    if not isinstance(entry, dict) or set(entry) != {'xyz', 'rpy'}:
        raise MountError(f'{path}: {key} needs exactly xyz and rpy, got {entry!r}')
    xyz = _vector(path, f'{key}.xyz', entry['xyz'], 3)
    return xyz, _vector(path, f'{key}.rpy', entry['rpy'], 3)


def load_mount(path: Union[str, Path]) -> Mount:
    """Read and check a mount file; :class:`MountError` names the file and the key."""
    path = Path(path)
    data = read_yaml(path, 'mount file', MountError)
    if not isinstance(data, dict):
        raise MountError(f'mount file {path}: expected a mapping of {sorted(_KEYS)}')
    if set(data) != _KEYS:
        missing, unknown = _KEYS - set(data), set(data) - _KEYS
        raise MountError(f'mount file {path}: '
                         + '; '.join(filter(None, [missing and f'missing {sorted(missing)}',
                                                   unknown and f'unknown {sorted(unknown)}'])))
    base, rig = str(data['base_frame']), str(data['rig_frame'])
    if not base or not rig or base == rig or {base, rig} & set(SENSORS):
        raise MountError(f'mount file {path}: base_frame and rig_frame must be two distinct '
                         f'names other than {SENSORS}')
    transforms = []
    for parent, child, key in [(base, rig, 'rig')] + [(rig, s, s) for s in SENSORS]:
        xyz, rpy = _pose(path, key, data[key])
        transforms.append(Transform(parent, child, tuple(xyz), quaternion_from_rpy(*rpy)))
    intrinsics = _vector(path, 'camera_intrinsics', data['camera_intrinsics'], 4)
    if intrinsics[0] <= 0 or intrinsics[1] <= 0:
        raise MountError(f'mount file {path}: camera_intrinsics fx and fy must be > 0, got '
                         f'{intrinsics[:2]}')
    return Mount(tuple(transforms), tuple(intrinsics))


def frame_prefix(namespace: str) -> str:
    """Return the tf prefix of a node namespace: '/' -> '', '/rig_b' -> 'rig_b/'."""
    namespace = namespace.strip('/')
    return f'{namespace}/' if namespace else ''


def default_mount() -> Path:
    """Return the shipped ``config/mount.yaml`` (:func:`hupr_ros.shipped.shipped_file`)."""
    return shipped_file('hupr_ros', 'config', 'mount.yaml') or \
        SOURCE_ROOT / 'config' / 'mount.yaml'
