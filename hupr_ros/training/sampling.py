# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Which samples a run sees: the seeded per-epoch order and evenly spread subsets (no ROS)."""

from typing import List

import numpy as np
import torch
from torch.utils.data import Subset


def even_subset(dataset, max_items: int):
    """At most ``max_items`` samples spread evenly over the dataset (all when it is smaller)."""
    if len(dataset) <= max_items:
        return dataset
    return Subset(dataset, np.linspace(0, len(dataset) - 1, max_items).round().astype(int))


def epoch_batches(num_samples: int, batch_size: int, epoch: int, seed: int, rank: int = 0,
                  world: int = 1) -> List[List[int]]:
    """Return the shuffled batches of one epoch for one process (drop-last, equal across ranks)."""
    generator = torch.Generator().manual_seed(seed + epoch)
    order = torch.randperm(num_samples, generator=generator).tolist()
    per_rank = num_samples // world
    mine = order[rank * per_rank:(rank + 1) * per_rank]
    return [mine[i:i + batch_size] for i in range(0, len(mine) - batch_size + 1, batch_size)]
