# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
RViz markers of a skeleton: the pose node's back-projection into the camera frame (ROS edge).

The 2-D keypoints are placed at the radar-estimated range through the pinhole intrinsics of
the mount file (``config/mount.yaml``), so RViz shows the skeleton where the person stands.
"""

from typing import Tuple

from builtin_interfaces.msg import Duration
from geometry_msgs.msg import Point
from hupr_ros.messages.ros import make_header
from hupr_ros.skeleton import EDGES
from hupr_ros.visualization import confidence_colour
import numpy as np
from std_msgs.msg import ColorRGBA
from visualization_msgs.msg import Marker, MarkerArray


def back_project(keypoints: np.ndarray, depth_m: float,
                 intrinsics: Tuple[float, float, float, float]) -> np.ndarray:
    """
    Back-project pixels at one depth to the camera frame.

    Pixels (14, 2) at one depth -> 3-D points (14, 3) in the camera optical frame
    (x right, y down, z forward), through pinhole intrinsics (fx, fy, cx, cy).
    """
    fx, fy, cx, cy = intrinsics
    keypoints = np.asarray(keypoints, dtype=np.float64)
    z = np.full(len(keypoints), float(depth_m))
    return np.stack([(keypoints[:, 0] - cx) / fx * z, (keypoints[:, 1] - cy) / fy * z, z], -1)


def skeleton_markers(keypoints: np.ndarray, confidence: np.ndarray, depth_m: float,
                     intrinsics: Tuple[float, float, float, float], *, stamp_ns: int,
                     frame_id: str, lifetime_s: float = 0.5, ns: str = 'hupr_skeleton',
                     joint_size: float = 0.06, bone_width: float = 0.03) -> MarkerArray:
    """
    visualization_msgs/MarkerArray of a skeleton placed at ``depth_m`` in the camera frame.

    Stable ids: 0 = bones (LINE_LIST), 1 = joints (SPHERE_LIST); colours red..green by
    confidence; ``lifetime_s`` makes a stale skeleton disappear when poses stop coming.
    """
    points = back_project(keypoints, depth_m, intrinsics)
    colours = confidence_colour(confidence)

    def colour(i: int) -> ColorRGBA:
        return ColorRGBA(r=float(colours[i, 0]), g=float(colours[i, 1]),
                         b=float(colours[i, 2]), a=1.0)

    def point(i: int) -> Point:
        return Point(x=float(points[i, 0]), y=float(points[i, 1]), z=float(points[i, 2]))
    header = make_header(stamp_ns, frame_id)
    lifetime = Duration(sec=int(lifetime_s), nanosec=int((lifetime_s % 1) * 1e9))
    bones = Marker(header=header, ns=ns, id=0, type=Marker.LINE_LIST, action=Marker.ADD,
                   lifetime=lifetime)
    bones.pose.orientation.w = 1.0
    bones.scale.x = bone_width
    # the marker colour too, not only the per-point ones: a consumer that reads Marker.color
    # (an alpha of 0 there hides the marker in some tools) sees the mean confidence's colour
    bones.color = joints_colour = ColorRGBA(
        **dict(zip('rgb', map(float, colours.mean(axis=0)[:3]))), a=1.0)
    for i, j in EDGES:
        bones.points += [point(i), point(j)]
        bones.colors += [colour(i), colour(j)]
    joints = Marker(header=header, ns=ns, id=1, type=Marker.SPHERE_LIST, action=Marker.ADD,
                    lifetime=lifetime)
    joints.pose.orientation.w = 1.0
    joints.scale.x = joints.scale.y = joints.scale.z = joint_size
    joints.color = joints_colour
    joints.points = [point(i) for i in range(len(points))]
    joints.colors = [colour(i) for i in range(len(points))]
    return MarkerArray(markers=[bones, joints])


def clear_markers(stamp_ns: int, frame_id: str, ns: str = 'hupr_skeleton') -> MarkerArray:
    """Return a MarkerArray that deletes every marker of ``ns`` (a person who left)."""
    marker = Marker(header=make_header(stamp_ns, frame_id), ns=ns, id=0,
                    action=Marker.DELETEALL)
    return MarkerArray(markers=[marker])
