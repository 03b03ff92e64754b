# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
The 14 HuPR joints, their published order, skeleton edges and COCO OKS sigmas.

The one place these live: the messages, the network's graph, the metric, the simulator and the
visualisation all import them from here.
"""

from typing import Tuple

import numpy as np

#: Joint names in the order of the published HuPR annotations and network outputs.
JOINT_NAMES: Tuple[str, ...] = (
    'R_Hip', 'R_Knee', 'R_Ankle', 'L_Hip', 'L_Knee', 'L_Ankle', 'Neck', 'Head',
    'L_Shoulder', 'L_Elbow', 'L_Wrist', 'R_Shoulder', 'R_Elbow', 'R_Wrist',
)
NUM_JOINTS = len(JOINT_NAMES)
JOINT_INDEX = {name: i for i, name in enumerate(JOINT_NAMES)}

#: Joint types (a joint's name without its side) and the joints of each, in published order.
JOINT_TYPES = {t: tuple(i for i, n in enumerate(JOINT_NAMES) if n.split('_')[-1].lower() == t)
               for t in dict.fromkeys(n.split('_')[-1].lower() for n in JOINT_NAMES)}


def joints_named(name: str) -> Tuple[int, ...]:
    """
    Return the joints a name stands for: a joint name (``R_Wrist``) or a type (``wrist``).

    :raises KeyError: neither, with the names that are.
    """
    if name in JOINT_INDEX:
        return (JOINT_INDEX[name],)
    if name.lower() in JOINT_TYPES:
        return JOINT_TYPES[name.lower()]
    raise KeyError(f'{name!r} is not a joint name {JOINT_NAMES} or type {tuple(JOINT_TYPES)}')


#: Bones of the skeleton graph (published PRGCN adjacency), as pairs of joint names.
EDGE_NAMES: Tuple[Tuple[str, str], ...] = (
    ('R_Hip', 'R_Knee'), ('R_Knee', 'R_Ankle'), ('R_Hip', 'L_Hip'),
    ('L_Hip', 'L_Knee'), ('L_Knee', 'L_Ankle'), ('Neck', 'Head'),
    ('Neck', 'L_Shoulder'), ('L_Shoulder', 'L_Elbow'), ('L_Elbow', 'L_Wrist'),
    ('Neck', 'R_Shoulder'), ('R_Shoulder', 'R_Elbow'), ('R_Elbow', 'R_Wrist'),
)
EDGES: Tuple[Tuple[int, int], ...] = tuple(
    (JOINT_INDEX[a], JOINT_INDEX[b]) for a, b in EDGE_NAMES)

#: COCO-style OKS sigmas per joint, published order (docs/published_model.md section 5).
OKS_SIGMAS = np.array(
    [1.07, .87, .89, 1.07, .87, .89, 1.0, 1.0, .79, .72, .62, .79, .72, .62]) / 10.0


def adjacency(self_loops: bool = True) -> np.ndarray:
    """
    Return the symmetric skeleton adjacency, float32 (14, 14), not normalised.

    With ``self_loops`` the identity is added, as in the published PRGCN.
    """
    a = np.zeros((NUM_JOINTS, NUM_JOINTS), dtype=np.float32)
    for i, j in EDGES:
        a[i, j] = a[j, i] = 1.0
    if self_loops:
        a += np.eye(NUM_JOINTS, dtype=np.float32)
    return a


def prgcn_adjacency() -> np.ndarray:
    """
    Return the adjacency the published PRGCN was trained with: float32 (14, 14).

    It is :func:`adjacency` with self loops, except that the Neck row omits both shoulders
    (``A[Neck, L_Shoulder] = A[Neck, R_Shoulder] = 0`` while the shoulder rows do include the
    Neck): the released matrix is asymmetric. The released weights and reference outputs need
    exactly this matrix (the symmetric one changes the refined heat maps by up to 0.75).
    """
    a = adjacency(self_loops=True)
    neck = JOINT_INDEX['Neck']
    a[neck, JOINT_INDEX['L_Shoulder']] = 0.0
    a[neck, JOINT_INDEX['R_Shoulder']] = 0.0
    return a
