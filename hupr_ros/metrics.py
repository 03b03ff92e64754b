# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Pose accuracy as the paper reports it (COCO OKS AP) plus pixel error and PCK (no ROS).

The published evaluation: every frame has one ground-truth person; its area is half its box
(``w * h / 2``); predictions score 1; OKS uses the 14 HuPR joint sigmas; AP, AP50 and AP75 come
from the COCO evaluator (``pycocotools``). Per-joint AP runs the same evaluation with the OKS
restricted to that joint (the other joints are marked unlabelled in the ground truth, which is
how the COCO evaluator leaves a joint out of the OKS sum).
"""

import contextlib
from dataclasses import asdict, dataclass, field
import io
from typing import Dict, Optional, Sequence

from hupr_ros.skeleton import JOINT_INDEX, JOINT_NAMES, NUM_JOINTS, OKS_SIGMAS
import numpy as np

#: PCK threshold as a fraction of the torso diameter (left shoulder to right hip).
PCK_FRACTION = 0.2
#: Side of the published camera frame, pixels (256 x 256: 64 x 64 heat maps of 4-pixel cells).
IMAGE_SIZE = 256


def gt_area(boxes: np.ndarray) -> np.ndarray:
    """Return the published ground-truth area: box width x height / 2; boxes (M, 4)."""
    boxes = np.asarray(boxes, dtype=np.float64)
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) / 2.0


def oks(pred: np.ndarray, gt: np.ndarray, area: np.ndarray,
        sigmas: np.ndarray = OKS_SIGMAS, joints: Optional[Sequence[int]] = None) -> np.ndarray:
    """
    Object keypoint similarity of each prediction with its ground truth, (M,).

    ``exp(-d^2 / (2 * area * (2 sigma)^2))`` averaged over ``joints`` (all by default).
    :param pred, gt: (M, 14, 2) pixels. area: (M,).
    """
    pred, gt = np.asarray(pred, np.float64), np.asarray(gt, np.float64)
    joints = list(range(NUM_JOINTS)) if joints is None else list(joints)
    d2 = ((pred - gt) ** 2).sum(-1)[:, joints]
    variances = (2 * np.asarray(sigmas, np.float64)[joints]) ** 2
    e = d2 / variances / (np.asarray(area, np.float64)[:, None] + np.spacing(1)) / 2
    return np.exp(-e).mean(axis=1)


def coco_ap(pred: np.ndarray, gt: np.ndarray, boxes: np.ndarray,
            sigmas: np.ndarray = OKS_SIGMAS, joints: Optional[Sequence[int]] = None,
            labelled: Optional[np.ndarray] = None) -> Dict[str, float]:
    """
    COCO keypoint AP, AP50 and AP75 (percent) of one prediction per frame, by pycocotools.

    :param pred, gt: (M, 14, 2) pixels; boxes: (M, 4) ground-truth boxes x0, y0, x1, y1.
    :param joints: restrict the OKS to these joints (per-joint AP).
    :param labelled: (M, 14) bool, the true joints that count; the others are marked unlabelled
        (v = 0), as COCO marks a joint its annotators could not see: left out of that frame's
        OKS, and a frame with none left is ignored. None: every joint counts (published).
    """
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    pred, gt, boxes = (np.asarray(a, np.float64) for a in (pred, gt, boxes))
    if not (pred.shape == gt.shape and pred.ndim == 3 and pred.shape[1:] == (NUM_JOINTS, 2)
            and boxes.shape == (len(gt), 4)):
        raise ValueError(f'pred {pred.shape} and gt {gt.shape} must be (M, {NUM_JOINTS}, 2) '
                         f'and boxes {boxes.shape} (M, 4)')
    if len(gt) == 0:
        raise ValueError('no frames to evaluate')
    chosen = np.zeros(NUM_JOINTS)
    chosen[list(range(NUM_JOINTS)) if joints is None else list(joints)] = 2
    flags = np.broadcast_to(chosen, gt.shape[:2])
    if labelled is not None:
        if np.shape(labelled) != gt.shape[:2]:
            raise ValueError(f'labelled {np.shape(labelled)} must be {gt.shape[:2]}')
        flags = np.where(np.asarray(labelled, bool), flags, 0.0)
    area = gt_area(boxes)
    images, annotations, results = [], [], []
    for i in range(len(gt)):
        images.append({'id': i})
        x0, y0, x1, y1 = boxes[i]
        annotations.append({
            'id': i + 1, 'image_id': i, 'category_id': 1, 'iscrowd': 0,
            'keypoints': np.column_stack([gt[i], flags[i]]).ravel().tolist(),
            'num_keypoints': int((flags[i] > 0).sum()), 'area': float(area[i]),
            'bbox': [float(x0), float(y0), float(x1 - x0), float(y1 - y0)]})
        results.append({'image_id': i, 'category_id': 1, 'score': 1.0,
                        'keypoints': np.column_stack([pred[i], np.ones(NUM_JOINTS)]
                                                     ).ravel().tolist()})
    with contextlib.redirect_stdout(io.StringIO()):
        truth = COCO()
        truth.dataset = {'images': images, 'annotations': annotations,
                         'categories': [{'id': 1, 'name': 'person',
                                         'keypoints': list(JOINT_NAMES), 'skeleton': []}]}
        truth.createIndex()
        detections = truth.loadRes(results)
        evaluator = COCOeval(truth, detections, 'keypoints')
        evaluator.params.kpt_oks_sigmas = np.asarray(sigmas, np.float64)
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    stats = evaluator.stats
    return {'AP': 100 * float(stats[0]), 'AP50': 100 * float(stats[1]),
            'AP75': 100 * float(stats[2])}


@dataclass
class PoseMetrics:
    """Accuracy of predictions on a set of frames (AP in percent, errors in pixels)."""

    frames: int
    ap: float
    ap50: float
    ap75: float
    joint_ap: Dict[str, float] = field(default_factory=dict)
    mean_error_px: float = float('nan')
    joint_error_px: Dict[str, float] = field(default_factory=dict)
    pck: float = float('nan')
    #: frames where exactly one arm of the ground truth is raised (wrist above its shoulder)
    one_arm_frames: int = 0
    #: of those, the fraction where the prediction raises the other arm and not this one
    wrong_arm: float = float('nan')
    #: of those, the fraction where the prediction raises this arm and not the other
    right_arm: float = float('nan')
    #: per elbow and wrist: the mean error of a guess that knows the predicted torso but not
    #: the arms (:func:`arm_blind_errors`); a model that has learnt the arms beats it
    arm_blind_error_px: Dict[str, float] = field(default_factory=dict)
    #: the body joints (all but elbows and wrists), mean over frames of how far their mean is
    #: from the truth's: where the model put the body (:func:`body_errors`)
    body_offset_px: float = float('nan')
    #: the body joints' mean error once that offset is taken away: the body's shape and size
    body_shape_error_px: float = float('nan')
    #: AP of the truth with its elbows and wrists moved to the median arm pose of these frames
    #: (:func:`ap_with_median_arms`): what placing the body exactly earns on these frames
    #: without reading the arms; NaN when evaluated without ``per_joint`` (training validation)
    ap_median_arms: float = float('nan')
    #: frames whose ground truth lies wholly inside the camera frame (:func:`inside_image`): a
    #: label made from the camera (the labeller, the public data) cannot hold a joint outside
    #: it, and a heat map cannot say one; a simulated label can
    frames_in_image: int = 0
    #: AP with every true joint outside the image marked unlabelled, as COCO scores a joint its
    #: annotators could not see (the AP itself where every joint is inside); NaN without
    #: ``per_joint``
    ap_in_image: float = float('nan')

    def arm_gain_px(self) -> float:
        """How much closer than the arm-blind guess the elbows and wrists are, mean px."""
        if not self.arm_blind_error_px or not self.joint_error_px:
            return float('nan')
        return float(np.mean([self.arm_blind_error_px[j] - self.joint_error_px[j]
                              for j in ARM_JOINTS]))

    def as_dict(self) -> dict:
        return asdict(self)

    def table_rows(self, name: str = 'model') -> str:
        """Paper Table 3 style: AP, AP50, AP75 and per-joint-group AP."""
        groups = joint_group_ap(self.joint_ap) if self.joint_ap else {}
        head = ['method', 'AP', 'AP50', 'AP75'] + list(groups) + ['err px', 'PCK@0.2']
        row = [name] + [f'{v:.1f}' for v in (self.ap, self.ap50, self.ap75)] + \
            [f'{v:.1f}' for v in groups.values()] + [f'{self.mean_error_px:.1f}',
                                                     f'{100 * self.pck:.1f}']
        return '| ' + ' | '.join(head) + ' |\n|' + ' --- |' * len(head) + '\n| ' + \
            ' | '.join(row) + ' |'


#: Paper Table 3 reports AP per joint type, both sides together.
JOINT_GROUPS = {'head': ('Head',), 'neck': ('Neck',),
                'shoulder': ('L_Shoulder', 'R_Shoulder'), 'elbow': ('L_Elbow', 'R_Elbow'),
                'wrist': ('L_Wrist', 'R_Wrist'), 'hip': ('L_Hip', 'R_Hip'),
                'knee': ('L_Knee', 'R_Knee'), 'ankle': ('L_Ankle', 'R_Ankle')}


def joint_group_ap(joint_ap: Dict[str, float]) -> Dict[str, float]:
    """Per-joint AP averaged over the left and right joint of each type."""
    return {group: float(np.mean([joint_ap[j] for j in joints]))
            for group, joints in JOINT_GROUPS.items()}


def pixel_errors(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Euclidean error per frame and joint, (M, 14) pixels."""
    return np.linalg.norm(np.asarray(pred, np.float64) - np.asarray(gt, np.float64), axis=-1)


