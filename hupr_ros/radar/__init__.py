# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""Radar I/O: chirp configuration, DCA1000 capture format (no ROS)."""

from hupr_ros.radar.config import ChirpConfig, HUPR_CHIRP_CONFIG, SPEED_OF_LIGHT

__all__ = ['ChirpConfig', 'HUPR_CHIRP_CONFIG', 'SPEED_OF_LIGHT']
