# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Bring up hupr_ros: radar source -> preprocessing -> pose estimation (-> RViz).

    ros2 launch hupr_ros bringup.launch.py                       # simulator + shipped model
    ros2 launch hupr_ros bringup.launch.py weights:=/path/model_best.pth rviz:=true
    ros2 launch hupr_ros bringup.launch.py source:=bag bag:=recordings/walk1
    ros2 launch hupr_ros bringup.launch.py namespace:=rig_b      # a second rig on the network

Arguments (``ros2 launch hupr_ros bringup.launch.py --show-args`` lists them):

- ``source``: ``sim`` (the HuPR-Sim node publishes both radars and the camera), ``hardware``
  (the two radar driver nodes, configured by ``params_file``), ``emulator`` (the same driver
  nodes against the CLI and DCA1000 emulators: the hardware path without boards) or ``bag``
  (``hupr-play`` replays the raw frames of the recording ``bag``).
- ``pose`` (false: no pose node), ``weights`` (a checkpoint file or a shipped model name;
  empty: the shipped default), ``variant`` (for published checkpoints).
- ``namespace``: every node and topic under it, so two rigs on one network don't collide.
- ``mount_file``: where the radars and the camera sit (config/mount.yaml); the static
  transforms and the pose node's back-projection both come from it.
- ``camera`` (true: the camera node on ``camera_source``, for recording labelled data with
  real radars; the simulator publishes its own camera), ``rviz`` (starts rviz2 with
  rviz/hupr.rviz when it is installed, otherwise says so), ``params_file``.
- ``labeller`` (true: the labeller node records radars, camera and labels into a bag in
  ``labeller_output_dir``; ``labeller_backend`` ground_truth, hrnet with ``labeller_weights``,
  or blazepose; docs/labelling.md).

- ``use_sim_time``: every node takes its time from ``/clock`` (replaying a bag that has one).