def pck(pred: np.ndarray, gt: np.ndarray, fraction: float = PCK_FRACTION) -> float:
    """Fraction of joints within ``fraction`` x torso diameter (left shoulder to right hip)."""
    gt = np.asarray(gt, np.float64)
    torso = np.linalg.norm(gt[:, JOINT_INDEX['L_Shoulder']] - gt[:, JOINT_INDEX['R_Hip']],
                           axis=-1)
    return float((pixel_errors(pred, gt) <= fraction * torso[:, None]).mean())


def raised_arms(poses: np.ndarray) -> np.ndarray:
    """Which arm is raised, (M, 2) bool for (left, right): the wrist above its shoulder."""
    poses = np.asarray(poses, np.float64)
    return np.stack([poses[:, JOINT_INDEX[f'{side}_Wrist'], 1] <
                     poses[:, JOINT_INDEX[f'{side}_Shoulder'], 1] for side in 'LR'], axis=1)


def wrong_arm(pred: np.ndarray, gt: np.ndarray) -> tuple:
    """
    Which arm the prediction raises: (frames with one arm raised, fraction wrong, fraction right).

    Over the frames where exactly one arm of the ground truth is raised (image y grows
    downwards): *wrong*, the prediction raises the other arm and not that one (a model that
    follows the body but mixes up left and right); *right*, it raises that arm and not the
    other. The rest raise both or neither.
    """
    truth, guess = raised_arms(gt), raised_arms(pred)
    one = truth.sum(axis=1) == 1
    if not one.any():
        return 0, float('nan'), float('nan')
    swapped = (guess[one] == ~truth[one]).all(axis=1)
    same = (guess[one] == truth[one]).all(axis=1)
    return int(one.sum()), float(swapped.mean()), float(same.mean())


