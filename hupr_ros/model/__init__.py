# Copyright 2026 The hupr_ros Authors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

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
