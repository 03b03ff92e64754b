# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Radar signal processing: VRDAEMap / RAEMap cubes and the published network-input normalisation.

No ROS. ``vrdae_map(frame)`` -> complex64 (16, 64, 64, 8); ``model_input(cube)`` -> float32
(8, 2, 64, 64, 8); both accept leading batch axes.
"""

from hupr_ros.dsp.axes import AxisSpec, cube_axes
from hupr_ros.dsp.config import HUPR_VRDAE_CONFIG, VRDAEConfig
from hupr_ros.dsp.vrdae import (
    frame_window, model_input, model_input_elevation_mean, PreprocessingError, vrdae_map)

__all__ = ['AxisSpec', 'cube_axes', 'frame_window', 'HUPR_VRDAE_CONFIG', 'model_input',
           'model_input_elevation_mean', 'PreprocessingError', 'VRDAEConfig', 'vrdae_map']
