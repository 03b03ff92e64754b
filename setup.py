# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""ament_python package hupr_ros; also installable with plain pip (no ROS) for ML users."""

from glob import glob
import sys

from setuptools import find_packages, setup

package_name = 'hupr_ros'

# rclpy nodes: `ros2 run hupr_ros <name>` on a ROS 2 install, plain console scripts elsewhere.
# Each goes through hupr_ros.nodes.launcher, which sets the process defaults first.
NODES = {
    'preprocess_node': 'hupr_ros.nodes.launcher:preprocess_node',
    'pose_node': 'hupr_ros.nodes.launcher:pose_node',
    'sim_node': 'hupr_ros.nodes.launcher:sim_node',
    'radar_node': 'hupr_ros.nodes.launcher:radar_node',
    'tf_node': 'hupr_ros.nodes.launcher:tf_node',
    'camera_node': 'hupr_ros.nodes.launcher:camera_node',
    'labeller_node': 'hupr_ros.nodes.launcher:labeller_node',
    # rosbag2 record / replay without ros2 bag (rclpy)
    'hupr-record': 'hupr_ros.nodes.launcher:hupr_record',
    'hupr-play': 'hupr_ros.nodes.launcher:hupr_play',
}
# Offline tools that need no ROS.
TOOLS = {
    'hupr-preprocess': 'hupr_ros.tools.preprocess:main',
    'hupr-sim': 'hupr_ros.tools.sim:main',
    'hupr-demo': 'hupr_ros.tools.demo:main',
    'hupr-sim-figure': 'hupr_ros.tools.sim_figure:main',
    'hupr-sim-echo': 'hupr_ros.tools.sim_echo:main',
    'hupr-arm-probe': 'hupr_ros.tools.arm_probe:main',
    'hupr-error-report': 'hupr_ros.tools.error_report:main',
    'hupr-train': 'hupr_ros.tools.train:main',
    'hupr-eval': 'hupr_ros.tools.evaluate:main',
    'hupr-quantize': 'hupr_ros.tools.quantize:main',
    'hupr-ablate': 'hupr_ros.tools.ablate:main',
    'hupr-capture': 'hupr_ros.tools.capture:main',
    'hupr-import': 'hupr_ros.tools.hupr_import:main',
    'hupr-label': 'hupr_ros.tools.label:main',
}

# The same tools on PATH in a colcon workspace: ament_python installs console scripts under
# lib/hupr_ros (for `ros2 run`), which is not on PATH; colcon puts a package's bin/ there. Not
# for pip's wheels, whose console scripts above already land on PATH under the same names.
building_wheel = bool({'bdist_wheel', 'editable_wheel'} & set(sys.argv))
tool_wrappers = [] if building_wheel else [('bin', sorted(glob('bin/hupr-*')))]

setup(
    name=package_name,
    version='0.1.0',
    packages=find_packages(include=['hupr_ros', 'hupr_ros.*']),
    package_data={'hupr_ros.model': ['weights/*.pth', 'weights/*.int8.json']},
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + package_name]),
        ('share/' + package_name, ['package.xml']),
        ('share/' + package_name + '/launch', glob('launch/*.launch.py')),
        ('share/' + package_name + '/config',
         glob('config/*.yaml') + glob('config/*.xml') + glob('config/*.cfg')),
        ('share/' + package_name + '/rviz', glob('rviz/*.rviz')),
        *tool_wrappers,
    ],
    python_requires='>=3.10',
    install_requires=['numpy', 'pyyaml'],
    extras_require={
        'train': ['torch', 'tqdm', 'pycocotools', 'tensorboard', 'pillow'],
        'sim': ['pillow', 'tqdm'],
        'bags': ['rosbags>=0.11'],
        'hardware': ['pyserial'],
        'camera': ['opencv-python-headless'],
        # BlazePose (mediapipe 0.10.21) needs numpy < 2: its own venv, scripts/setup.sh --blazepose
        'labeller': ['torch', 'opencv-python-headless', 'rosbags>=0.11'],
        'test': ['pytest', 'flake8'],
    },
    zip_safe=True,
    maintainer='hupr_ros maintainers',
    maintainer_email='maintainers@hupr-ros.dev',
    description='Human pose estimation with two mmWave radars (HuPR) for ROS 2.',
    license='Apache-2.0',
    tests_require=['pytest'],
    entry_points={
        'console_scripts': [f'{name} = {target}' for name, target in {**NODES, **TOOLS}.items()],
    },
)
