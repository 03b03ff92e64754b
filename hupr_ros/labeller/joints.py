# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
MPII (16), COCO (17) and BlazePose (33) joints -> the 14 HuPR joints.

Limbs and hips map one to one. Neck and Head are the two HuPR joints that the other sets
define differently, so they are derived (docs/labelling.md shows where they sit):

============  =====================================  =====================================
HuPR joint    MPII                                   COCO / BlazePose
============  =====================================  =====================================
Neck          thorax (top of the sternum)            midpoint of the two shoulders
Head          midpoint of upper neck and head top    mean of nose, eyes and ears
============  =====================================  =====================================

A derived joint's score is the lowest score of the joints it is made from.
"""

from typing import Dict, Sequence, Tuple

from hupr_ros.skeleton import JOINT_NAMES
import numpy as np

MPII_NAMES = ('r_ankle', 'r_knee', 'r_hip', 'l_hip', 'l_knee', 'l_ankle', 'pelvis', 'thorax',
              'upper_neck', 'head_top', 'r_wrist', 'r_elbow', 'r_shoulder', 'l_shoulder',
              'l_elbow', 'l_wrist')
COCO_NAMES = ('nose', 'l_eye', 'r_eye', 'l_ear', 'r_ear', 'l_shoulder', 'r_shoulder',
              'l_elbow', 'r_elbow', 'l_wrist', 'r_wrist', 'l_hip', 'r_hip', 'l_knee', 'r_knee',
              'l_ankle', 'r_ankle')
BLAZEPOSE_NAMES = (
    'nose', 'l_eye_inner', 'l_eye', 'l_eye_outer', 'r_eye_inner', 'r_eye', 'r_eye_outer',
    'l_ear', 'r_ear', 'mouth_l', 'mouth_r', 'l_shoulder', 'r_shoulder', 'l_elbow', 'r_elbow',
    'l_wrist', 'r_wrist', 'l_pinky', 'r_pinky', 'l_index', 'r_index', 'l_thumb', 'r_thumb',
    'l_hip', 'r_hip', 'l_knee', 'r_knee', 'l_ankle', 'r_ankle', 'l_heel', 'r_heel',
    'l_foot_index', 'r_foot_index')

_LIMBS = {'R_Hip': 'r_hip', 'R_Knee': 'r_knee', 'R_Ankle': 'r_ankle', 'L_Hip': 'l_hip',
          'L_Knee': 'l_knee', 'L_Ankle': 'l_ankle', 'L_Shoulder': 'l_shoulder',
          'L_Elbow': 'l_elbow', 'L_Wrist': 'l_wrist', 'R_Shoulder': 'r_shoulder',
          'R_Elbow': 'r_elbow', 'R_Wrist': 'r_wrist'}
_FACE = ('nose', 'l_eye', 'r_eye', 'l_ear', 'r_ear')
#: HuPR joint -> the source joints averaged into it, per source set.
RECIPES: Dict[str, Dict[str, Tuple[str, ...]]] = {
    'mpii': {**{k: (v,) for k, v in _LIMBS.items()},
             'Neck': ('thorax',), 'Head': ('upper_neck', 'head_top')},
    'coco': {**{k: (v,) for k, v in _LIMBS.items()},
             'Neck': ('l_shoulder', 'r_shoulder'), 'Head': _FACE},
    'blazepose': {**{k: (v,) for k, v in _LIMBS.items()},
                  'Neck': ('l_shoulder', 'r_shoulder'), 'Head': _FACE},
}
SOURCE_NAMES = {'mpii': MPII_NAMES, 'coco': COCO_NAMES, 'blazepose': BLAZEPOSE_NAMES}


def _index_lists(source: str) -> Sequence[Tuple[int, ...]]:
    names = SOURCE_NAMES[source]
    return [tuple(names.index(n) for n in RECIPES[source][joint]) for joint in JOINT_NAMES]


def to_hupr(joints: np.ndarray, scores: np.ndarray, source: str
            ) -> Tuple[np.ndarray, np.ndarray]:
    """
    Map the joints of another set to the 14 HuPR joints.

    ``joints`` (J, 2) and ``scores`` (J,) of ``source`` ('mpii', 'coco', 'blazepose') become
    (14, 2) and (14,) in HuPR order.
    """
    if source not in RECIPES:
        raise ValueError(f'unknown joint set {source!r}; expected one of {sorted(RECIPES)}')
    expected = len(SOURCE_NAMES[source])
    if joints.shape != (expected, 2) or scores.shape != (expected,):
        raise ValueError(f'{source}: expected ({expected}, 2) joints and ({expected},) scores, '
                         f'got {joints.shape} and {scores.shape}')
    out = np.empty((len(JOINT_NAMES), 2), np.float32)
    out_scores = np.empty(len(JOINT_NAMES), np.float32)
    for k, index in enumerate(_index_lists(source)):
        out[k] = joints[list(index)].mean(axis=0)
        out_scores[k] = scores[list(index)].min()
    return out, out_scores
