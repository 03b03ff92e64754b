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
Thin rclpy nodes: declare parameters, wire topics, call the core library.

Run a node as its executable (``ros2 run hupr_ros pose_node``, or a launch file) or as
``python -m hupr_ros.nodes pose_node [--ros-args ...]``: both set the process defaults of
:mod:`hupr_ros.nodes.environment` before the node's module loads numpy, torch or DDS.
Importing this package, or any module in it, leaves the environment as it is.
"""
