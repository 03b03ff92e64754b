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

"""Launch file and parameter files agree with the code: executables exist, keys are declared."""

import ast
import re

from conftest import REPO, requires_ros
import pytest
import yaml


def entry_points():
    tree = ast.parse((REPO / 'setup.py').read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', '') == 'NODES':
            return {k.value for k in node.value.keys}
    raise AssertionError('NODES not found in setup.py')


def test_launch_file_starts_only_real_hupr_executables():
    text = (REPO / 'launch' / 'bringup.launch.py').read_text()
    ast.parse(text)
    used = set(re.findall(r"package='hupr_ros', executable='(\w+)'", text))
    assert used == {'sim_node', 'radar_node', 'preprocess_node', 'pose_node', 'tf_node',
                    'camera_node', 'labeller_node'}
    assert used <= entry_points()
    for path in re.findall(r"'(config|rviz)', '([\w.]+)'", text):
        assert (REPO / path[0] / path[1]).is_file(), path


def test_launch_file_runs_where_launch_ros_exists():
    pytest.importorskip('launch_ros')
    import importlib.util
    spec = importlib.util.spec_from_file_location('bringup', REPO / 'launch' /
                                                  'bringup.launch.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.generate_launch_description().entities


@requires_ros
def test_yaml_keys_are_declared_parameters(tmp_path):
    from hupr_ros.nodes.labeller_node import LabellerNode
    from hupr_ros.nodes.pose_node import PoseNode
    from hupr_ros.nodes.preprocess_node import PreprocessNode
    from hupr_ros.nodes.radar_node import RadarNode
    from hupr_ros.nodes.sim_node import SimNode
    import rclpy
    from rclpy.parameter import Parameter
    config = yaml.safe_load((REPO / 'config' / 'hupr.yaml').read_text())
    # '/**/name' keys: the parameters apply in any namespace (launch argument namespace:=).
    assert all(key.startswith('/**/') for key in config), list(config)
    config = {key[len('/**/'):]: value for key, value in config.items()}
    context = rclpy.Context()
    rclpy.init(context=context)
    try:
        nodes = {'hupr_sim': SimNode(context=context),
                 'hupr_radar_hori': RadarNode(context=context),
                 'hupr_radar_vert': RadarNode(context=context),
                 'hupr_preprocess': PreprocessNode(context=context),
                 'hupr_pose': PoseNode(context=context, parameter_overrides=[
                     Parameter('allow_random_weights', value=True),
                     Parameter('num_filters', value=2)]),
                 'hupr_labeller': LabellerNode(context=context, parameter_overrides=[
                     Parameter('output_dir', value=str(tmp_path))])}
        assert set(config) == set(nodes)
        for name, node in nodes.items():
            for key, value in config[name]['ros__parameters'].items():
                assert node.has_parameter(key), f'{name}: {key} is not declared'
                declared = node.get_parameter(key).value
                assert type(declared) is type(value), f'{name}.{key}: {value!r} vs {declared!r}'
            node.destroy_node()
    finally:
        rclpy.shutdown(context=context)
