# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The package's layout: each room imports only from the rooms below it, and imports are pure.

Data flows drivers -> preprocessing -> model -> nodes, with the offline tools on top; a module
that imported from a room above its own would tie a lower layer to a higher one (the core
library to rclpy, say, or a library to a command line's argument parsing).
"""

import ast
import os
import pathlib
import pkgutil
import subprocess
import sys

from conftest import REPO

import hupr_ros

#: Rooms (a top-level module or sub-package of hupr_ros) from the bottom up. A room may import
#: from its own layer and the layers below.
LAYERS = (
    # 0: shared plain helpers and names
    ('cli', 'error_structure', 'filters', 'guards', 'jobs', 'memory', 'metrics', 'mount', 'camera',
     'pairing', 'presence', 'reports', 'shipped', 'skeleton', 'topics', 'visualization',
     'yaml_files'),
    ('radar',),                                       # 1: drivers, capture formats
    ('bags', 'dsp', 'messages', 'window_input'),      # 2: preprocessing, messages and bags
    ('model', 'sim'),                                 # 3: the network, the simulator
    ('data', 'inference', 'labeller'),                # 4: datasets, inference, labelling
    ('training',),                                    # 5: training
    ('nodes',),                                       # 6: rclpy nodes
    ('tools',),                                       # 7: command-line programs
)
LAYER = {room: level for level, rooms in enumerate(LAYERS) for room in rooms}


def _modules():
    package = pathlib.Path(hupr_ros.__file__).parent
    for path in sorted(package.rglob('*.py')):
        parts = path.relative_to(package.parent).with_suffix('').parts
        yield '.'.join(parts[:-1] if parts[-1] == '__init__' else parts), path


def _room(module: str) -> str:
    parts = module.split('.')
    return parts[1] if len(parts) > 1 else ''


def test_every_room_has_a_layer():
    rooms = {_room(module) for module, _ in _modules()} - {''}
    assert rooms == set(LAYER), f'rooms without a layer: {sorted(rooms - set(LAYER))}; ' \
        f'layers naming no room: {sorted(set(LAYER) - rooms)}'


def test_no_module_imports_from_a_layer_above_its_own():
    """Function-level imports included: a lazy import is still a dependency."""
    upward = []
    for module, path in _modules():
        room = _room(module)
        if not room:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [node.module]
            else:
                continue
            for target in targets:
                if target.startswith('hupr_ros.') and LAYER[_room(target)] > LAYER[room]:
                    upward.append(f'{module} imports {target}')
    assert upward == []


def test_tools_hold_command_lines_only():
    """
    Nothing outside hupr_ros.tools imports a name from a command's module.

    Library code lives in the library; a benchmark may run a command (``tools.X.main``).
    """
    users = []
    for folder in ('hupr_ros', 'bench', 'launch'):
        for path in (REPO / folder).rglob('*.py'):
            if 'hupr_ros/tools/' in path.as_posix():
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and (node.module or '').startswith(
                        'hupr_ros.tools.'):
                    users.append(f'{path.relative_to(REPO)}: {node.module}')
    assert users == []


def test_importing_any_module_leaves_the_environment_alone():
    """Process defaults are set by the node executables (hupr_ros.nodes.launcher), not imports."""
    names = [module for module, _ in _modules() if not module.endswith('__main__')]
    names += [info.name for info in pkgutil.walk_packages(hupr_ros.__path__, 'hupr_ros.')
              if info.name not in names and not info.name.endswith('__main__')]
    script = ('import importlib, os, sys\n'
              'before = dict(os.environ)\n'
              'for name in sys.argv[1:]:\n'
              '    importlib.import_module(name)\n'
              'print(sorted(k for k in set(before) | set(os.environ)\n'
              '             if before.get(k) != os.environ.get(k)))\n')
    env = {k: v for k, v in os.environ.items() if k not in (
        'FASTDDS_DEFAULT_PROFILES_FILE', 'OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS',
        'OMP_WAIT_POLICY')}
    result = subprocess.run([sys.executable, '-c', script, *names], capture_output=True,
                            text=True, env=env, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == '[]', result.stdout


def test_node_executables_set_the_process_defaults_first():
    """``python -m hupr_ros.nodes NAME`` sets them before the node's module loads numpy."""
    script = ('import os, sys\n'
              'from hupr_ros.nodes import launcher\n'
              'launcher.EXECUTABLES["probe"] = ("environment", "transport_chosen")\n'
              'assert "numpy" not in sys.modules, "numpy loaded before the defaults"\n'
              'launcher.run("probe")\n'
              'print(os.environ.get("OPENBLAS_NUM_THREADS"), os.environ.get("OMP_WAIT_POLICY"))\n')
    env = {k: v for k, v in os.environ.items() if k not in (
        'OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'OMP_WAIT_POLICY')}
    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                            env=env, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ['1', 'PASSIVE']


def test_python_m_nodes_names_the_executables_when_asked_for_an_unknown_one():
    result = subprocess.run([sys.executable, '-m', 'hupr_ros.nodes', 'no_such_node'],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 2
    assert 'pose_node' in result.stderr and 'hupr-record' in result.stderr


def test_nodes_declare_parameters_from_one_table_each():
    """One way to declare and read parameters: a module's PARAMETERS, read once."""
    import importlib
    nodes = pathlib.Path(hupr_ros.__file__).parent / 'nodes'
    by_hand = [f'{path.name}: {needle}' for path in sorted(nodes.glob('*.py'))
               if path.name != 'common.py'
               for needle in ('declare_parameter(', 'declarer(', 'get_parameter(', '_param(')
               if needle in path.read_text()]
    assert by_hand == []
    for name in ('camera_node', 'labeller_node', 'pose_node', 'preprocess_node', 'radar_node',
                 'raw_input', 'sim_node', 'tf_node'):
        table = importlib.import_module(f'hupr_ros.nodes.{name}').PARAMETERS
        names = [param.name for param in table]
        assert len(names) == len(set(names)), name
        assert all(param.description.strip() for param in table), name
