# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
The README's install on a ROS 2 workspace, checked with the code the real tools run.

rosdep finds packages with catkin_pkg's ``find_packages`` and colcon with its own crawl; both
stop descending at a folder that holds a package.xml, so ``hupr_msgs/`` inside this repository
(itself the hupr_ros package) is found only when its path is named. The commands are read from
the README, so the test and the documentation cannot drift apart.
"""

import ast
import os
import re
import shlex
import subprocess
import sys
from xml.etree import ElementTree

from conftest import REPO
import pytest

#: Keys the rosdep index resolves (ros/rosdistro at 8468e88, 2026-08-22: rosdep/python.yaml for
#: the python3-* keys, jazzy/ and kilted/distribution.yaml for the ROS packages). A dependency
#: that is neither one of the workspace's packages nor here would stop `rosdep install` with
#: "Cannot locate rosdep definition".
ROSDEP_KEYS = {
    'python3-numpy', 'python3-yaml', 'python3-serial', 'python3-pil', 'python3-tqdm',
    'python3-opencv', 'python3-pytest', 'python3-torch', 'python3-rosbags-pip',
    'rclpy', 'std_msgs', 'sensor_msgs', 'geometry_msgs', 'visualization_msgs',
    'diagnostic_msgs', 'rcl_interfaces', 'builtin_interfaces', 'tf2_msgs', 'ament_index_python',
    'launch', 'launch_ros', 'ament_copyright', 'ament_flake8', 'ament_pep257', 'launch_testing',
    'launch_testing_ros', 'ament_cmake', 'rosidl_default_generators', 'rosidl_default_runtime',
}


def readme_ros_section() -> str:
    text = (REPO / 'README.md').read_text()
    start = text.index('## On a normal ROS 2 install')
    return text[start:text.index('\n## ', start + 1)]


def readme_command(tool: str, verb: str) -> list:
    """Return the words of the README's ``tool verb ...`` line in the ROS-install section."""
    for line in readme_ros_section().splitlines():
        words = shlex.split(line.split('#')[0]) if line.strip() else []
        if words[:2] == [tool, verb]:
            return words
    raise AssertionError(f"no `{tool} {verb}` line in the README's ROS-install section")


def paths_after(words: list, option: str) -> list:
    i = words.index(option) + 1
    out = []
    while i < len(words) and not words[i].startswith('-'):
        out.append(words[i])
        i += 1
    return out


@pytest.fixture
def workspace(tmp_path):
    """Make a colcon workspace with this repository cloned as src/hupr_ros (a symlink)."""
    (tmp_path / 'src').mkdir()
    (tmp_path / 'src' / 'hupr_ros').symlink_to(REPO, target_is_directory=True)
    return tmp_path


def test_rosdep_crawl_of_the_readme_paths_finds_both_packages(workspace):
    packages_mod = pytest.importorskip('catkin_pkg.packages')
    words = readme_command('rosdep', 'install')
    assert '--ignore-src' in words
    found = {}
    for path in paths_after(words, '--from-paths'):
        found.update({p.name: p for p in packages_mod.find_packages(
            str(workspace / path)).values()})
    assert set(found) == {'hupr_ros', 'hupr_msgs'}, found
    # what `--from-paths src` alone finds: the crawl stops at the repository root
    assert {p.name for p in packages_mod.find_packages(str(workspace / 'src')).values()} \
        == {'hupr_ros'}
    unresolved = set()
    for package in found.values():
        for dep in (package.build_depends + package.buildtool_depends + package.exec_depends
                    + package.test_depends + package.build_export_depends):
            if dep.name not in found and dep.name not in ROSDEP_KEYS:
                unresolved.add(f'{package.name}: {dep.name}')
    assert not unresolved, f'rosdep cannot resolve {sorted(unresolved)}'


def test_colcon_finds_both_packages_with_the_readme_base_paths(workspace):
    line = next(li for li in readme_ros_section().splitlines() if 'colcon build' in li)
    words = shlex.split(line.split('#')[0])
    base_paths = paths_after(words, '--base-paths')
    result = subprocess.run([sys.executable, '-m', 'colcon', 'list', '--names-only',
                             '--base-paths', *base_paths], cwd=workspace,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.split()) == ['hupr_msgs', 'hupr_ros'], result.stdout


def test_package_xml_leaves_pip_packages_to_the_workspace_venv():
    """
    torch, rosbags and pycocotools come from the README's venv, not from rosdep.

    rosdep would install Ubuntu's python3-torch beside the venv's (two torches) and
    pip-install rosbags into the system Python, which Ubuntu 24.04 refuses (PEP 668).
    """
    declared = {e.text.strip() for e in ElementTree.parse(REPO / 'package.xml').getroot()
                if e.tag.endswith('depend')}
    assert not declared & {'python3-torch', 'python3-rosbags-pip'}, declared
    section = readme_ros_section()
    assert '--system-site-packages' in section and 'pip install' in section
    for name in ('torch', 'rosbags', 'pycocotools'):
        assert re.search(rf'pip install [^\n]*\b{name}\b', section), name


def _setup_tables() -> dict:
    tree = ast.parse((REPO / 'setup.py').read_text())
    tables = {}
    for node in ast.walk(tree):
        name = getattr(node.targets[0], 'id', '') if isinstance(node, ast.Assign) else ''
        if name in ('NODES', 'TOOLS'):
            tables.update(ast.literal_eval(node.value))
    return tables


