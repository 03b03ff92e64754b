# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
House-style checks as ROS packages run them.

ament_flake8, ament_pep257, one copyright header, and package.xml against the imports.
"""

import ast
import importlib.util
import re
import subprocess
import sys
from xml.etree import ElementTree

from conftest import REPO
import pytest

PY_DIRS = [p for p in ('hupr_ros', 'test', 'bench', 'launch', 'scripts', 'setup.py')
           if (REPO / p).exists()]


def python_files():
    files = []
    for entry in PY_DIRS:
        path = REPO / entry
        files += [path] if path.is_file() else sorted(path.rglob('*.py'))
    return files


def test_flake8():
    """ament_flake8 with its own settings and plugins, as a ROS package's test_flake8 runs it."""
    # In a process of its own: flake8 forks its workers, which can hang in a test process that
    # runs threads (DDS, tqdm).
    if importlib.util.find_spec('ament_flake8') is not None:
        command = [sys.executable, '-m', 'ament_flake8.main', *PY_DIRS]
    else:       # no ament_flake8: plain flake8 with the same settings (setup.cfg)
        pytest.importorskip('flake8')
        command = [sys.executable, '-m', 'flake8', *PY_DIRS]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    errors = re.findall(r'^\S+:\d+:\d+: [A-Z]+\d+ .*$', result.stdout, re.M)
    assert result.returncode == 0, '\n'.join(errors[:60]) or result.stdout + result.stderr


#: ament_pep257's default ("ament") convention: every pydocstyle check except these.
AMENT_PEP257_IGNORE = ('D100', 'D101', 'D102', 'D103', 'D104', 'D105', 'D106', 'D107', 'D203',
                       'D212', 'D404')


def test_pep257():
    """Docstrings pass ament_pep257 with its default convention (pydocstyle underneath)."""
    try:
        from ament_pep257.main import main
    except ImportError:         # no ROS install: the same check through pydocstyle itself
        result = subprocess.run(
            [sys.executable, '-m', 'pydocstyle', '--ignore=' + ','.join(AMENT_PEP257_IGNORE),
             r'--match=.*\.py', r'--match-dir=[^\._].*', *PY_DIRS],
            cwd=REPO, capture_output=True, text=True, timeout=300)
        assert 'No module named pydocstyle' not in result.stderr, result.stderr
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
        return
    assert main(argv=[str(REPO / p) for p in PY_DIRS]) == 0


#: Every Python file opens with these lines (after a shebang, if any): the copyright notice and
#: the licence as an SPDX identifier (https://spdx.org/licenses/Apache-2.0.html).
HEADER = ['# Copyright 2026 The hupr_ros Authors', '# SPDX-License-Identifier: Apache-2.0']


def test_copyright_header():
    """One header style everywhere: a copyright line and the SPDX licence identifier."""
    wrong = []
    for path in python_files():
        lines = path.read_text().split('\n')
        start = 1 if lines[0].startswith('#!') else 0
        if lines[start:start + 2] != HEADER:
            wrong.append(str(path.relative_to(REPO)))
        elif 'Licensed under the Apache License' in '\n'.join(lines[:20]):
            wrong.append(f'{path.relative_to(REPO)} (a second, full notice)')
    assert not wrong, f'files without the two-line header {HEADER}: {wrong}'


#: rosdep key of each third-party module the package imports (a ROS package: its own name).
ROSDEP_KEYS = {'numpy': 'python3-numpy', 'yaml': 'python3-yaml', 'serial': 'python3-serial',
               'PIL': 'python3-pil', 'tqdm': 'python3-tqdm', 'cv2': 'python3-opencv'}
#: Imported, but installed with pip into the workspace venv (README), not by rosdep:
#: package.xml says so.
PIP_ONLY = ('torch', 'rosbags', 'pycocotools')
#: Imported only by the BlazePose worker, which runs in a venv of its own (mediapipe needs
#: numpy < 2; scripts/setup.sh --blazepose).
OWN_VENV = ('mediapipe',)


def imported_modules(paths) -> set:
    """Top-level names of the absolute imports in ``paths``, less the standard library's."""
    names = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split('.')[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split('.')[0])
    return names - set(sys.stdlib_module_names) - {'hupr_ros'}


def test_package_xml_declares_exactly_what_the_code_imports():
    code = [*sorted((REPO / 'hupr_ros').rglob('*.py')), *sorted((REPO / 'launch').glob('*.py'))]
    imported = imported_modules(code) - set(OWN_VENV)
    needed = {ROSDEP_KEYS.get(name, name) for name in imported if name not in PIP_ONLY}
    xml = REPO / 'package.xml'
    declared = {e.text.strip() for e in ElementTree.parse(xml).getroot().iter('exec_depend')}
    assert declared == needed, (
        f'package.xml exec_depends that no code imports: {sorted(declared - needed)}; '
        f'imports that package.xml does not declare: {sorted(needed - declared)} (a new '
        'third-party module needs its rosdep key in ROSDEP_KEYS)')
    text = xml.read_text()
    assert all(name in text for name in PIP_ONLY), 'package.xml must say to pip-install them'