#: The joints of the arms below the shoulders (each hangs from the shoulder of its side).
ARM_JOINTS = ('L_Elbow', 'L_Wrist', 'R_Elbow', 'R_Wrist')


#: The joints that place the body: all but the elbows and wrists.
BODY_JOINTS = tuple(name for name in JOINT_NAMES if name not in ARM_JOINTS)
_ARMS = [JOINT_INDEX[name] for name in ARM_JOINTS]
_SHOULDERS = [JOINT_INDEX[name[:2] + 'Shoulder'] for name in ARM_JOINTS]
_BODY = [JOINT_INDEX[name] for name in BODY_JOINTS]


def torso_length(poses: np.ndarray) -> np.ndarray:
    """Neck to the middle of the hips, (M,) pixels."""
    hips = (poses[:, JOINT_INDEX['L_Hip']] + poses[:, JOINT_INDEX['R_Hip']]) / 2
    return np.linalg.norm(hips - poses[:, JOINT_INDEX['Neck']], axis=-1)


def arm_offsets(poses: np.ndarray) -> np.ndarray:
    """Elbows and wrists minus their shoulders in torso lengths (neck to mid-hip): (M, 8)."""
    poses = np.asarray(poses, np.float64)
    torso = torso_length(poses)
    if (torso < 1e-6).any():
        raise ValueError('a pose has no torso (neck on the hips): arm offsets are undefined')
    offsets = (poses[:, _ARMS] - poses[:, _SHOULDERS]) / torso[:, None, None]
    return offsets.reshape(len(poses), 8)


