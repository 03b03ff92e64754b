# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Every QoS profile of the node graph, and QoS matching for the recorder.

One module for all of them, as in ros2/demos' quality_of_service_demo.

- :data:`SENSOR_QOS`: raw frames, cube pairs and camera images. Best effort, keep the newest
  few: a slow subscriber loses frames rather than queueing them.
- :data:`RESULT_QOS`: skeletons, markers, overlays, ground truth and labels. Reliable, depth 5.
- :data:`TF_STATIC_QOS`: ``/tf_static``, latched (transient local, depth 1) as tf2 expects.
- :data:`DIAGNOSTICS_QOS`: ``/diagnostics``, reliable, depth 10 (the rclpy default).
"""

from typing import List

from rclpy.qos import qos_profile_sensor_data, QoSDurabilityPolicy, QoSHistoryPolicy, QoSProfile, \
    QoSReliabilityPolicy

#: Raw frames and cubes: best effort, keep the newest few (drop rather than queue).
SENSOR_QOS = QoSProfile(
    history=QoSHistoryPolicy.KEEP_LAST, depth=qos_profile_sensor_data.depth,
    reliability=QoSReliabilityPolicy.BEST_EFFORT, durability=QoSDurabilityPolicy.VOLATILE)
#: Results (skeletons, markers, overlays): reliable, small depth.
RESULT_QOS = QoSProfile(
    history=QoSHistoryPolicy.KEEP_LAST, depth=5,
    reliability=QoSReliabilityPolicy.RELIABLE, durability=QoSDurabilityPolicy.VOLATILE)
#: /tf_static: latched, as tf2's static broadcaster publishes it.
TF_STATIC_QOS = QoSProfile(history=QoSHistoryPolicy.KEEP_LAST, depth=1,
                           reliability=QoSReliabilityPolicy.RELIABLE,
                           durability=QoSDurabilityPolicy.TRANSIENT_LOCAL)
#: /diagnostics: reliable, depth 10.
DIAGNOSTICS_QOS = QoSProfile(history=QoSHistoryPolicy.KEEP_LAST, depth=10,
                             reliability=QoSReliabilityPolicy.RELIABLE,
                             durability=QoSDurabilityPolicy.VOLATILE)


def rosbags_qos(profile: QoSProfile):
    """Return ``profile`` as rosbags stores it in a bag's metadata."""
    from rosbags.interfaces import Qos, QosDurability, QosHistory, QosLiveliness, QosReliability, \
        QosTime
    zero = QosTime(0, 0)
    return Qos(QosHistory(int(profile.history)), int(profile.depth),
               QosReliability(int(profile.reliability)), QosDurability(int(profile.durability)),
               zero, zero, QosLiveliness(int(profile.liveliness)), zero, False)


def rclpy_qos(qos) -> QoSProfile:
    """Return a rosbags ``Qos`` (a bag's recorded publisher QoS) as an rclpy profile."""
    reliability = QoSReliabilityPolicy.BEST_EFFORT \
        if qos.reliability.name == 'BEST_EFFORT' else QoSReliabilityPolicy.RELIABLE
    durability = QoSDurabilityPolicy.TRANSIENT_LOCAL \
        if qos.durability.name == 'TRANSIENT_LOCAL' else QoSDurabilityPolicy.VOLATILE
    return QoSProfile(history=QoSHistoryPolicy.KEEP_LAST, depth=max(1, int(qos.depth or 10)),
                      reliability=reliability, durability=durability)


def subscription_qos(offered: List[QoSProfile]) -> QoSProfile:
    """Return a QoS that matches every publisher (reliable / latched only if all are)."""
    reliable = bool(offered) and all(
        q.reliability == QoSReliabilityPolicy.RELIABLE for q in offered)
    latched = bool(offered) and all(
        q.durability == QoSDurabilityPolicy.TRANSIENT_LOCAL for q in offered)
    return QoSProfile(history=QoSHistoryPolicy.KEEP_LAST, depth=10,
                      reliability=QoSReliabilityPolicy.RELIABLE if reliable
                      else QoSReliabilityPolicy.BEST_EFFORT,
                      durability=QoSDurabilityPolicy.TRANSIENT_LOCAL if latched
                      else QoSDurabilityPolicy.VOLATILE)