def test_every_hupr_command_has_a_wrapper_on_path_in_a_colcon_install():
    """bin/hupr-* (installed to install/hupr_ros/bin, which colcon puts on PATH)."""
    tables = _setup_tables()
    commands = {name: target for name, target in tables.items() if name.startswith('hupr-')}
    wrappers = {p.name: p for p in (REPO / 'bin').glob('hupr-*')}
    assert set(wrappers) == set(commands)
    for name, path in wrappers.items():
        module, function = commands[name].split(':')
        text = path.read_text()
        assert text.startswith('#!/usr/bin/env python3\n')
        assert f'from {module} import {function}\n' in text and f'sys.exit({function}())' in text
        # Worker processes start by forkserver, which imports the main script again: without
        # the guard each worker would run the command anew instead of its job.
        assert "\nif __name__ == '__main__':" in text, f'{path} runs main() on import'
        assert os.access(path, os.X_OK), f'{path} is not executable'


def test_readme_commands_name_real_executables():
    tables = _setup_tables()
    text = (REPO / 'README.md').read_text()
    for name in set(re.findall(r'\b(hupr-[a-z-]+[a-z])\b', text)):
        assert name in tables, f'README names {name}, which setup.py does not install'
    for name in re.findall(r'ros2 run hupr_ros ([\w-]+)', text):
        assert name in tables, f'README runs `ros2 run hupr_ros {name}`, which does not exist'


def test_installed_tools_run_from_the_colcon_install():
    """After `source install/setup.bash`, the README's commands are on PATH."""
    bin_dir = REPO / 'install' / 'hupr_ros' / 'bin'
    if not bin_dir.is_dir():
        pytest.skip('no colcon install here (scripts/setup.sh)')
    assert str(bin_dir) in os.environ.get('PATH', '').split(os.pathsep), \
        'install/hupr_ros/bin is not on PATH: source install/setup.bash'
    result = subprocess.run(['hupr-import', '--help'], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and 'usage: hupr-import' in result.stdout, result.stderr


def test_installed_tool_with_worker_processes(tmp_path):
    """A colcon-installed command whose jobs run in worker processes (hupr-sim's default)."""
    bin_dir = REPO / 'install' / 'hupr_ros' / 'bin'
    if not (bin_dir / 'hupr-sim').is_file():
        pytest.skip('no colcon install here (scripts/setup.sh)')
    result = subprocess.run([sys.executable, str(bin_dir / 'hupr-sim'), str(tmp_path / 'sim'),
                             '--sequences', '2', '--frames', '2', '--workers', '2'],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(p.name for p in (tmp_path / 'sim').glob('single_*')) == \
        ['single_1', 'single_2']


@pytest.mark.parametrize('preset, expected', [
    ({}, 'hupr_msgs'),                                             # ours, for every process
    ({'FASTDDS_DEFAULT_PROFILES_FILE': '/home/me/mine.xml'}, '/home/me/mine.xml'),
    ({'FASTDDS_BUILTIN_TRANSPORTS': 'LARGE_DATA'}, ''),           # the user's choice: no profile
])
def test_sourcing_the_workspace_sets_the_large_data_profile_unless_the_user_chose(
        preset, expected):
    """
    Every shell that sources the workspace gets the profile (hupr_msgs' environment hook).

    So ``ros2 bag play`` or ``ros2 topic echo`` started by hand exchange frames with the nodes
    (a default Fast DDS participant receives 2% of the 8 MiB pairs: docs/benchmarks.md). A
    profile or FASTDDS_BUILTIN_TRANSPORTS of the user's own is kept.
    """
    setup = REPO / 'install' / 'setup.bash'
    if not setup.is_file():
        pytest.skip('no colcon install here (scripts/setup.sh)')
    env = {'HOME': os.environ.get('HOME', '/tmp'), 'PATH': '/usr/bin:/bin', **preset}
    result = subprocess.run(['bash', '-c', f'set +u; source {setup}; '
                             'printf "%s" "${FASTDDS_DEFAULT_PROFILES_FILE:-}"'],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    if expected == 'hupr_msgs':
        assert result.stdout.endswith('share/hupr_msgs/config/fastdds_large_data.xml')
        assert os.path.isfile(result.stdout), result.stdout
    else:
        assert result.stdout == expected


@pytest.mark.parametrize('variable', ['FASTDDS_DEFAULT_PROFILES_FILE',
                                      'FASTDDS_BUILTIN_TRANSPORTS'])
def test_nodes_keep_a_transport_set_up_the_user_chose(variable):
    """A node process adds the profile only where no transport set-up was chosen."""
    env = {k: v for k, v in os.environ.items() if k not in (
        'FASTDDS_DEFAULT_PROFILES_FILE', 'FASTRTPS_DEFAULT_PROFILES_FILE',
        'FASTDDS_BUILTIN_TRANSPORTS')}
    script = ('import os; from hupr_ros.nodes.environment import apply_process_defaults; '
              'apply_process_defaults(); '
              'print(os.environ.get("FASTDDS_DEFAULT_PROFILES_FILE", ""))')
    alone = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                           env=env, timeout=60, cwd=REPO)
    assert alone.stdout.strip().endswith('hupr_msgs/config/fastdds_large_data.xml'), alone
    chosen = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                            env={**env, variable: 'LARGE_DATA' if 'BUILTIN' in variable
                                 else '/home/me/mine.xml'}, timeout=60, cwd=REPO)
    assert chosen.stdout.strip() == ('' if 'BUILTIN' in variable else '/home/me/mine.xml')
