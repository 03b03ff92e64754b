# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
rosbag2 bags without ROS: write and read hupr_msgs topics with the pure-Python ``rosbags``.

:mod:`hupr_ros.bags.recording` is the writer of live recordings (it survives being killed).

Bags written here are ordinary rosbag2 bags (mcap by default, or sqlite3) with the message
definitions stored, so ``ros2 bag info/play`` on a ROS 2 install and :class:`rosbags` readers
both open them; the CDR bytes are what rclpy publishes.
"""

import contextlib
import logging
import os
import pathlib
import threading
from typing import Dict, Iterator, Optional, Tuple, Union

from hupr_ros import messages, topics
from hupr_ros.radar.config import ChirpConfig
from hupr_ros.shipped import shipped_file
import numpy as np

_LOG = logging.getLogger(__name__)

MSG_NAMES = ('ChirpConfig', 'RadarFrame', 'CubeAxis', 'RadarCube', 'RadarCubePair',
             'RadarInputPair', 'Skeleton2D')


class BagError(RuntimeError):
    """A bag cannot be written or read (missing, corrupt, unknown types)."""


def msg_dir() -> pathlib.Path:
    """Folder of the hupr_msgs .msg files: the source tree, else the installed share folder."""
    folder = shipped_file('hupr_msgs', 'msg')
    if folder is None:
        raise BagError('hupr_msgs message definitions not found (source tree or installed '
                       'share/hupr_msgs/msg)')
    return folder


def typestore():
    """Return a rosbags type store with the hupr_msgs types registered (ROS 2 Kilted)."""
    from rosbags.typesys import get_types_from_msg, get_typestore, Stores
    store = get_typestore(Stores.ROS2_KILTED)
    types = {}
    for name in MSG_NAMES:
        types.update(get_types_from_msg((msg_dir() / f'{name}.msg').read_text(),
                                        f'hupr_msgs/msg/{name}'))
    store.register(types)
    return store


def fully_qualified(topic: str) -> str:
    """Return ``topic`` as rosbag2 stores it: absolute ('radar/hori/raw' -> '/radar/hori/raw')."""
    return '/' + topic.lstrip('/')


class BagWriter:
    """
    Write radar frames, camera images and skeletons to a rosbag2 bag.

    Use as a context manager; the bag is complete when it closes. Arrays are copied into the
    message as numpy arrays (what rosbags serialises).
    """

    def __init__(self, path: Union[str, os.PathLike], storage: str = 'mcap') -> None:
        from rosbags.rosbag2 import StoragePlugin, Writer
        plugins = {'mcap': StoragePlugin.MCAP, 'sqlite3': StoragePlugin.SQLITE3}
        if storage not in plugins:
            raise ValueError(f'storage must be one of {sorted(plugins)}, got {storage!r}')
        self.path = pathlib.Path(path)
        if self.path.exists():
            raise BagError(f'{self.path} exists; rosbag2 never overwrites a bag')
        self.store = typestore()
        self.backend = rosbags_backend(self.store)
        self._writer = Writer(self.path, version=9, storage_plugin=plugins[storage])
        self._connections: Dict[str, object] = {}
        self.counts: Dict[str, int] = {}

    def __enter__(self) -> 'BagWriter':
        self._writer.open()
        return self

    def __exit__(self, *exc) -> None:
        self._writer.close()

    def _write(self, topic: str, stamp_ns: int, msg) -> None:
        msgtype = topics.MSG_TYPES[topic]
        if topic not in self._connections:
            # rosbag2 stores fully qualified names: `ros2 bag play --topics /radar/hori/raw`
            # and a replay into a namespace depend on it
            self._connections[topic] = self._writer.add_connection(
                fully_qualified(topic), msgtype, typestore=self.store)
        self._writer.write(self._connections[topic], int(stamp_ns),
                           self.store.serialize_cdr(msg, msgtype))
        self.counts[topic] = self.counts.get(topic, 0) + 1

    def write_radar_frame(self, orientation: str, frame: np.ndarray, config: ChirpConfig, *,
                          stamp_ns: int, frame_number: int, frame_id: str = '',
                          packets_expected: int = 0, packets_received: int = 0,
                          bytes_zero_filled: int = 0) -> None:
        """frame: complex (chirps, rx, samples) with int16-valued parts."""
        horizontal = orientation == topics.ORIENTATION_HORIZONTAL
        frame_id = frame_id or (topics.FRAME_RADAR_HORI if horizontal else topics.FRAME_RADAR_VERT)
        msg = messages.radar_frame(
            self.backend, frame, config, stamp_ns=stamp_ns, frame_id=frame_id,
            frame_number=frame_number, orientation=orientation,
            packets_expected=packets_expected, packets_received=packets_received,
            bytes_zero_filled=bytes_zero_filled)
        self._write(topics.RADAR_HORI_RAW if horizontal else topics.RADAR_VERT_RAW, stamp_ns,
                    msg)

    def write_image(self, image: np.ndarray, *, stamp_ns: int,
                    frame_id: str = topics.FRAME_CAMERA, encoding: str = 'rgb8') -> None:
        """image: uint8 (H, W, 3) rgb8 / bgr8 or (H, W) mono8."""
        self._write(topics.CAMERA_IMAGE, stamp_ns, messages.image(
            self.backend, image, stamp_ns=stamp_ns, frame_id=frame_id, encoding=encoding))

    def write_compressed_image(self, data: bytes, *, stamp_ns: int,
                               frame_id: str = topics.FRAME_CAMERA, fmt: str = 'jpeg') -> None:
        """Write encoded image bytes as they are (a JPEG file stays bit-exact)."""
        self._write(topics.CAMERA_IMAGE_COMPRESSED, stamp_ns, messages.compressed_image(
            self.backend, data, stamp_ns=stamp_ns, frame_id=frame_id, fmt=fmt))

    def set_custom_data(self, key: str, value: str) -> None:
        """Store a string in the bag's metadata.yaml (``custom_data``)."""
        self._writer.set_custom_data(key, value)

    def write_skeleton(self, topic: str, keypoints: np.ndarray, confidence: Optional[np.ndarray],
                       *, stamp_ns: int, source: str, model_name: str = '',
                       image_size: Tuple[int, int] = (256, 256),
                       frame_id: str = topics.FRAME_CAMERA) -> None:
        self._write(topic, stamp_ns, messages.skeleton(
            self.backend, keypoints, confidence, stamp_ns=stamp_ns, frame_id=frame_id,
            source=source, model_name=model_name, image_size=image_size))


