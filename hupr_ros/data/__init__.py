# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Datasets in the public HuPR layout and training targets (no ROS).

The names below load on first use, so that ``hupr_ros.data.cache`` and
``hupr_ros.data.layout`` (what hupr-preprocess and hupr-import need) import without torch.
"""

import importlib

_WHERE = {'DatasetError': 'layout', 'HuPRDataset': 'dataset', 'read_labels': 'layout',
          'read_splits': 'layout', 'keypoint_heatmaps': 'targets'}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'hupr_ros.data' has no attribute {name!r}")
    return getattr(importlib.import_module(f'hupr_ros.data.{_WHERE[name]}'), name)
