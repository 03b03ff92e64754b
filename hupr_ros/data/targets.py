# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Training targets: one Gaussian heat map per joint, as the published code makes them.

For image keypoints (x, y) in pixels of the 256x256 camera frame, the map of a joint is 64x64
(one cell per 4 pixels) and holds ``exp(-d^2 / (2 sigma^2))`` (peak 1, not normalised), sigma 2
cells, around the cell ``(int(x / 4 + 0.5), int(y / 4 + 0.5))`` and zero outside the
(6 sigma + 1)-cell square around it. A joint whose square lies wholly outside the map gets an
all-zero map.
"""

from hupr_ros.model.decode import HEATMAP_STRIDE
import numpy as np

HEATMAP_SIZE = 64
SIGMA = 2.0


def keypoint_heatmaps(keypoints: np.ndarray, size: int = HEATMAP_SIZE,
                      stride: int = HEATMAP_STRIDE, sigma: float = SIGMA) -> np.ndarray:
    """
    Return float32 (joints, size, size) target heat maps.

    :param keypoints: (joints, 2) image pixels (x, y).
    """
    keypoints = np.asarray(keypoints, dtype=np.float64)
    if keypoints.ndim != 2 or keypoints.shape[1] != 2:
        raise ValueError(f'keypoints must be (joints, 2), got {keypoints.shape}')
    if not np.isfinite(keypoints).all():
        raise ValueError('keypoints contain NaN or inf')
    radius = int(3 * sigma)
    centre = (keypoints / stride + 0.5).astype(np.int64)           # (J, 2) cells, truncated
    cells = np.arange(size)
    dx = cells[None, :] - centre[:, 0:1]                              # (J, W)
    dy = cells[None, :] - centre[:, 1:2]                              # (J, H)
    gx = np.where(np.abs(dx) <= radius, np.exp(-dx ** 2 / (2 * sigma ** 2)), 0.0)
    gy = np.where(np.abs(dy) <= radius, np.exp(-dy ** 2 / (2 * sigma ** 2)), 0.0)
    maps = gy[:, :, None] * gx[:, None, :]                            # separable Gaussian
    return maps.astype(np.float32)
