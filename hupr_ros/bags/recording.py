# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
A rosbag2 writer that survives being killed: what ``hupr-record`` writes with.

``rosbags`` commits an sqlite3 bag and writes its ``metadata.yaml`` only when the bag is
closed, so a recorder killed with SIGKILL (or a power cut) leaves nothing readable. This
writer commits the database and rewrites ``metadata.yaml`` (atomically) every ``flush_s``
seconds, so a killed recording is a complete, readable bag of everything up to its last flush.
ROS-free: the recorder node hands it serialised (CDR) messages.

While recording, the database is in SQLite's write-ahead-log mode (what rosbag2's own
``resilient`` storage preset uses): a commit appends to ``NAME.db3-wal``, and a writer killed
between or during commits leaves the last commit readable. A rollback journal would not do:
the hot journal a killed writer leaves must be rolled back before anyone reads the file, and
``ros2 bag`` opens bags read-only, which cannot. A read-only reader of a WAL database needs the
``-wal`` and ``-shm`` files beside it (they are, in the bag folder) and write permission on the
``-shm``. On a clean close the log is folded into the database and the file goes back to an
ordinary rollback journal, so a finished bag is a single ``.db3`` file.
"""

import os
import pathlib
import sqlite3
import time
from typing import Dict, List, Sequence, Union

from hupr_ros.bags import BagError, open_reader, typestore
import yaml


def _storage_file(path: pathlib.Path):
    """
    Open an sqlite3 storage file of our choosing.

    rosbags' sqlite3 storage writing the file ``path`` (rosbags names the file after the
    bag folder, which would allow one file per bag).
    """
    from rosbags.rosbag2.storage_sqlite3 import Sqlite3Writer

    class StorageFile(Sqlite3Writer):

        def __init__(self, file_path: pathlib.Path) -> None:     # noqa: D107 - see above
            self.path = file_path
            # the labeller writes from two threads, serialised by its lock
            self.conn = sqlite3.connect(f'file:{file_path}', uri=True, check_same_thread=False)
            self.conn.execute('PRAGMA journal_mode=WAL')
            self.conn.execute('PRAGMA synchronous=NORMAL')
            self.conn.executescript(self.SQLITE_SCHEMA.replace(
                "VALUES (4, 'rosbags')", f"VALUES (4, '{ros_distro()}')"))
            self.cursor = self.conn.cursor()

        def close(self, version: int, metadata: str) -> None:
            """Store the metadata, fold the log into the database, leave a plain .db3."""
            self.cursor.execute(
                'INSERT INTO metadata(metadata_version, metadata) VALUES(?, ?)',
                (version, metadata))
            self.conn.commit()
            self.conn.execute('PRAGMA wal_checkpoint(TRUNCATE)')
            self.conn.execute('PRAGMA journal_mode=DELETE')
            self.conn.close()

    return StorageFile(path)


def ros_distro() -> str:
    """Return the ROS distribution a bag records as written by (``$ROS_DISTRO``, as rosbag2)."""
    return os.environ.get('ROS_DISTRO', '') or 'unknown'


def storage_metadata(metadata: dict) -> str:
    """
    Return the text rosbag2 keeps in an sqlite3 file's ``metadata`` table.

    It is the bag information itself (what ``metadata.yaml`` holds under
    ``rosbag2_bagfile_information``), not the whole document: ``ros2 bag info FILE.db3``,
    ``ros2 bag play`` and ``convert`` decode it.
    """
    return yaml.safe_dump(metadata['rosbag2_bagfile_information'], sort_keys=False)


class RecordingWriter:
    """
    rosbag2 writer for live recordings.

    sqlite3, readable after every :meth:`flush` whatever happens next, and split into several files
    by size or time.

    A split recording is still one bag: ``NAME_0.db3``, ``NAME_1.db3``, ... in the bag
    folder, all listed in its ``metadata.yaml`` (as ``ros2 bag record --max-bag-size``
    does). ``storage='mcap'`` writes one ``.mcap`` file instead, which is readable only once
    closed (no flushing, no splits): use sqlite3 wherever the recorder may be killed.
    """

    def __init__(self, path: Union[str, os.PathLike], flush_s: float = 1.0,
                 split_bytes: int = 0, split_s: float = 0.0, storage: str = 'sqlite3') -> None:
        self.path = pathlib.Path(path)
        if self.path.exists():
            raise BagError(f'{self.path} exists; a recording never overwrites a bag')
        if not self.path.parent.is_dir():
            raise BagError(f'cannot record into {self.path}: {self.path.parent} is not a folder')
        if flush_s <= 0:
            raise ValueError(f'flush_s must be > 0, got {flush_s}')
        if split_bytes < 0 or split_s < 0:
            raise ValueError(f'split limits must be >= 0 (0: none), got {split_bytes} bytes '
                             f'and {split_s} s')
        if storage not in ('sqlite3', 'mcap'):
            raise ValueError(f'storage {storage!r}: expected sqlite3 or mcap')
        if storage == 'mcap' and (split_bytes or split_s):
            raise ValueError('mcap recordings are not split; use storage sqlite3 for splits')
        self.flush_s = float(flush_s)
        self.split_bytes = int(split_bytes)
        self.split_ns = int(split_s * 1e9)
        self.storage = storage
        self.store = typestore()
        self._topics: Dict[str, tuple] = {}
        self._digests: Dict[str, str] = {}
        self._connections: Dict[str, object] = {}
        self._writer = None
        self._finished: List[dict] = []      # per-file statistics of the closed splits
        self._file_bytes = 0
        self._last_flush = 0.0
        self.messages = 0

    def open(self) -> 'RecordingWriter':      # noqa: A003 - open / close, as rosbags' Writer
        try:
            self.path.mkdir()
        except OSError as error:
            raise BagError(f'cannot record into {self.path}: {error.strerror or error}') from None
        self._start_file()
        self.flush()
        return self

    @property
    def files(self) -> List[str]:
        """Return the bag's storage files so far, oldest first."""
        return [f['path'] for f in self._finished] + (
            [self._writer.storage.path.name] if self._writer is not None else [])

    def _start_file(self) -> None:
        from rosbags.rosbag2 import StoragePlugin, Writer
        from rosbags.rosbag2.enums import CompressionMode
        if self.storage == 'mcap':      # rosbags' own writer, one file, metadata at close
            self.path.rmdir()
            self._writer = Writer(self.path, version=9, storage_plugin=StoragePlugin.MCAP)
            self._writer.open()
            return
        # rosbags' writer with a storage file named NAME_k.db3 in the existing bag folder
        writer = Writer(self.path / '.not-used', version=9, storage_plugin=StoragePlugin.SQLITE3)
        writer.path, writer.metapath = self.path, self.path / 'metadata.yaml'
        writer.compression_mode = CompressionMode.NONE
        writer.storage = _storage_file(self.path / f'{self.path.name}_{len(self._finished)}.db3')
        self._writer = writer
        self._connections = {}
        self._file_bytes = 0
        for topic, (msgtype, offered_qos) in self._topics.items():
            self._add_connection(topic, msgtype, offered_qos)

    def _add_connection(self, topic: str, msgtype: str, offered_qos: Sequence) -> None:
        self._connections[topic] = self._writer.add_connection(
            topic, msgtype, typestore=self.store, offered_qos_profiles=list(offered_qos))

    def add_topic(self, topic: str, msgtype: str, offered_qos: Sequence = ()) -> None:
        """
        Declare a topic to record.

        Declare ``topic`` of ``msgtype`` ('pkg/msg/Type'), with the publishers' QoS
        (rosbags ``Qos``), stored so that ``ros2 bag play`` offers the same.
        """
        if msgtype not in self.store.types:
            raise BagError(f'{topic}: message type {msgtype} is unknown to the bag writer')
        self._topics[topic] = (msgtype, tuple(offered_qos))
        self._digests[topic] = self.store.hash_rihs01(msgtype)
        self._add_connection(topic, msgtype, offered_qos)

    def has_topic(self, topic: str) -> bool:
        return topic in self._connections

    def write(self, topic: str, log_time_ns: int, cdr: bytes) -> None:
        if self._needs_split(len(cdr), int(log_time_ns)):
            self._finish_file()
            self._start_file()
        self._writer.write(self._connections[topic], int(log_time_ns), cdr)
        self._file_bytes += len(cdr)
        self.messages += 1
        if self.storage == 'sqlite3' and time.monotonic() - self._last_flush >= self.flush_s:
            self.flush()

    def _needs_split(self, size: int, stamp_ns: int) -> bool:
        if self.storage != 'sqlite3' or not sum(self._writer.counts.values()):
            return False
        too_big = self.split_bytes and self._file_bytes + size > self.split_bytes
        too_long = self.split_ns and stamp_ns - self._writer.min_timestamp >= self.split_ns
        return bool(too_big or too_long)

    def _file_stats(self) -> dict:
        w = self._writer
        count = sum(w.counts.values())
        start = w.min_timestamp if count else 0
        return {'path': w.storage.path.name, 'start': start,
                'duration': max(0, w.max_timestamp - w.min_timestamp) if count else 0,
                'count': count,
                'topics': {c.topic: w.counts[c.id] for c in w.connections}}

    def _finish_file(self) -> None:
        stats = self._file_stats()
        self._writer.storage.close(9, storage_metadata(self._metadata()))
        self._finished.append(stats)
        self._writer = None
        self.flush()

    def flush(self) -> None:
        """Commit what is written and describe it in metadata.yaml (atomic replace)."""
        if self.storage != 'sqlite3':
            return
        if self._writer is not None:
            self._writer.storage.conn.commit()
        tmp = self.path / 'metadata.yaml.tmp'
        tmp.write_text(yaml.safe_dump(self._metadata(), sort_keys=False))
        tmp.replace(self.path / 'metadata.yaml')
        self._last_flush = time.monotonic()

    def close(self) -> None:
        """Commit and write the final metadata."""
        if self._writer is None:
            return
        if self.storage == 'mcap':
            self._writer.close()
            self._writer = None
            return
        self._finish_file()

    def _metadata(self) -> dict:
        from rosbags.rosbag2.metadata import dump_qos_v9
        files = list(self._finished)
        if self._writer is not None:
            files.append(self._file_stats())
        count = sum(f['count'] for f in files)
        start = min((f['start'] for f in files if f['count']), default=0)
        end = max((f['start'] + f['duration'] for f in files if f['count']), default=0)
        totals: Dict[str, int] = {}
        for f in files:
            for topic, n in f['topics'].items():
                totals[topic] = totals.get(topic, 0) + n
        digests = self._digests
        return {'rosbag2_bagfile_information': {
            'version': 9, 'storage_identifier': 'sqlite3',
            'relative_file_paths': [f['path'] for f in files],
            'duration': {'nanoseconds': end - start},
            'starting_time': {'nanoseconds_since_epoch': start},
            'message_count': count,
            'topics_with_message_count': [
                {'topic_metadata': {
                    'name': topic, 'type': msgtype, 'serialization_format': 'cdr',
                    'offered_qos_profiles': dump_qos_v9(list(qos)),
                    'type_description_hash': digests[topic]},
                 'message_count': totals.get(topic, 0)}
                for topic, (msgtype, qos) in self._topics.items()],
            'compression_format': '', 'compression_mode': '',
            'files': [{'path': f['path'],
                       'starting_time': {'nanoseconds_since_epoch': f['start']},
                       'duration': {'nanoseconds': f['duration']},
                       'message_count': f['count']} for f in files],
            'custom_data': None, 'ros_distro': ros_distro()}}


def recorded_counts(path: Union[str, os.PathLike]) -> Dict[str, int]:
    """
    Topic -> messages committed so far, from metadata.yaml.

    Safe while the recorder is still writing (reading the database itself is not: rosbags opens it
    as immutable).
    """
    meta = pathlib.Path(path) / 'metadata.yaml'
    try:
        info = yaml.safe_load(meta.read_text())['rosbag2_bagfile_information']
        return {t['topic_metadata']['name']: int(t['message_count'])
                for t in info['topics_with_message_count']}
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError):
        return {}


def bag_summary(path: Union[str, os.PathLike]) -> Dict[str, int]:
    """
    Count the messages of each topic of a bag.

    Topic -> message count of a finished (or killed) bag, read from the messages
    themselves, not the metadata. Not while a recorder still writes it: see
    :func:`recorded_counts`.
    """
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
