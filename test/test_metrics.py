# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""COCO OKS AP by pycocotools against OKS computed by hand; pixel error and PCK."""

import math

from hupr_ros.metrics import coco_ap, evaluate_poses, gt_area, oks, pck, pixel_errors
from hupr_ros.skeleton import JOINT_INDEX, OKS_SIGMAS
import numpy as np
import pytest

THRESHOLDS = np.linspace(0.5, 0.95, 10)


def pose(offset=(0.0, 0.0)):
    """Return a standing person in a 100 x 200 px box at (78, 28)."""
    base = np.array([[110, 130], [110, 170], [110, 210], [146, 130], [146, 170], [146, 210],
                     [128, 60], [128, 40], [150, 66], [160, 95], [165, 125], [106, 66],
                     [96, 95], [91, 125]], dtype=np.float64)
    return base + np.asarray(offset)


BOX = np.array([78.0, 28.0, 178.0, 228.0])


def hand_oks(pred, gt, area, joints=range(14)):
    total = 0.0
    for j in joints:
        d2 = (pred[j, 0] - gt[j, 0]) ** 2 + (pred[j, 1] - gt[j, 1]) ** 2
        total += math.exp(-d2 / (2 * area * (2 * OKS_SIGMAS[j]) ** 2))
    return total / len(joints)


@pytest.mark.parametrize('shift', [0.0, 3.0, 6.0, 9.0, 14.0])
def test_single_pose_ap_is_the_share_of_thresholds_below_its_oks(shift):
    gt = pose()
    pred = pose((shift, -shift / 2))
    area = 100 * 200 / 2
    assert gt_area(BOX[None])[0] == area
    expected_oks = hand_oks(pred, gt, area)
    assert oks(pred[None], gt[None], [area])[0] == pytest.approx(expected_oks, rel=1e-12)
    ap = coco_ap(pred[None], gt[None], BOX[None])
    assert ap['AP'] == pytest.approx(100 * np.mean(expected_oks >= THRESHOLDS - 1e-12))
    assert ap['AP50'] == pytest.approx(100.0 if expected_oks >= 0.5 else 0.0)
    assert ap['AP75'] == pytest.approx(100.0 if expected_oks >= 0.75 else 0.0)


def test_per_joint_ap_uses_only_that_joint():
    gt = pose()
    pred = gt.copy()
    wrist = JOINT_INDEX['L_Wrist']
    pred[wrist] += (12.0, 0.0)          # only the left wrist is off
    area = 10000.0
    wrist_oks = hand_oks(pred, gt, area, [wrist])
    assert 0.5 < wrist_oks < 0.95
    result = coco_ap(pred[None], gt[None], BOX[None], joints=[wrist])
    assert result['AP'] == pytest.approx(100 * np.mean(wrist_oks >= THRESHOLDS - 1e-12))
    assert coco_ap(pred[None], gt[None], BOX[None], joints=[JOINT_INDEX['Head']])['AP'] == \
        pytest.approx(100)


def test_several_frames_and_report():
    rng = np.random.default_rng(1)
    gt = np.stack([pose(rng.uniform(-20, 20, 2)) for _ in range(6)])
    boxes = np.stack([BOX] * 6) + np.repeat(gt[:, :1] - pose()[None, :1], 2, axis=1
                                            ).reshape(6, 4)
    perfect = evaluate_poses(gt, gt, boxes)
    assert perfect.ap == pytest.approx(100) and perfect.mean_error_px == 0 and perfect.pck == 1
    assert perfect.joint_ap == pytest.approx(dict.fromkeys(perfect.joint_ap, 100.0))
    # Half the frames far off: AP 50 exactly (score ties are broken by frame order, so use
    # the per-threshold recall: 3 of 6 matched at every threshold -> precision-recall area).
    pred = gt.copy()
    pred[3:] += 80
    result = evaluate_poses(pred, gt, boxes, per_joint=False)
    assert result.ap50 == pytest.approx(50.0, abs=0.5)
    errors = pixel_errors(pred, gt)
    assert result.mean_error_px == pytest.approx(errors.mean())
    assert errors[:3].max() == 0 and errors[3:].min() == pytest.approx(80 * math.sqrt(2))
    assert result.pck == pytest.approx(0.5)
    assert 'AP50' in result.table_rows('x') and 'wrist' in perfect.table_rows('x')


def test_pck_uses_torso_diameter():
    gt = pose()[None]
    torso = np.linalg.norm(gt[0, JOINT_INDEX['L_Shoulder']] - gt[0, JOINT_INDEX['R_Hip']])
    near = gt + [0.19 * torso, 0]
    far = gt + [0.21 * torso, 0]
    assert pck(near, gt) == 1.0 and pck(far, gt) == 0.0


