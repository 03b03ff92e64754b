# SPDX-License-Identifier: Apache-2.0
"""Datasets in the public HuPR layout and training targets (no ROS)."""

from hupr_ros.data.dataset import DatasetError, HuPRDataset, read_labels, read_splits
from hupr_ros.data.targets import keypoint_heatmaps

__all__ = ['DatasetError', 'HuPRDataset', 'keypoint_heatmaps', 'read_labels', 'read_splits']
