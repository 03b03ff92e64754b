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

"""A rosbag2 writer that survives being killed: what ``hupr-record`` writes with.

``rosbags`` commits an sqlite3 bag and writes its ``metadata.yaml`` only when the bag is
closed, so a recorder killed with SIGKILL (or a power cut) leaves nothing readable. This
writer commits the database and rewrites ``metadata.yaml`` (atomically) every ``flush_s``
seconds, so a killed recording is a complete, readable bag of everything up to its last flush.
ROS-free: the recorder node hands it serialised (CDR) messages.
"""

import os
import pathlib
import time
from typing import Dict, Sequence, Union

import yaml

from hupr_ros.bags import BagError, open_reader, typestore


class RecordingWriter:
    """sqlite3 rosbag2 writer, readable after every :meth:`flush` whatever happens next."""

    def __init__(self, path: Union[str, os.PathLike], flush_s: float = 1.0) -> None:
        from rosbags.rosbag2 import StoragePlugin, Writer
        self.path = pathlib.Path(path)
        if self.path.exists():
            raise BagError(f'{self.path} exists; a recording never overwrites a bag')
        if not self.path.parent.is_dir():
            raise BagError(f'cannot record into {self.path}: {self.path.parent} is not a folder')
        if flush_s <= 0:
            raise ValueError(f'flush_s must be > 0, got {flush_s}')
        self.flush_s = float(flush_s)
        self.store = typestore()
        self._writer = Writer(self.path, version=9, storage_plugin=StoragePlugin.SQLITE3)
        self._connections: Dict[str, object] = {}
        self._last_flush = 0.0
        self.messages = 0

    def open(self) -> 'RecordingWriter':
        try:
            self._writer.open()
        except OSError as error:
            raise BagError(f'cannot record into {self.path}: {error.strerror or error}') from None
        self.flush()
        return self

    def add_topic(self, topic: str, msgtype: str, offered_qos: Sequence = ()) -> None:
        """Declare ``topic`` of ``msgtype`` ('pkg/msg/Type'), with the publishers' QoS
        (rosbags ``Qos``), stored so that ``ros2 bag play`` offers the same."""
        if msgtype not in self.store.types:
            raise BagError(f'{topic}: message type {msgtype} is unknown to the bag writer')
        self._connections[topic] = self._writer.add_connection(
            topic, msgtype, typestore=self.store, offered_qos_profiles=list(offered_qos))

    def has_topic(self, topic: str) -> bool:
        return topic in self._connections

    def write(self, topic: str, log_time_ns: int, cdr: bytes) -> None:
        self._writer.write(self._connections[topic], int(log_time_ns), cdr)
        self.messages += 1
        if time.monotonic() - self._last_flush >= self.flush_s:
            self.flush()

    def flush(self) -> None:
        """Commit what is written and describe it in metadata.yaml (atomic replace)."""
        self._writer.storage.conn.commit()
        tmp = self.path / 'metadata.yaml.tmp'
        tmp.write_text(yaml.safe_dump(self._metadata(), sort_keys=False))
        tmp.replace(self.path / 'metadata.yaml')
        self._last_flush = time.monotonic()

    def close(self) -> None:
        """Final commit and metadata (rosbags' own close)."""
        if self._writer.storage is not None:
            self._writer.close()

    def _metadata(self) -> dict:
        from rosbags.rosbag2.metadata import dump_qos_v9
        w = self._writer
        count = sum(w.counts.values())
        start = w.min_timestamp if count else 0
        duration = max(0, w.max_timestamp - w.min_timestamp) if count else 0
        name = w.storage.path.name
        return {'rosbag2_bagfile_information': {
            'version': 9, 'storage_identifier': 'sqlite3', 'relative_file_paths': [name],
            'duration': {'nanoseconds': duration},
            'starting_time': {'nanoseconds_since_epoch': start},
            'message_count': count,
            'topics_with_message_count': [
                {'topic_metadata': {
                    'name': c.topic, 'type': c.msgtype,
                    'serialization_format': c.ext.serialization_format,
                    'offered_qos_profiles': dump_qos_v9(c.ext.offered_qos_profiles),
                    'type_description_hash': c.digest},
                 'message_count': w.counts[c.id]}
                for c in w.connections],
            'compression_format': '', 'compression_mode': '',
            'files': [{'path': name, 'starting_time': {'nanoseconds_since_epoch': start},
                       'duration': {'nanoseconds': duration}, 'message_count': count}],
            'custom_data': None, 'ros_distro': 'rosbags'}}


def recorded_counts(path: Union[str, os.PathLike]) -> Dict[str, int]:
    """Topic -> messages committed so far, from metadata.yaml: safe while the recorder is still
    writing (reading the database itself is not: rosbags opens it as immutable)."""
    meta = pathlib.Path(path) / 'metadata.yaml'
    try:
        info = yaml.safe_load(meta.read_text())['rosbag2_bagfile_information']
        return {t['topic_metadata']['name']: int(t['message_count'])
                for t in info['topics_with_message_count']}
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError):
        return {}


def bag_summary(path: Union[str, os.PathLike]) -> Dict[str, int]:
    """Topic -> message count of a finished (or killed) bag, read from the messages
    themselves, not the metadata. Not while a recorder still writes it: see
    :func:`recorded_counts`."""
    path = pathlib.Path(path)
    if not (path / 'metadata.yaml').is_file():
        raise BagError(f'{path}: no metadata.yaml (not a rosbag2 folder)')
    reader = open_reader(path)
    try:
        counts: Dict[str, int] = {}
        for connection, _, _ in reader.messages():      # not deserialised: counting only
            counts[connection.topic] = counts.get(connection.topic, 0) + 1
        return counts
    except Exception as error:  # noqa: B902 - rosbags raises several types for damaged bags
        raise BagError(f'cannot read bag {path}: {error}') from error
    finally:
        reader.close()