def poses_with_arms(poses: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Return ``poses`` with their elbows and wrists placed from ``offsets`` (M, 8) or (8,)."""
    poses = np.array(poses, np.float64)
    torso = torso_length(poses)
    poses[:, _ARMS] = poses[:, _SHOULDERS] + \
        np.asarray(offsets, np.float64).reshape(-1, 4, 2) * torso[:, None, None]
    return poses


def median_arm_offsets(poses: np.ndarray) -> np.ndarray:
    """Return the median of :func:`arm_offsets` over the poses that have a torso, (8,)."""
    poses = np.asarray(poses, np.float64)
    usable = torso_length(poses) > 1e-6
    return np.median(arm_offsets(poses[usable]), axis=0) if usable.any() else np.zeros(8)


def ap_with_median_arms(gt: np.ndarray, boxes: np.ndarray) -> float:
    """
    AP of the ground truth with its elbows and wrists at the median arm pose of these frames.

    Every other joint is exact; each elbow and wrist hangs from its true shoulder at the
    frames' median offset (torso lengths): the AP that placing the body exactly earns without
    reading the arms, a reference for what the arms are worth on these frames.
    """
    return coco_ap(poses_with_arms(gt, median_arm_offsets(gt)), gt, boxes)['AP']


def body_errors(pred: np.ndarray, gt: np.ndarray) -> tuple:
    """
    Where the body is against what shape it has: (offset px, shape error px), over the frames.

    Over the body joints (:data:`BODY_JOINTS`): *offset*, the length of the mean displacement
    of the frame's joints from the truth (a body placed too far left or low), averaged over
    the frames; *shape*, the joints' mean error after that displacement is taken away (size,
    stance and the joints relative to each other).
    """
    diff = np.asarray(pred, np.float64)[:, _BODY] - np.asarray(gt, np.float64)[:, _BODY]
    shift = diff.mean(axis=1)
    return (float(np.linalg.norm(shift, axis=-1).mean()),
            float(np.linalg.norm(diff - shift[:, None], axis=-1).mean()))


def arm_blind_errors(pred: np.ndarray, gt: np.ndarray) -> Dict[str, float]:
    """
    Mean error of elbows and wrists guessed from the predicted torso alone, pixels per joint.

    The guess puts each elbow and wrist at the predicted shoulder plus the median offset of
    that joint from its shoulder over the ground truth of these frames (in torso lengths, neck
    to mid-hip, scaled by the predicted torso). It knows where the model put the body and the
    typical arm pose of the set (an oracle median, so a strong guess), nothing of this
    frame's arms: predicted arms no closer than it have not been read from the radar.
    """
    gt = np.asarray(gt, np.float64)
    guess = poses_with_arms(pred, median_arm_offsets(gt))
    return {name: float(np.linalg.norm(guess[:, joint] - gt[:, joint], axis=-1).mean())
            for name, joint in zip(ARM_JOINTS, _ARMS)}


def inside_image(poses: np.ndarray, size: int = IMAGE_SIZE) -> np.ndarray:
    """Return which joints lie inside the camera frame, bool (M, 14): 0 <= x, y < size."""
    poses = np.asarray(poses, np.float64)
    return ((poses >= 0) & (poses < size)).all(axis=-1)


def evaluate_poses(pred: np.ndarray, gt: np.ndarray, boxes: np.ndarray,
                   per_joint: bool = True) -> PoseMetrics:
    """
    All metrics of predictions (M, 14, 2) against ground truth (M, 14, 2) with boxes (M, 4).

    :param per_joint: also run the COCO evaluations that reports show and training validation
        does not need: the AP of each joint, :func:`ap_with_median_arms` and the AP with the
        true joints outside the image unlabelled (left empty / NaN without it).
    :raises ValueError: shapes differ, no frames, or a prediction is NaN / inf.
    """
    pred = np.asarray(pred, np.float64)
    if not np.isfinite(pred).all():
        raise ValueError('predictions contain NaN or inf')
    overall = coco_ap(pred, gt, boxes)
    joint_ap = {name: coco_ap(pred, gt, boxes, joints=[j])['AP']
                for j, name in enumerate(JOINT_NAMES)} if per_joint else {}
    errors = pixel_errors(pred, gt)
    inside = inside_image(gt)
    ap_in_image = coco_ap(pred, gt, boxes, labelled=inside)['AP'] if per_joint else float('nan')
    return PoseMetrics(len(pred), overall['AP'], overall['AP50'], overall['AP75'], joint_ap,
                       float(errors.mean()),
                       {name: float(errors[:, j].mean()) for j, name in enumerate(JOINT_NAMES)},
                       pck(pred, gt), *wrong_arm(pred, gt), arm_blind_errors(pred, gt),
                       *body_errors(pred, gt),
                       ap_with_median_arms(gt, boxes) if per_joint else float('nan'),
                       int(inside.all(axis=1).sum()), ap_in_image)