_DTYPES = {'h': np.int16, 'B': np.uint8, 'f': np.float32}


def rosbags_backend(store) -> messages.Backend:
    """Return the typestore's classes as a :mod:`hupr_ros.messages` backend (arrays stay numpy)."""
    return messages.Backend(lambda name, **fields: store.types[name](**fields),
                            lambda typecode, values: np.ascontiguousarray(
                                values, dtype=_DTYPES[typecode]))


def recover_sqlite(path: Union[str, os.PathLike]) -> None:
    """
    Bring what a killed writer left in an sqlite3 bag into its database file.

    rosbags opens sqlite3 bags read-only and "immutable", which ignores both of the files a
    killed writer can leave beside ``NAME.db3``:

    - a write-ahead log (``-wal``, our recorder and rosbag2's ``resilient`` preset): the
      commits in it are folded into the database (a checkpoint), or rosbags would miss them;
    - a hot rollback journal (``-journal``, older recordings): it is rolled back, or rosbags
      would read half-written pages.

    Both happen once, with an ordinary connection. Everything committed before the kill stays.
    """
    import sqlite3
    for leftover in [*pathlib.Path(path).glob('*.db3-journal'),
                     *pathlib.Path(path).glob('*.db3-wal')]:
        database = leftover.with_name(leftover.name.rsplit('-', 1)[0])
        if not database.is_file():
            continue
        try:
            connection = sqlite3.connect(str(database))
            try:
                connection.execute('SELECT count(*) FROM sqlite_master').fetchone()
                if leftover.name.endswith('-wal'):
                    connection.execute('PRAGMA wal_checkpoint(TRUNCATE)').fetchone()
            finally:
                connection.close()
        except sqlite3.Error as error:
            raise BagError(f'{database}: cannot recover what a killed writer left in '
                           f'{leftover.name} ({error})') from error


_KNOWN_ENCODINGS_SQL = "WHERE encoding IN ('ros2msg', 'ros2idl') ORDER BY id"
_OPEN_LOCK = threading.Lock()