The nodes use the Fast DDS large-data profile that hupr_msgs ships (raw frames and cube pairs
exceed the default shared-memory segment), unless the user chose a transport set-up of their
own (``FASTDDS_DEFAULT_PROFILES_FILE``, ``FASTDDS_BUILTIN_TRANSPORTS``): theirs wins. The
radar drivers and the pose node are lifecycle nodes, started as launch_ros ``LifecycleNode``
actions so that launch's lifecycle events apply to them. Every argument that feeds a string
parameter is passed as a string (launch_ros would otherwise read ``camera_source:=0`` as the
integer 0).
"""

import os

from ament_index_python.packages import get_package_share_directory, PackageNotFoundError
from hupr_ros.nodes.environment import PROFILE_NAME, PROFILE_VARIABLE, transport_chosen
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, ExecuteProcess, GroupAction, LogInfo, \
    OpaqueFunction, SetEnvironmentVariable
from launch.conditions import IfCondition
from launch.substitutions import EqualsSubstitution, LaunchConfiguration, PythonExpression
from launch_ros.actions import LifecycleNode, Node, PushRosNamespace
from launch_ros.parameter_descriptions import ParameterValue
from launch_ros.substitutions import ExecutableInPackage


def text(name: str) -> ParameterValue:
    """Launch argument ``name`` as a string parameter value, whatever YAML would make of it."""
    return ParameterValue(LaunchConfiguration(name), value_type=str)


def sim_time() -> dict:
    return {'use_sim_time': ParameterValue(LaunchConfiguration('use_sim_time'), value_type=bool)}


def _rviz(context, share):
    """rviz2 where it is installed; a clear line and no failure where it is not."""
    if LaunchConfiguration('rviz').perform(context).lower() not in ('true', '1'):
        return []
    try:
        get_package_share_directory('rviz2')
    except PackageNotFoundError:
        return [LogInfo(msg='rviz:=true but rviz2 is not installed here: going on without it '
                            '(install ros-<distro>-rviz2, or open rviz/hupr.rviz elsewhere)')]
    return [Node(package='rviz2', executable='rviz2', name='rviz2', parameters=[sim_time()],
                 arguments=['-d', os.path.join(share, 'rviz', 'hupr.rviz')])]


def _bag_player(context):
    """``source:=bag``: hupr-play replays the raw radar frames of ``bag`` into the graph."""
    if LaunchConfiguration('source').perform(context) != 'bag':
        return []
    bag = LaunchConfiguration('bag').perform(context)
    if not bag:
        raise RuntimeError('source:=bag needs bag:=PATH (a rosbag2 folder)')
    if not os.path.exists(bag):
        raise RuntimeError(f'bag:={bag}: no such recording')
    # by package and executable, as `ros2 run hupr_ros hupr-play` finds it, not on PATH
    play = ExecutableInPackage(executable='hupr-play', package='hupr_ros')
    namespace = LaunchConfiguration('namespace').perform(context)
    cmd = [play, bag, '--topics', '*/raw', '--wait-subscribers', '10']
    if namespace:
        cmd += ['--namespace', namespace]
    return [ExecuteProcess(cmd=cmd, name='hupr_play', output='screen')]


def _labeller(context):
    """
    labeller:=true: the labeller node records a labelled bag.

    HRNet on the camera when labeller_weights is given or the radars are real, else the simulator's
    ground truth, unless labeller_backend says.
    """
    if LaunchConfiguration('labeller').perform(context).lower() not in ('true', '1'):
        return []
    weights = LaunchConfiguration('labeller_weights').perform(context)
    backend = LaunchConfiguration('labeller_backend').perform(context) or (
        'hrnet' if weights or LaunchConfiguration('source').perform(context) != 'sim'
        else 'ground_truth')
    return [Node(package='hupr_ros', executable='labeller_node', name='hupr_labeller',
                 output='screen', parameters=[LaunchConfiguration('params_file'), {
                     'backend': backend,
                     'weights': text('labeller_weights'),
                     'output_dir': text('labeller_output_dir'), **sim_time()}])]


def generate_launch_description() -> LaunchDescription:
    share = get_package_share_directory('hupr_ros')
    params = LaunchConfiguration('params_file')
    source = LaunchConfiguration('source')
    radar_source = ('hardware', 'emulator')
    return LaunchDescription([
        DeclareLaunchArgument('source', default_value='sim',
                              choices=['sim', 'hardware', 'emulator', 'bag'],
                              description='sim: HuPR-Sim; hardware: the radar drivers; '
                                          'emulator: the drivers against emulated boards; '
                                          'bag: replay a recording (bag:=PATH)'),
        DeclareLaunchArgument('bag', default_value='', description='recording for source:=bag'),
        DeclareLaunchArgument('namespace', default_value='',
                              description='namespace of every node and topic (one per rig)'),
        DeclareLaunchArgument('pose', default_value='true', description='run the pose node'),
        DeclareLaunchArgument('weights', default_value='',
                              description='checkpoint file or shipped model name; '
                                          'empty: the shipped default model'),
        DeclareLaunchArgument('variant', default_value='csam_prgcn',
                              description='variant of a published checkpoint (csam_prgcn)'),
        DeclareLaunchArgument('rviz', default_value='false',
                              description='start rviz2 (when installed) with rviz/hupr.rviz'),
        DeclareLaunchArgument('camera', default_value='false',
                              description='start the camera node (for labelling; the pose '
                                          'node needs only the radars)'),
        DeclareLaunchArgument('camera_source', default_value='0',
                              description='camera device index, V4L2 path, video or folder'),
        DeclareLaunchArgument('labeller', default_value='false',
                              description='record a labelled bag with the labeller node'),
        DeclareLaunchArgument('labeller_backend', default_value='',
                              choices=['', 'ground_truth', 'hrnet', 'blazepose'],
                              description="'' = hrnet with labeller_weights or real "
                                          'radars, else ground_truth (source:=sim)'),
        DeclareLaunchArgument('labeller_weights', default_value='',
                              description='HRNet-W32 checkpoint for labeller_backend hrnet'),
        DeclareLaunchArgument('labeller_output_dir', default_value='.',
                              description='folder for the labelled bag'),
        DeclareLaunchArgument('mount_file',
                              default_value=os.path.join(share, 'config', 'mount.yaml'),
                              description='sensor mount: static transforms and intrinsics'),
        DeclareLaunchArgument('params_file',
                              default_value=os.path.join(share, 'config', 'hupr.yaml'),
                              description='node parameters (keys /**/node_name: any namespace)'),
        DeclareLaunchArgument('use_sim_time', default_value='false', choices=['true', 'false'],
                              description='take time from /clock (replaying a bag with one)'),
        *([] if transport_chosen() else [SetEnvironmentVariable(
            PROFILE_VARIABLE, os.path.join(
                get_package_share_directory('hupr_msgs'), 'config', PROFILE_NAME))]),
        GroupAction([
            PushRosNamespace(LaunchConfiguration('namespace')),
            Node(package='hupr_ros', executable='tf_node', name='hupr_tf', output='screen',
                 parameters=[{'mount_file': text('mount_file'), **sim_time()}]),
            Node(package='hupr_ros', executable='sim_node', name='hupr_sim', output='screen',
                 parameters=[params, sim_time()],
                 condition=IfCondition(EqualsSubstitution(source, 'sim'))),
            *[LifecycleNode(package='hupr_ros', executable='radar_node',
                            name=f'hupr_radar_{name}', namespace='', output='screen',
                            parameters=[params, {'orientation': orientation, 'autostart': True,
                                                 'source': text('source'), **sim_time()}],
                            condition=IfCondition(PythonExpression(
                                ["'", source, "' in ", repr(radar_source)])))
              for name, orientation in (('hori', 'horizontal'), ('vert', 'vertical'))],
            Node(package='hupr_ros', executable='camera_node', name='hupr_camera',
                 output='screen', parameters=[{'source': text('camera_source'), **sim_time()}],
                 condition=IfCondition(LaunchConfiguration('camera'))),
            OpaqueFunction(function=_bag_player),
            Node(package='hupr_ros', executable='preprocess_node', name='hupr_preprocess',
                 output='screen', parameters=[params, sim_time()]),
            LifecycleNode(package='hupr_ros', executable='pose_node', name='hupr_pose',
                          namespace='', output='screen',
                          parameters=[params, {'weights_path': text('weights'),
                                               'variant': text('variant'),
                                               'mount_file': text('mount_file'), **sim_time()}],
                          condition=IfCondition(LaunchConfiguration('pose'))),
            OpaqueFunction(function=_labeller),
            OpaqueFunction(function=_rviz, args=[share]),
        ]),
    ])
