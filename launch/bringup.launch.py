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

"""Bring up hupr_ros: radar source -> preprocessing -> pose estimation (-> RViz).

    ros2 launch hupr_ros bringup.launch.py                       # simulator + shipped model
    ros2 launch hupr_ros bringup.launch.py weights_path:=/path/model_best.pth rviz:=true

Arguments: ``source`` (``sim``: the HuPR-Sim node publishes both radars and the camera;
``hardware``: the two radar driver nodes, configured by ``params_file``; ``emulator``: the
same driver nodes against the CLI and DCA1000 emulators, the hardware path without boards),
``pose`` (false: no pose node),
``weights_path`` (a checkpoint file or a shipped model name; empty: the shipped default),
``variant`` (for published checkpoints), ``rviz``, ``params_file``. The nodes use the Fast DDS
large-data profile shipped in config/ (raw frames and cube pairs exceed the default
shared-memory segment).
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, LogInfo, SetEnvironmentVariable
from launch.conditions import IfCondition, LaunchConfigurationEquals, \
    LaunchConfigurationNotEquals
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node


def generate_launch_description() -> LaunchDescription:
    share = get_package_share_directory('hupr_ros')
    params = LaunchConfiguration('params_file')
    return LaunchDescription([
        DeclareLaunchArgument('source', default_value='sim', choices=['sim', 'hardware',
                                                                      'emulator'],
                              description='sim: HuPR-Sim; hardware: the radar drivers; '
                                          'emulator: the drivers against emulated boards'),
        DeclareLaunchArgument('pose', default_value='true', description='run the pose node'),
        DeclareLaunchArgument('weights_path', default_value='',
                              description='checkpoint file or shipped model name; '
                                          'empty: the shipped default model'),
        DeclareLaunchArgument('variant', default_value='csam_prgcn',
                              description='variant of a published checkpoint (csam_prgcn)'),
        DeclareLaunchArgument('rviz', default_value='false', description='start RViz'),
        DeclareLaunchArgument('params_file',
                              default_value=os.path.join(share, 'config', 'hupr.yaml')),
        SetEnvironmentVariable('FASTDDS_DEFAULT_PROFILES_FILE',
                               os.path.join(share, 'config', 'fastdds_large_data.xml')),
        Node(package='hupr_ros', executable='sim_node', name='hupr_sim', output='screen',
             parameters=[params], condition=LaunchConfigurationEquals('source', 'sim')),
        *[Node(package='hupr_ros', executable='radar_node', name=f'hupr_radar_{name}',
               output='screen', parameters=[params, {
                   'orientation': orientation, 'autostart': True,
                   'source': LaunchConfiguration('source')}],
               condition=LaunchConfigurationNotEquals('source', 'sim'))
          for name, orientation in (('hori', 'horizontal'), ('vert', 'vertical'))],
        LogInfo(msg='source:=hardware: no camera node in this release; the pose node needs '
                    'only the radars.',
                condition=LaunchConfigurationEquals('source', 'hardware')),
        Node(package='hupr_ros', executable='preprocess_node', name='hupr_preprocess',
             output='screen', parameters=[params]),
        Node(package='hupr_ros', executable='pose_node', name='hupr_pose', output='screen',
             parameters=[params, {'weights_path': LaunchConfiguration('weights_path'),
                                  'variant': LaunchConfiguration('variant')}],
             condition=IfCondition(LaunchConfiguration('pose'))),
        Node(package='rviz2', executable='rviz2', name='rviz2',
             arguments=['-d', os.path.join(share, 'rviz', 'hupr.rviz')],
             condition=IfCondition(LaunchConfiguration('rviz'))),
    ])
