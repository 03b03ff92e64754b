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

"""rosbag2 bags without ROS: write and read hupr_msgs topics with the pure-Python ``rosbags``.

Bags written here are ordinary rosbag2 bags (mcap by default, or sqlite3) with the message
definitions stored, so ``ros2 bag info/play`` on a ROS 2 install and :class:`rosbags` readers
both open them; the CDR bytes are what rclpy publishes.
"""

import os
import pathlib
from typing import Dict, Iterator, Optional, Tuple, Union

import numpy as np

from hupr_ros import topics
from hupr_ros.radar.config import ChirpConfig
from hupr_ros.radar.dca1000 import interleave_iq

MSG_NAMES = ('ChirpConfig', 'RadarFrame', 'CubeAxis', 'RadarCube', 'RadarCubePair',
             'Skeleton2D')


class BagError(RuntimeError):
    """A bag cannot be written or read (missing, corrupt, unknown types)."""


def msg_dir() -> pathlib.Path:
    """Folder of the hupr_msgs .msg files: the source tree, else the installed share folder."""
    here = pathlib.Path(__file__).resolve().parents[1] / 'hupr_msgs' / 'msg'
    if here.is_dir():
        return here
    try:
        from ament_index_python.packages import get_package_share_directory
        return pathlib.Path(get_package_share_directory('hupr_msgs')) / 'msg'
    except (ImportError, LookupError) as error:
        raise BagError('hupr_msgs message definitions not found (source tree or installed '
                       'share/hupr_msgs/msg)') from error


def typestore():
    """A rosbags typestore (ROS 2 Kilted) with the hupr_msgs types registered."""
    from rosbags.typesys import get_types_from_msg, get_typestore, Stores
    store = get_typestore(Stores.ROS2_KILTED)
    types = {}
    for name in MSG_NAMES:
        types.update(get_types_from_msg((msg_dir() / f'{name}.msg').read_text(),
                                        f'hupr_msgs/msg/{name}'))
    store.register(types)
    return store


