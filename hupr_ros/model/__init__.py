# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
HuPRNet (CSAM + PRGCN) with the published checkpoint format (no ROS).

model = build_model('csam_prgcn', num_filters=32)
model = load_official_checkpoint('model_best.pth')       # eval mode, strict keys
initial, refined = model(hori, vert)                      # each (B, 14, 64, 64)
keypoints, confidence = decode(refined)                   # (B, 14, 2) pixels, (B, 14)
"""

from hupr_ros.model.checkpoint import CheckpointError, export_checkpoint, \
    load_official_checkpoint, load_state_strict, save_checkpoint
from hupr_ros.model.decode import decode
from hupr_ros.model.hupr_net import build_model, HuPRNet, InputShapeError, ModelConfig, \
    VARIANTS
from hupr_ros.model.pretrained import DEFAULT_PRETRAINED, load_pretrained, PRETRAINED, \
    pretrained_path, resolve_weights

__all__ = ['build_model', 'CheckpointError', 'decode', 'DEFAULT_PRETRAINED', 'export_checkpoint',
           'HuPRNet', 'InputShapeError', 'load_official_checkpoint', 'load_pretrained',
           'load_state_strict', 'ModelConfig', 'PRETRAINED', 'pretrained_path',
           'resolve_weights', 'save_checkpoint', 'VARIANTS']