@contextlib.contextmanager
def _sqlite_definitions_without_unknown_encodings():
    """
    Let rosbags open sqlite3 bags that hold definitions it cannot decode.

    rosbag2 stores service-event topics (``ros2 bag record --all-services``) with an empty
    definition encoding, and rosbags' sqlite3 reader then fails on the whole bag. While this is
    active, its query of the ``message_definitions`` table leaves those rows out: their topics
    come without a definition and :func:`open_reader` skips them (the mcap reader already
    reads an empty encoding as "no definition").
    """
    from rosbags.rosbag2 import storage_sqlite3
    apsw = getattr(storage_sqlite3, 'apsw', None)
    if apsw is None:          # a rosbags that reads sqlite3 otherwise: nothing to adapt
        yield
        return

    class Cursor:

        def __init__(self, cursor) -> None:
            self._cursor = cursor

        def execute(self, sql, *args):
            if 'FROM message_definitions ORDER BY id' in sql:
                sql = sql.replace('ORDER BY id', _KNOWN_ENCODINGS_SQL)
            return self._cursor.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self._cursor, name)

    class Connection:

        def __init__(self, *args, **kwargs) -> None:
            self._connection = apsw.Connection(*args, **kwargs)

        def cursor(self):
            return Cursor(self._connection.cursor())

        def __getattr__(self, name):
            return getattr(self._connection, name)

    class Apsw:

        def __getattr__(self, name):
            return Connection if name == 'Connection' else getattr(apsw, name)

    with _OPEN_LOCK:
        storage_sqlite3.apsw = Apsw()
        try:
            yield
        finally:
            storage_sqlite3.apsw = apsw


def _decodable_reader_class():
    from rosbags.highlevel import AnyReader

    class Reader(AnyReader):
        """AnyReader whose default connections are the decodable ones (see open_reader)."""

        skipped: list = []

        def messages(self, connections=(), start=None, stop=None):
            return super().messages(connections or self.connections, start=start, stop=stop)

    return Reader


def open_reader(path: Union[str, os.PathLike]):
    """
    Open a bag for reading, with the hupr_msgs types.

    Return an opened rosbags ``AnyReader`` on the bag at ``path``, with the hupr_msgs types and
    whatever a killed writer left recovered (:func:`recover_sqlite`). Close it after use.

    Topics whose type the bag does not define and neither rosbags nor hupr_msgs know (the
    service-event topics of ``ros2 bag record --all-services``, a message package that is not
    installed) are skipped with one warning line; the reader's ``connections`` and
    ``messages()`` are the rest, and ``reader.skipped`` lists the skipped connections.

    :raises BagError: the bag is missing, cannot be opened, or holds no decodable topic.
    """
    path = pathlib.Path(path)
    if not path.exists():
        raise BagError(f'bag not found: {path}')
    recover_sqlite(path)
    try:
        with _sqlite_definitions_without_unknown_encodings():
            reader = _decodable_reader_class()([path], default_typestore=typestore())
            reader.open()
    except Exception as error:  # noqa: B902 - rosbags raises several types for damaged bags
        raise BagError(f'cannot read bag {path}: {error}') from error
    known = reader.typestore.types
    reader.skipped = [c for c in reader.connections if c.msgtype not in known]
    if reader.skipped:
        reader.connections = [c for c in reader.connections if c.msgtype in known]
        listed = ', '.join(sorted(f'{c.topic} ({c.msgtype})' for c in reader.skipped))
        _LOG.warning('%s: skipping %d topic(s) whose message types cannot be decoded here: %s',
                     path, len(reader.skipped), listed)
        if not reader.connections:
            reader.close()
            raise BagError(f'{path}: no topic of this bag can be decoded here ({listed})')
    return reader


def read_messages(path: Union[str, os.PathLike],
                  topic_names=None) -> Iterator[Tuple[str, int, object]]:
    """
    Yield (topic, log time ns, decoded message) from a bag, in time order.

    :raises BagError: the bag is missing or cannot be read.
    """
    reader = open_reader(path)
    try:
        connections = [c for c in reader.connections
                       if topic_names is None or c.topic in topic_names]
        for connection, timestamp, raw in reader.messages(connections=connections):
            yield connection.topic, timestamp, reader.deserialize(raw, connection.msgtype)
    except Exception as error:  # noqa: B902 - rosbags raises several types for damaged bags
        raise BagError(f'cannot read bag {path}: {error}') from error
    finally:
        reader.close()
