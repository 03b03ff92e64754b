# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Deterministic sample messages of every hupr_msgs type, and a publisher of them.

Run as a script (``python test/msg_samples.py``) it publishes the samples until killed; the
DDS test in another process builds the same samples from the same seed and compares.
"""

import sys

from hupr_ros.messages import ros as conv
from hupr_ros.radar.config import HUPR_CHIRP_CONFIG
import numpy as np

TOPICS = {
    'frame': ('hupr_msgs.msg', 'RadarFrame'),
    'cube': ('hupr_msgs.msg', 'RadarCube'),
    'pair': ('hupr_msgs.msg', 'RadarCubePair'),
    'skeleton': ('hupr_msgs.msg', 'Skeleton2D'),
    'image': ('sensor_msgs.msg', 'Image'),
}


def cube_axes():
    return (conv.AxisSpec('doppler', 16, 'm/s', tuple(np.arange(-8, 8) * 0.14)),
            conv.AxisSpec('range', 64, 'm', tuple(np.linspace(4.0, 1.3, 64))),
            conv.AxisSpec('azimuth', 64, 'rad', tuple(np.linspace(-1.5, 1.5, 64))),
            conv.AxisSpec('elevation', 8, 'rad', tuple(np.linspace(-1.0, 1.0, 8))))


def make_samples(seed: int = 7) -> dict:
    """Return {name: message}; cube is a full-size 2 MiB complex VRDAEMap."""
    from hupr_msgs.msg import RadarCubePair
    rng = np.random.default_rng(seed)
    cfg = HUPR_CHIRP_CONFIG
    iq = rng.integers(-2000, 2000, (cfg.num_chirps, cfg.num_rx, cfg.num_samples, 2),
                      dtype=np.int16)
    frame = conv.frame_to_msg(iq, cfg, stamp_ns=1_700_000_000_123_456_789,
                              frame_id='radar_hori', frame_number=42, orientation='horizontal',
                              packets_expected=541, packets_received=540,
                              bytes_zero_filled=1456)
    vrdae = (rng.standard_normal((16, 64, 64, 8)) +
             1j * rng.standard_normal((16, 64, 64, 8))).astype(np.complex64)
    cube = conv.cube_to_msg(vrdae, cube_axes(), stamp_ns=1_700_000_000_200_000_000,
                            frame_id='radar_hori', frame_number=43, orientation='horizontal')
    small = rng.standard_normal((4, 8, 8)).astype(np.float32)
    small_axes = (conv.AxisSpec('doppler', 4), conv.AxisSpec('range', 8, 'm', tuple(range(8))),
                  conv.AxisSpec('azimuth', 8))
    pair = RadarCubePair(header=conv.make_header(5, 'radar_hori'))
    pair.horizontal = conv.cube_to_msg(small, small_axes, stamp_ns=5, frame_id='radar_hori',
                                       frame_number=1, orientation='horizontal')
    pair.vertical = conv.cube_to_msg(small * 2, small_axes, stamp_ns=6, frame_id='radar_vert',
                                     frame_number=1, orientation='vertical', zero_filled=True)
    skeleton = conv.skeleton_to_msg(rng.uniform(0, 256, (14, 2)), rng.uniform(0, 1, 14),
                                    stamp_ns=77, frame_id='camera_optical',
                                    source='radar_model', model_name='hupr_csam_prgcn')
    image = conv.image_to_msg(rng.integers(0, 256, (256, 256, 3), dtype=np.uint8),
                              stamp_ns=88, frame_id='camera_optical')
    return {'frame': frame, 'cube': cube, 'pair': pair, 'skeleton': skeleton, 'image': image}


def message_class(name: str):
    module, cls = TOPICS[name]
    return getattr(__import__(module, fromlist=[cls]), cls)


def publish_forever(prefix: str) -> None:
    import rclpy
    from rclpy.node import Node
    samples = make_samples()
    rclpy.init()
    node = Node('hupr_msg_samples_publisher')
    pubs = {name: node.create_publisher(message_class(name), f'{prefix}/{name}', 10)
            for name in TOPICS}
    try:
        while rclpy.ok():
            for name, pub in pubs.items():
                pub.publish(samples[name])
            rclpy.spin_once(node, timeout_sec=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == '__main__':
    publish_forever(sys.argv[1] if len(sys.argv) > 1 else 'hupr_test')
