# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Topic names and frame ids of the node graph: the one place they are spelled out.

QoS profiles live with the nodes (``hupr_ros.nodes.common``) because they need rclpy.
"""

#: Raw ADC frames (hupr_msgs/RadarFrame) of the horizontal and vertical radar.
RADAR_HORI_RAW = 'radar/hori/raw'
RADAR_VERT_RAW = 'radar/vert/raw'
#: Synchronised VRDAEMap pairs (hupr_msgs/RadarCubePair).
RADAR_CUBE_PAIR = 'radar/cube_pair'
#: The same pairs reduced to the network input (hupr_msgs/RadarInputPair): what the pose node
#: takes by default.
RADAR_INPUT_PAIR = 'radar/input_pair'
#: Camera image (sensor_msgs/Image), used for labelling and display only.
CAMERA_IMAGE = 'camera/image_raw'
#: The same, JPEG-compressed (sensor_msgs/CompressedImage): recordings and imported data.
CAMERA_IMAGE_COMPRESSED = 'camera/image_raw/compressed'
#: Skeletons (hupr_msgs/Skeleton2D).
POSE_SKELETON = 'pose/skeleton'
SIM_GROUND_TRUTH = 'sim/ground_truth'
LABEL_SKELETON = 'labels/skeleton'
#: Visualisation: visualization_msgs/MarkerArray and sensor_msgs/Image.
POSE_MARKERS = 'pose/markers'
POSE_OVERLAY = 'pose/overlay'

#: TF frame ids.
#: The message type of each topic (as rosbag2 and rosbags name it).
MSG_TYPES = {
    RADAR_HORI_RAW: 'hupr_msgs/msg/RadarFrame',
    RADAR_VERT_RAW: 'hupr_msgs/msg/RadarFrame',
    RADAR_CUBE_PAIR: 'hupr_msgs/msg/RadarCubePair',
    RADAR_INPUT_PAIR: 'hupr_msgs/msg/RadarInputPair',
    CAMERA_IMAGE: 'sensor_msgs/msg/Image',
    CAMERA_IMAGE_COMPRESSED: 'sensor_msgs/msg/CompressedImage',
    POSE_SKELETON: 'hupr_msgs/msg/Skeleton2D',
    SIM_GROUND_TRUTH: 'hupr_msgs/msg/Skeleton2D',
    LABEL_SKELETON: 'hupr_msgs/msg/Skeleton2D',
    POSE_MARKERS: 'visualization_msgs/msg/MarkerArray',
    POSE_OVERLAY: 'sensor_msgs/msg/Image',
}

FRAME_RADAR_HORI = 'radar_hori'
FRAME_RADAR_VERT = 'radar_vert'
FRAME_CAMERA = 'camera_optical'

ORIENTATION_HORIZONTAL = 'horizontal'
ORIENTATION_VERTICAL = 'vertical'
ORIENTATIONS = (ORIENTATION_HORIZONTAL, ORIENTATION_VERTICAL)


def is_topic(stored: str, name: str) -> bool:
    """
    Whether the topic ``stored`` (as a bag or the graph has it) is ``name`` in some namespace.

    ``/rig_a/radar/hori/raw`` and ``radar/hori/raw`` are ``radar/hori/raw``;
    ``/xradar/hori/raw`` and ``/radar/hori/raw/extra`` are not.
    """
    return ('/' + stored.lstrip('/')).endswith('/' + name.lstrip('/'))
