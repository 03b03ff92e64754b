# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""The core library imports in an environment without rclpy or any ROS message package."""

import pkgutil
import subprocess
import sys

from conftest import REPO

import hupr_ros

# Modules allowed to need ROS: the nodes (rclpy) and the message conversions (hupr_msgs).
ROS_MODULES = ('hupr_ros.nodes', 'hupr_ros.messages.ros')

BLOCKER = """
import importlib.abc, sys
class NoRos(importlib.abc.MetaPathFinder):
    BLOCKED = ('rclpy', 'hupr_msgs', 'std_msgs', 'sensor_msgs', 'rosidl_runtime_py',
               'builtin_interfaces', 'visualization_msgs', 'geometry_msgs')
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in self.BLOCKED:
            raise ImportError('blocked for this test: ' + name)
sys.meta_path.insert(0, NoRos())
import importlib
for name in sys.argv[1:]:
    importlib.import_module(name)
print('imported', len(sys.argv) - 1)
"""


def core_modules():
    names = ['hupr_ros']
    for info in pkgutil.walk_packages(hupr_ros.__path__, 'hupr_ros.'):
        if not info.name.startswith(ROS_MODULES):
            names.append(info.name)
    return names


def test_core_modules_import_without_ros():
    names = core_modules()
    assert 'hupr_ros.radar.config' in names and 'hupr_ros.skeleton' in names
    result = subprocess.run([sys.executable, '-c', BLOCKER, *names], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert f'imported {len(names)}' in result.stdout


def test_blocker_really_blocks_rclpy():
    result = subprocess.run([sys.executable, '-c', BLOCKER, 'rclpy'], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and 'blocked for this test: rclpy' in result.stderr


def test_data_tools_start_without_torch():
    """hupr-sim, hupr-preprocess, hupr-import and bags -> layout: no torch import (1 s)."""
    script = ('import sys\n'
              'import hupr_ros.tools.sim, hupr_ros.tools.preprocess, hupr_ros.tools.hupr_import\n'
              'import hupr_ros.data.from_bags\n'
              'from hupr_ros.data import read_splits, DatasetError\n'
              'print(sorted(m for m in ("torch", "rclpy") if m in sys.modules))')
    result = subprocess.run([sys.executable, '-c', script], cwd=REPO, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '[]', result.stdout
