# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The published training loss (no ROS)."""

import torch
import torch.nn.functional as F


def heatmap_loss(initial: torch.Tensor, refined: torch.Tensor, target: torch.Tensor,
                 with_refined: bool = True) -> torch.Tensor:
    """Compute the published loss: mean BCE of the initial plus the refined heat maps."""
    loss = F.binary_cross_entropy(initial.float(), target)
    if with_refined:
        loss = loss + F.binary_cross_entropy(refined.float(), target)
    return loss
