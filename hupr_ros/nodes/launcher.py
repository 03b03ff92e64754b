# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
The node executables: process defaults first, then the node's module.

Each function here is a console script of setup.py (``ros2 run hupr_ros pose_node``, launch
files); ``python -m hupr_ros.nodes NAME [ARGS]`` runs the same. Both call
:func:`hupr_ros.nodes.environment.apply_process_defaults` before the node's module is imported,
because numpy and torch read their thread settings when they load.
"""

import importlib
import sys
from typing import List, Optional

from hupr_ros.nodes.environment import apply_process_defaults

#: Executable name -> (module of hupr_ros.nodes, function).
EXECUTABLES = {
    'preprocess_node': ('preprocess_node', 'main'),
    'pose_node': ('pose_node', 'main'),
    'sim_node': ('sim_node', 'main'),
    'radar_node': ('radar_node', 'main'),
    'tf_node': ('tf_node', 'main'),
    'camera_node': ('camera_node', 'main'),
    'labeller_node': ('labeller_node', 'main'),
    'hupr-record': ('bag_tools', 'record_entry'),
    'hupr-play': ('bag_tools', 'play_entry'),
}


def run(name: str):
    """Set the process defaults, then run executable ``name`` (arguments from sys.argv)."""
    apply_process_defaults()
    module, function = EXECUTABLES[name]
    return getattr(importlib.import_module(f'hupr_ros.nodes.{module}'), function)()


def _executable(name: str):
    def start():
        return run(name)
    start.__name__ = start.__qualname__ = name.replace('-', '_')
    start.__doc__ = f'The ``{name}`` executable.'
    return start


preprocess_node = _executable('preprocess_node')
pose_node = _executable('pose_node')
sim_node = _executable('sim_node')
radar_node = _executable('radar_node')
tf_node = _executable('tf_node')
camera_node = _executable('camera_node')
labeller_node = _executable('labeller_node')
hupr_record = _executable('hupr-record')
hupr_play = _executable('hupr-play')


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m hupr_ros.nodes NAME [ARGS]``."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] not in EXECUTABLES:
        print('usage: python -m hupr_ros.nodes NAME [ARGS]; NAME is one of '
              + ', '.join(EXECUTABLES), file=sys.stderr)
        return 2
    sys.argv = argv                   # NAME takes the program name's place
    return run(argv[0]) or 0
