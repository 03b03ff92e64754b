# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Thin rclpy nodes: declare parameters, wire topics, call the core library.

Run a node as its executable (``ros2 run hupr_ros pose_node``, or a launch file) or as
``python -m hupr_ros.nodes pose_node [--ros-args ...]``: both set the process defaults of
:mod:`hupr_ros.nodes.environment` before the node's module loads numpy, torch or DDS.
Importing this package, or any module in it, leaves the environment as it is.
"""
