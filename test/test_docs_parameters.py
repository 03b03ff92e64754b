# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
docs/parameters.md is generated from the nodes' parameter tables, so it cannot drift.

Regenerate it with ``python test/test_docs_parameters.py``.
"""

import importlib
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
DOC = REPO / 'docs' / 'parameters.md'
#: (executable, module of hupr_ros.nodes, extra tables) in the order the docs list them.
NODES = (
    ('sim_node', 'sim_node', ()),
    ('radar_node', 'radar_node', ()),
    ('camera_node', 'camera_node', ()),
    ('tf_node', 'tf_node', ()),
    ('preprocess_node', 'preprocess_node', ('raw_input',)),
    ('pose_node', 'pose_node', ('raw_input',)),
    ('labeller_node', 'labeller_node', ()),
)


def _cell(value) -> str:
    return repr(value).replace('|', '\\|')


def render() -> str:
    """Return docs/parameters.md as the tables say it."""
    out = ['# Node parameters', '',
           "Generated from each node's `PARAMETERS` table (`hupr_ros/nodes/*.py`) by",
           '`python test/test_docs_parameters.py`; a test keeps it equal to the code. On a',
           'running graph, `ros2 param describe /hupr_pose <name>` shows the same description',
           'and range. Every parameter is read-only: it is read once at start-up, so',
           '`ros2 param set` refuses it instead of ignoring it.', '']
    for executable, module, extra in NODES:
        table = list(importlib.import_module(f'hupr_ros.nodes.{module}').PARAMETERS)
        notes = []
        for name in extra:
            added = importlib.import_module(f'hupr_ros.nodes.{name}').PARAMETERS
            own = {param.name for param in table}
            table += [param for param in added if param.name not in own]
            notes.append(name)
        out += [f'## {executable}', '']
        if module == 'pose_node':
            out += ['The raw-frame parameters apply with `fused:=true`.', '']
        out += ['| parameter | default | range | description |', '| --- | --- | --- | --- |']
        for param in table:
            span = f'{param.range[0]} .. {param.range[1]}' if param.range else ''
            out.append(f'| `{param.name}` | `{_cell(param.default)}` | {span} | '
                       f'{param.description.replace("|", "/")} |')
        out.append('')
    return '\n'.join(out)


def test_parameters_doc_matches_the_tables():
    assert DOC.is_file() and DOC.read_text() == render(), \
        'docs/parameters.md is out of date: run python test/test_docs_parameters.py'


if __name__ == '__main__':
    sys.path.insert(0, str(REPO))
    DOC.write_text(render())
    print(f'wrote {DOC}')