def test_bad_input_is_refused():
    gt = pose()[None]
    with pytest.raises(ValueError, match='NaN'):
        evaluate_poses(gt * np.nan, gt, BOX[None])
    with pytest.raises(ValueError, match=r'\(M, 14, 2\)'):
        coco_ap(gt[:, :13], gt[:, :13], BOX[None])


def test_wrong_arm_counts_the_other_arm_raised():
    from hupr_ros.metrics import wrong_arm

    def raise_arm(p, side):
        p = p.copy()
        p[JOINT_INDEX[f'{side}_Wrist'], 1] = p[JOINT_INDEX[f'{side}_Shoulder'], 1] - 30
        return p
    left, right, rest = raise_arm(pose(), 'L'), raise_arm(pose(), 'R'), pose()
    gt = np.stack([left, left, right, rest, raise_arm(left, 'R')])
    pred = np.stack([left, right, right, left, rest])
    frames, fraction, right = wrong_arm(pred, gt)
    assert frames == 3                      # frames 0-2 raise one arm; 3 none, 4 both
    assert fraction == pytest.approx(1 / 3)     # frame 1 raised the right arm, not the left
    assert right == pytest.approx(2 / 3)        # frames 0 and 2 raised the arm that is raised
    metrics = evaluate_poses(pred, gt, np.stack([BOX] * 5), per_joint=False)
    assert metrics.one_arm_frames == 3 and metrics.wrong_arm == pytest.approx(1 / 3)
    assert metrics.right_arm == pytest.approx(2 / 3)
    frames, fraction, right = wrong_arm(np.stack([rest]), np.stack([rest]))
    assert frames == 0 and math.isnan(fraction) and math.isnan(right)


def test_arm_blind_guess_knows_the_torso_not_the_arms():
    from hupr_ros.metrics import ARM_JOINTS, arm_blind_errors
    rng = np.random.default_rng(0)
    gt = np.stack([pose() for _ in range(40)])
    gt += rng.normal(0, 2, (40, 1, 2))                   # the body moves about
    arms = [JOINT_INDEX[j] for j in ARM_JOINTS]
    gt[:, arms] += rng.normal(0, 15, (40, 4, 2))         # the arms move on their own
    # A model that places the body exactly and the arms at random is no better than the guess
    # (the guess puts each arm at the set's median offset from the predicted shoulder).
    blind = gt.copy()
    blind[:, arms] = gt[:, [JOINT_INDEX[j[:2] + 'Shoulder'] for j in ARM_JOINTS]] + \
        np.median(gt[:, arms] - gt[:, [JOINT_INDEX[j[:2] + 'Shoulder'] for j in ARM_JOINTS]],
                  axis=0)
    metrics = evaluate_poses(blind, gt, np.stack([BOX] * 40), per_joint=False)
    assert metrics.arm_gain_px() == pytest.approx(0, abs=1e-9)
    # Exact arms beat it by the guess's whole error; arms that follow the truth half way, by
    # part of it.
    exact = evaluate_poses(gt, gt, np.stack([BOX] * 40), per_joint=False)
    errors = arm_blind_errors(gt, gt)
    assert exact.arm_gain_px() == pytest.approx(np.mean(list(errors.values())))
    assert min(errors.values()) > 10
    half = gt.copy()
    half[:, arms] = (gt[:, arms] + blind[:, arms]) / 2
    assert 0 < evaluate_poses(half, gt, np.stack([BOX] * 40), per_joint=False).arm_gain_px() \
        < exact.arm_gain_px()
    # The guess moves with the predicted torso: a body predicted 20 px off moves it too.
    shifted = blind + np.array([20.0, 0.0])
    assert evaluate_poses(shifted, gt, np.stack([BOX] * 40),
                          per_joint=False).arm_gain_px() == pytest.approx(0, abs=1e-9)


def test_body_errors_tell_where_the_body_is_from_its_shape():
    from hupr_ros.metrics import ARM_JOINTS, body_errors
    gt = np.stack([pose(), pose((10, 0))])
    arms = [JOINT_INDEX[j] for j in ARM_JOINTS]
    # The whole body 3 px right and 4 px down: all offset, no shape error; the arms do not count.
    moved = gt + np.array([3.0, 4.0])
    moved[:, arms] += 50
    assert body_errors(moved, gt) == pytest.approx((5.0, 0.0))
    # Hips 6 px wider apart, in place: no offset, a shape error of 6 px on 2 of 10 joints.
    wider = gt.copy()
    wider[:, JOINT_INDEX['R_Hip'], 0] -= 3
    wider[:, JOINT_INDEX['L_Hip'], 0] += 3
    offset, shape = body_errors(wider, gt)
    assert offset == pytest.approx(0.0, abs=1e-12) and shape == pytest.approx(3 * 2 / 10)
    metrics = evaluate_poses(moved, gt, np.stack([BOX] * 2), per_joint=False)
    assert (metrics.body_offset_px, metrics.body_shape_error_px) == pytest.approx((5.0, 0.0))


