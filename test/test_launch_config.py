# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""Launch file and parameter files agree with the code: executables exist, keys are declared."""

import ast
import os
import re

from conftest import REPO, requires_ros
import pytest
import yaml


def launch_module():
    """Import launch/bringup.launch.py as ros2 launch does (a fresh module each time)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location('bringup', REPO / 'launch' /
                                                  'bringup.launch.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def entry_points():
    tree = ast.parse((REPO / 'setup.py').read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', '') == 'NODES':
            return {k.value for k in node.value.keys}
    raise AssertionError('NODES not found in setup.py')


def test_launch_file_starts_only_real_hupr_executables():
    text = (REPO / 'launch' / 'bringup.launch.py').read_text()
    ast.parse(text)
    used = set(re.findall(r"package='hupr_ros',\s+executable='([\w-]+)'", text))
    used |= set(re.findall(r"executable='([\w-]+)', package='hupr_ros'", text))
    assert used == {'sim_node', 'radar_node', 'preprocess_node', 'pose_node', 'tf_node',
                    'camera_node', 'labeller_node', 'hupr-play'}
    assert used <= entry_points()
    for path in re.findall(r"'(config|rviz)', '([\w.]+)'", text):
        assert (REPO / path[0] / path[1]).is_file(), path


def test_launch_file_runs_where_launch_ros_exists():
    pytest.importorskip('launch_ros')
    module = launch_module()
    assert module.generate_launch_description().entities


def _declared_nodes(tmp_path):
    """Yield {node name: node} of every parameter-reading hupr node, in a fresh context."""
    from hupr_ros.nodes.camera_node import CameraNode
    from hupr_ros.nodes.labeller_node import LabellerNode
    from hupr_ros.nodes.pose_node import PoseNode
    from hupr_ros.nodes.preprocess_node import PreprocessNode
    from hupr_ros.nodes.radar_node import RadarNode
    from hupr_ros.nodes.sim_node import SimNode
    from hupr_ros.nodes.tf_node import TfNode
    import rclpy
    from rclpy.parameter import Parameter
    context = rclpy.Context()
    rclpy.init(context=context)
    nodes = {}
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
        frames = tmp_path / 'frames'     # the camera node opens its source when it starts
        frames.mkdir()
        from PIL import Image
        Image.new('RGB', (32, 24)).save(frames / '000.png')
        extra = {'hupr_tf': lambda **kw: TfNode(**kw),
                 'hupr_camera': lambda **kw: CameraNode(**kw, parameter_overrides=[
                     Parameter('source', value=str(frames))])}
        yield nodes, extra, context
    finally:
        for node in nodes.values():
            node.destroy_node()
        rclpy.shutdown(context=context)


@requires_ros
def test_yaml_keys_are_declared_parameters(tmp_path):
    config = yaml.safe_load((REPO / 'config' / 'hupr.yaml').read_text())
    # '/**/name' keys: the parameters apply in any namespace (launch argument namespace:=).
    assert all(key.startswith('/**/') for key in config), list(config)
    config = {key[len('/**/'):]: value for key, value in config.items()}
    for nodes, _, _ in _declared_nodes(tmp_path):
        assert set(config) == set(nodes)
        for name, node in nodes.items():
            for key, value in config[name]['ros__parameters'].items():
                assert node.has_parameter(key), f'{name}: {key} is not declared'
                declared = node.get_parameter(key).value
                assert type(declared) is type(value), f'{name}.{key}: {value!r} vs {declared!r}'


def _launch_nodes(arguments):
    """
    Return the launch_ros Node actions the launch file starts with ``arguments``.

    They come with the context they were expanded in: groups are entered and the launch file's
    OpaqueFunctions called, as ``ros2 launch`` does, but no process is started.
    """
    from launch import LaunchContext
    from launch.actions import DeclareLaunchArgument, GroupAction, OpaqueFunction
    from launch_ros.actions import Node
    module = launch_module()
    description = module.generate_launch_description()
    context = LaunchContext()
    for entity in description.entities:
        if isinstance(entity, DeclareLaunchArgument):
            context.launch_configurations[entity.name] = arguments.get(
                entity.name, entity.default_value and ''.join(
                    s.perform(context) for s in entity.default_value))

    def walk(entities):
        for entity in entities:
            if isinstance(entity, GroupAction):
                yield from walk(entity.get_sub_entities())
            elif isinstance(entity, OpaqueFunction):
                yield from walk(entity.execute(context) or [])
            elif isinstance(entity, Node):
                yield entity
    return list(walk(description.entities)), context


@requires_ros
def test_launch_arguments_reach_string_parameters_as_strings(tmp_path):
    """
    launch_ros reads a launch argument's value as YAML.

    ``camera_source:=0`` (the default, a device index) would reach the camera node's string
    parameter as the integer 0, which rclpy refuses (InvalidParameterTypeException): every
    argument that feeds a string parameter must be typed. Each such argument is set to '0'
    and each node's evaluated parameters must have the types the node declares.
    """
    pytest.importorskip('launch_ros')
    from launch_ros.utilities import evaluate_parameters
    strings = dict.fromkeys((
        'bag', 'weights', 'variant', 'camera_source', 'labeller_weights', 'labeller_output_dir',
        'mount_file'), '0')
    actions, context = _launch_nodes({**strings, 'camera': 'true', 'labeller': 'true',
                                      'namespace': 'rig_a'})
    for nodes, extra, ros_context in _declared_nodes(tmp_path):
        declared = {}
        for name, node in nodes.items():
            declared[name] = {p: node.get_parameter(p).type_ for p in node._parameters}
        for name, cls in extra.items():
            node = cls(context=ros_context)
            try:
                declared[name] = {p: node.get_parameter(p).type_ for p in node._parameters}
            finally:
                node.destroy_node()
    from rclpy.parameter import Parameter
    started = set()
    for action in actions:
        name = action._Node__node_name
        started.add(name)
        for params in evaluate_parameters(context, action._Node__parameters):
            if not isinstance(params, dict):
                continue
            for key, value in params.items():
                assert key in declared[name], f'{name}: the launch file sets undeclared {key}'
                got = Parameter.Type.from_parameter_value(value)
                assert got == declared[name][key], \
                    f'{name}.{key}: the launch file passes {value!r} ({got.name}), the node ' \
                    f'declares {declared[name][key].name}'
    assert {'hupr_camera', 'hupr_labeller', 'hupr_pose', 'hupr_tf'} <= started, started


def test_every_launch_argument_is_described():
    """``ros2 launch hupr_ros bringup.launch.py --show-args`` says what each one does."""
    pytest.importorskip('launch_ros')
    from launch.actions import DeclareLaunchArgument
    module = launch_module()
    arguments = [e for e in module.generate_launch_description().entities
                 if isinstance(e, DeclareLaunchArgument)]
    assert len(arguments) > 10
    for argument in arguments:
        assert argument.description and argument.description != 'no description given', \
            argument.name


def test_launch_file_keeps_a_users_fastdds_profile(monkeypatch):
    """An explicit FASTDDS_DEFAULT_PROFILES_FILE wins over the shipped large-data profile."""
    pytest.importorskip('launch_ros')
    from launch.actions import SetEnvironmentVariable

    def profile_actions():
        module = launch_module()
        return [e for e in module.generate_launch_description().entities
                if isinstance(e, SetEnvironmentVariable)]
    monkeypatch.delenv('FASTDDS_DEFAULT_PROFILES_FILE', raising=False)
    assert len(profile_actions()) == 1
    monkeypatch.setenv('FASTDDS_DEFAULT_PROFILES_FILE', '/home/me/my_profile.xml')
    assert profile_actions() == []
    monkeypatch.delenv('FASTDDS_DEFAULT_PROFILES_FILE')
    monkeypatch.setenv('FASTDDS_BUILTIN_TRANSPORTS', 'LARGE_DATA')    # mixing would lose data
    assert profile_actions() == []


@requires_ros
def test_source_bag_starts_hupr_play_by_package_not_path(tmp_path, monkeypatch):
    """``source:=bag`` finds hupr-play as ``ros2 run`` does (lib/hupr_ros), even off PATH."""
    pytest.importorskip('launch_ros')
    from launch import LaunchContext
    from launch.actions import ExecuteProcess
    from launch.utilities import perform_substitutions
    bag = tmp_path / 'walk'
    bag.mkdir()
    monkeypatch.setenv('PATH', '/usr/bin:/bin')          # no hupr-* on PATH
    module = launch_module()
    context = LaunchContext()
    context.launch_configurations.update(source='bag', bag=str(bag), namespace='rig_a')
    actions = module._bag_player(context)
    assert len(actions) == 1 and isinstance(actions[0], ExecuteProcess)
    cmd = [perform_substitutions(context, part) for part in actions[0].cmd]
    assert cmd[0].endswith('lib/hupr_ros/hupr-play') and os.access(cmd[0], os.X_OK), cmd
    assert cmd[1:] == [str(bag), '--topics', '*/raw', '--wait-subscribers', '10',
                       '--namespace', 'rig_a']
