# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Static transforms of the sensor mount.

``base_link -> hupr_rig -> radar_hori | radar_vert | camera_optical``, from ``mount_file``
(config/mount.yaml), published once on ``/tf_static`` with the durability tf2 listeners expect
(transient local, reliable, depth 1), so RViz and late subscribers get them.

The topic is absolute (``/tf_static``) as tf2 requires; under a launch ``namespace`` the frame
ids are prefixed with it (``rig_b/radar_hori``) so two rigs on one TF tree don't collide.
"""

from geometry_msgs.msg import Quaternion, TransformStamped, Vector3
from hupr_ros.messages.ros import make_header
from hupr_ros.mount import default_mount, frame_prefix, load_mount, Mount, MountError
from hupr_ros.nodes.common import declare_parameters, Param, run_node, StartupError
from hupr_ros.nodes.qos import TF_STATIC_QOS
from rclpy.node import Node

try:
    from tf2_msgs.msg import TFMessage
except ImportError:      # pragma: no cover - scripts/setup.sh builds it where ROS lacks it
    TFMessage = None


def mount_to_msg(mount: Mount, stamp_ns: int, prefix: str = '') -> 'TFMessage':
    """
    All transforms of ``mount`` as one TFMessage.

    The base frame is shared by the robot and keeps no prefix; the rig and the sensors get
    ``prefix``.
    """
    base = mount.transforms[0].parent
    out = []
    for t in mount.transforms:
        parent = t.parent if t.parent == base else prefix + t.parent
        out.append(TransformStamped(
            header=make_header(stamp_ns, parent), child_frame_id=prefix + t.child))
        out[-1].transform.translation = Vector3(x=t.translation[0], y=t.translation[1],
                                                z=t.translation[2])
        out[-1].transform.rotation = Quaternion(x=t.rotation[0], y=t.rotation[1],
                                                z=t.rotation[2], w=t.rotation[3])
    return TFMessage(transforms=out)


#: The node's parameters (``ros2 param describe`` shows these descriptions).
PARAMETERS = (
    Param('mount_file', '', "sensor mount YAML; '' = the shipped config/mount.yaml"),
)


class TfNode(Node):
    """Publishes the mount's static transforms once (latched)."""

    def __init__(self, **kwargs) -> None:
        super().__init__('hupr_tf', **kwargs)
        self.params = declare_parameters(self, PARAMETERS)
        if TFMessage is None:
            raise StartupError('tf2_msgs is not installed (a ROS install has it; without '
                               'one, scripts/setup.sh builds it)')
        try:
            self.mount = load_mount(self.params.mount_file or default_mount())
        except MountError as error:
            raise StartupError(str(error)) from None
        self.prefix = frame_prefix(self.get_namespace())
        self.publisher = self.create_publisher(TFMessage, '/tf_static', TF_STATIC_QOS)
        self.publisher.publish(mount_to_msg(self.mount, self.get_clock().now().nanoseconds,
                                            self.prefix))
        self.get_logger().info(
            f'static transforms: {self.mount.transforms[0].parent} -> '
            f'{self.prefix}{self.mount.transforms[0].child} -> '
            + ', '.join(self.prefix + t.child for t in self.mount.transforms[1:]))


def main(args=None) -> None:
    run_node(TfNode, args)


if __name__ == '__main__':
    main()