def test_ap_with_median_arms_is_what_the_body_alone_earns():
    from hupr_ros.metrics import (ap_with_median_arms, ARM_JOINTS, median_arm_offsets,
                                  poses_with_arms)
    rng = np.random.default_rng(1)
    gt = np.stack([pose(rng.normal(0, 5, 2)) for _ in range(30)])
    arms = [JOINT_INDEX[j] for j in ARM_JOINTS]
    boxes = np.stack([BOX] * 30)
    # Arms that all hang the same way: the median pose is the truth, AP 100.
    assert ap_with_median_arms(gt, boxes) == pytest.approx(100.0)
    # Arms that move: the median pose costs AP, and it equals scoring that pose by hand.
    gt[:, arms] += rng.normal(0, 12, (30, 4, 2))
    ceiling = ap_with_median_arms(gt, boxes)
    assert 0 < ceiling < 100
    placed = poses_with_arms(gt, median_arm_offsets(gt))
    assert np.allclose(np.delete(placed, arms, axis=1), np.delete(gt, arms, axis=1))
    assert ceiling == pytest.approx(coco_ap(placed, gt, boxes)['AP'])
    # A model with the true body and those median arms scores exactly it; evaluate_poses
    # reports it whatever the prediction (with the report-only evaluations, per_joint).
    assert evaluate_poses(placed, gt, boxes, per_joint=False).ap == pytest.approx(ceiling)
    assert evaluate_poses(gt + 40, gt, boxes).ap_median_arms == pytest.approx(ceiling)
    assert math.isnan(evaluate_poses(gt + 40, gt, boxes, per_joint=False).ap_median_arms)


def test_ap_with_the_joints_outside_the_image_unlabelled():
    from hupr_ros.metrics import IMAGE_SIZE, inside_image
    rng = np.random.default_rng(2)
    gt = np.stack([pose(rng.normal(0, 5, 2)) for _ in range(20)])
    boxes = np.stack([BOX] * 20)
    inside = inside_image(gt)
    assert inside.shape == (20, 14) and inside.all()
    # Frames 0-4 walk off the right edge: their right wrists are beyond the image.
    wrist = JOINT_INDEX['R_Wrist']
    gt[:5, wrist, 0] = IMAGE_SIZE + 10
    gt[5, wrist, 1] = -1.0                               # and frame 5's above it
    gt[6, wrist, 0] = IMAGE_SIZE - 0.5                   # frame 6's just inside
    inside = inside_image(gt)
    assert (~inside).sum() == 6 and not inside[:6, wrist].any() and inside[6:].all()
    # Wrong on the joints outside only: AP 100 with them unlabelled, less with them counted.
    pred = gt.copy()
    pred[:6, wrist] += 60
    metrics = evaluate_poses(pred, gt, boxes)
    assert metrics.frames_in_image == 14
    assert metrics.ap_in_image == pytest.approx(100.0)
    assert metrics.ap < 100
    # Unlabelled joints leave the OKS: equal to scoring the frames without those joints.
    wrong = pred.copy()
    wrong[:, JOINT_INDEX['Head']] += 8
    labelled = coco_ap(wrong, gt, boxes, labelled=inside)['AP']
    assert labelled == pytest.approx(evaluate_poses(wrong, gt, boxes).ap_in_image)
    others = [j for j in range(14) if j != wrist]
    assert coco_ap(wrong[6:], gt[6:], boxes[6:], labelled=inside[6:])['AP'] == \
        pytest.approx(coco_ap(wrong[6:], gt[6:], boxes[6:])['AP'])
    assert coco_ap(wrong[:6], gt[:6], boxes[:6], labelled=inside[:6])['AP'] == \
        pytest.approx(coco_ap(wrong[:6], gt[:6], boxes[:6], joints=others)['AP'])
    # Every joint inside: the published AP. Report-only, like the per-joint AP.
    assert coco_ap(wrong, gt, boxes, labelled=np.ones((20, 14), bool))['AP'] == \
        pytest.approx(coco_ap(wrong, gt, boxes)['AP'])
    quick = evaluate_poses(pred, gt, boxes, per_joint=False)
    assert math.isnan(quick.ap_in_image) and quick.frames_in_image == 14
    with pytest.raises(ValueError, match='labelled'):
        coco_ap(pred, gt, boxes, labelled=inside[:, :5])
