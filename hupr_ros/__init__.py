# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
hupr_ros: human pose estimation with two mmWave radars (HuPR) for ROS 2.

The core library (``radar``, ``dsp``, ``skeleton``, ``model``, ...) works without ROS;
only ``hupr_ros.nodes`` imports rclpy.
"""

__version__ = '0.1.0'
