# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The on-disk preprocessing cache shared by ``hupr-preprocess`` (writer) and the datasets (readers).

File names, recorded configuration and the compact training input.
"""

import dataclasses
import json

from hupr_ros.dsp import model_input_elevation_mean, VRDAEConfig
import numpy as np

RADARS = ('hori', 'vert')
#: Cache kinds: the radar cube (exact, any use) or the training input (network input averaged
#: over elevation; see hupr_ros.tools.preprocess).
OUTPUTS = ('cube', 'input')


def cache_name(output: str) -> str:
    """File stem of a cache kind: 'vrdae' (cube) or 'input'."""
    if output not in OUTPUTS:
        raise ValueError(f'output must be one of {OUTPUTS}, got {output!r}')
    return 'vrdae' if output == 'cube' else 'input'


def config_metadata(config: VRDAEConfig) -> dict:
    """Return the preprocessing config as it is stored in (and compared with) cache metadata."""
    return json.loads(json.dumps(dataclasses.asdict(config)))


def training_input(cubes: np.ndarray, config: VRDAEConfig) -> np.ndarray:
    """
    Network input of cubes averaged over elevation: float32 (B, K, 2, range, azimuth).

    HuPRNet's first operation on its input is this mean, so the network sees the same numbers
    (to float32 rounding) from this as from the full (B, K, 2, R, A, E) input.
    """
    return model_input_elevation_mean(cubes, config)
