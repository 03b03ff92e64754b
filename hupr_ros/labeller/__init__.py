# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""Pseudo ground truth from the camera: HRNet, BlazePose or the simulator's joints (ROS-free)."""
