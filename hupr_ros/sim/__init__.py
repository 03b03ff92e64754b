# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""HuPR-Sim: a physically based simulator of the two radars and the camera (no ROS)."""
