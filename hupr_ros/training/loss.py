# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The published training loss (no ROS)."""

from typing import Optional

import torch
import torch.nn.functional as F


def heatmap_loss(initial: torch.Tensor, refined: torch.Tensor, target: torch.Tensor,
                 with_refined: bool = True, joint_weights: Optional[torch.Tensor] = None,
                 labelled: Optional[torch.Tensor] = None) -> torch.Tensor:
    """
    Compute the published loss: mean BCE of the initial plus the refined heat maps.

    ``joint_weights`` (J,), summing to J: each joint's mean BCE weighted by it (all ones give the
    published loss). ``labelled`` (B, J) bool: only these joints of each sample count (the
    loss is their weighted mean; all true give the same as None); no labelled joint: zero.
    """
    loss = _bce(initial, target, joint_weights, labelled)
    if with_refined:
        loss = loss + _bce(refined, target, joint_weights, labelled)
    return loss


def _bce(heatmaps: torch.Tensor, target: torch.Tensor, joint_weights: Optional[torch.Tensor],
         labelled: Optional[torch.Tensor]) -> torch.Tensor:
    if joint_weights is None and labelled is None:
        return F.binary_cross_entropy(heatmaps.float(), target)
    per_joint = F.binary_cross_entropy(heatmaps.float(), target, reduction='none').mean((2, 3))
    weights = torch.ones_like(per_joint) if joint_weights is None else \
        joint_weights.to(per_joint.dtype).expand_as(per_joint)
    if labelled is None:
        return (per_joint * weights).mean()
    mask = labelled.to(per_joint.dtype)
    return (per_joint * weights * mask).sum() / mask.sum().clamp(min=1)