def _time(store, ns: int):
    return store.types['builtin_interfaces/msg/Time'](sec=int(ns // 1_000_000_000),
                                                      nanosec=int(ns % 1_000_000_000))


def _header(store, ns: int, frame_id: str):
    return store.types['std_msgs/msg/Header'](stamp=_time(store, ns), frame_id=frame_id)


class BagWriter:
    """Write radar frames, camera images and skeletons to a rosbag2 bag.

    Use as a context manager; the bag is complete when it closes. Arrays are copied into the
    message as numpy arrays (what rosbags serialises).
    """

    TOPIC_TYPES = {
        topics.RADAR_HORI_RAW: 'hupr_msgs/msg/RadarFrame',
        topics.RADAR_VERT_RAW: 'hupr_msgs/msg/RadarFrame',
        topics.CAMERA_IMAGE: 'sensor_msgs/msg/Image',
        topics.SIM_GROUND_TRUTH: 'hupr_msgs/msg/Skeleton2D',
        topics.LABEL_SKELETON: 'hupr_msgs/msg/Skeleton2D',
        topics.POSE_SKELETON: 'hupr_msgs/msg/Skeleton2D',
    }

    def __init__(self, path: Union[str, os.PathLike], storage: str = 'mcap') -> None:
        from rosbags.rosbag2 import StoragePlugin, Writer
        plugins = {'mcap': StoragePlugin.MCAP, 'sqlite3': StoragePlugin.SQLITE3}
        if storage not in plugins:
            raise ValueError(f'storage must be one of {sorted(plugins)}, got {storage!r}')
        self.path = pathlib.Path(path)
        if self.path.exists():
            raise BagError(f'{self.path} exists; rosbag2 never overwrites a bag')
        self.store = typestore()
        self._writer = Writer(self.path, version=9, storage_plugin=plugins[storage])
        self._connections: Dict[str, object] = {}
        self.counts: Dict[str, int] = {}

    def __enter__(self) -> 'BagWriter':
        self._writer.open()
        return self

    def __exit__(self, *exc) -> None:
        self._writer.close()

    def _write(self, topic: str, stamp_ns: int, msg) -> None:
        msgtype = self.TOPIC_TYPES[topic]
        if topic not in self._connections:
            self._connections[topic] = self._writer.add_connection(topic, msgtype,
                                                                   typestore=self.store)
        self._writer.write(self._connections[topic], int(stamp_ns),
                           self.store.serialize_cdr(msg, msgtype))
        self.counts[topic] = self.counts.get(topic, 0) + 1

    def write_radar_frame(self, orientation: str, frame: np.ndarray, config: ChirpConfig, *,
                          stamp_ns: int, frame_number: int, frame_id: str = '',
                          packets_expected: int = 0, packets_received: int = 0,
                          bytes_zero_filled: int = 0) -> None:
        """frame: complex (chirps, rx, samples) with int16-valued parts."""
        t = self.store.types
        iq = interleave_iq(frame)
        chirp = t['hupr_msgs/msg/ChirpConfig'](**config.message_fields())
        horizontal = orientation == topics.ORIENTATION_HORIZONTAL
        frame_id = frame_id or (topics.FRAME_RADAR_HORI if horizontal else topics.FRAME_RADAR_VERT)
        msg = t['hupr_msgs/msg/RadarFrame'](
            header=_header(self.store, stamp_ns, frame_id), frame_number=int(frame_number),
            orientation=orientation, config=chirp, data=iq.reshape(-1),
            packets_expected=packets_expected, packets_received=packets_received,
            bytes_zero_filled=bytes_zero_filled, zero_filled=bytes_zero_filled > 0)
        self._write(topics.RADAR_HORI_RAW if horizontal else topics.RADAR_VERT_RAW, stamp_ns,
                    msg)

    def write_image(self, image: np.ndarray, *, stamp_ns: int,
                    frame_id: str = topics.FRAME_CAMERA, encoding: str = 'rgb8') -> None:
        """image: uint8 (H, W, 3) rgb8 / bgr8 or (H, W) mono8."""
        channels = {'rgb8': 3, 'bgr8': 3, 'mono8': 1}.get(encoding)
        image = np.asarray(image)
        shape_ok = image.ndim == 2 if channels == 1 else (image.ndim == 3
                                                          and image.shape[2] == 3)
        if channels is None or image.dtype != np.uint8 or not shape_ok:
            raise ValueError(f'image {image.dtype} {image.shape} does not fit encoding '
                             f'{encoding!r} (rgb8, bgr8: uint8 (H, W, 3); mono8: (H, W))')
        height, width = image.shape[:2]
        msg = self.store.types['sensor_msgs/msg/Image'](
            header=_header(self.store, stamp_ns, frame_id), height=height, width=width,
            encoding=encoding, is_bigendian=0, step=width * channels,
            data=np.ascontiguousarray(image, dtype=np.uint8).reshape(-1))
        self._write(topics.CAMERA_IMAGE, stamp_ns, msg)

    def write_skeleton(self, topic: str, keypoints: np.ndarray, confidence: Optional[np.ndarray],
                       *, stamp_ns: int, source: str, model_name: str = '',
                       image_size: Tuple[int, int] = (256, 256),
                       frame_id: str = topics.FRAME_CAMERA) -> None:
        keypoints = np.asarray(keypoints, dtype=np.float32)
        confidence = np.ones(len(keypoints), np.float32) if confidence is None else \
            np.asarray(confidence, dtype=np.float32)
        msg = self.store.types['hupr_msgs/msg/Skeleton2D'](
            header=_header(self.store, stamp_ns, frame_id), source=source,
            model_name=model_name, image_width=image_size[0], image_height=image_size[1],
            x=keypoints[:, 0].copy(), y=keypoints[:, 1].copy(), confidence=confidence)
        self._write(topic, stamp_ns, msg)


def read_messages(path: Union[str, os.PathLike],
                  topic_names=None) -> Iterator[Tuple[str, int, object]]:
    """Yield (topic, log time ns, decoded message) from a bag, in time order.

    Raises:
        BagError: the bag is missing or cannot be read.
    """
    from rosbags.highlevel import AnyReader
    path = pathlib.Path(path)
    if not path.exists():
        raise BagError(f'bag not found: {path}')
    try:
        with AnyReader([path], default_typestore=typestore()) as reader:
            connections = [c for c in reader.connections
                           if topic_names is None or c.topic in topic_names]
            for connection, timestamp, raw in reader.messages(connections=connections):
                yield connection.topic, timestamp, reader.deserialize(raw, connection.msgtype)
    except BagError:
        raise
    except Exception as error:  # rosbags raises several types for damaged bags
        raise BagError(f'cannot read bag {path}: {error}') from error
