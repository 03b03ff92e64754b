# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""Shared pytest set-up: an isolated, loopback-only ROS 2 domain per test session."""

import fcntl
import os
import pathlib
import random
import re
import subprocess
import sys
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
DATA = REPO / 'test' / 'data'
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# DDS traffic of the tests stays on this machine and in a domain of its own, so that parallel
# runs and other ROS users on the network never see it. Under pytest-xdist each worker inherits
# the controller's domain and moves to one of its own (gw0 keeps it, gw1 takes the next, ...),
# wrapping within 1..101, the domains whose ports are safe everywhere.
os.environ.setdefault('ROS_DOMAIN_ID', str(random.Random(os.getpid()).randint(1, 101)))
if os.environ.get('PYTEST_XDIST_WORKER', '').startswith('gw'):
    os.environ['ROS_DOMAIN_ID'] = str(1 + (int(os.environ['ROS_DOMAIN_ID']) - 1 +
                                           int(os.environ['PYTEST_XDIST_WORKER'][2:])) % 101)
os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
os.environ.pop('ROS_LOCALHOST_ONLY', None)
# pytest-xdist already keeps every core busy with a worker each. torch's default of one thread
# per core in every worker (and in the processes the tests start) oversubscribes them, and
# OpenMP threads spin while they wait: 28 of 180 CPU seconds of the suite on 2 cores. Set before
# anything imports torch or numpy.
if int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', '1')) > 1:
    for _var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS'):
        os.environ.setdefault(_var, '1')


def _has_module(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True


HAVE_ROS = _has_module('rclpy') and _has_module('hupr_msgs.msg')
requires_ros = pytest.mark.skipif(
    not HAVE_ROS and not os.environ.get('CI'),
    reason='rclpy / hupr_msgs not importable (run scripts/setup.sh and source install/setup.bash)')


@pytest.fixture(scope='session')
def data_dir() -> pathlib.Path:
    return DATA


def spawn_module(*args) -> subprocess.Popen:
    """Start ``python -m ARGS`` in the repository, unbuffered, stdout and stderr together."""
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    return subprocess.Popen([sys.executable, '-m', *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO)


def spawn_replay_pose_node() -> subprocess.Popen:
    """
    Start a pose node for replayed raw frames.

    It is fused (raw frames in, no preprocessing node), with the small 4-filter test
    checkpoint, causal and without presence gating: every window it completes gives a skeleton.
    """
    weights = REPO / 'test' / 'data' / 'hupr_nf4_checkpoint.pth'
    return spawn_module('hupr_ros.nodes', 'pose_node', '--ros-args',
                        '-p', f'weights_path:={weights}',
                        '-p', 'num_filters:=4', '-p', 'presence:=false', '-p', 'fused:=true',
                        '-p', 'window_alignment:=causal', '-p', 'torch_threads:=1')


#: A DDS participant's shared-memory segment in Fast DDS's folder, beside its ``_el`` lock file.
_DDS_SEGMENT = re.compile(r'^fastdds_[0-9a-f]{16}$')
_SESSION_START = time.time()


def remove_zombie_dds_segments(folder: pathlib.Path = pathlib.Path('/dev/shm'),
                               since: float = 0.0, min_age_s: float = 5.0) -> list:
    """
    Delete the Fast DDS segments of participants that died, made at ``since`` or later.

    Each participant holds an exclusive flock on its segment's ``_el`` file while it lives, and
    unlinks both when it ends cleanly; a process killed with SIGKILL (as several tests do on
    purpose) leaves them, up to 70 MB of memory each in ``/dev/shm``. A lock that can be taken
    has no owner left. Lock files younger than ``min_age_s`` are left alone: a participant
    starting in another pytest-xdist worker creates the file a moment before it locks it.
    Returns the removed segments' names.
    """
    removed = []
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return removed
    for name in names:
        segment, lock_path = folder / name, folder / f'{name}_el'
        if not _DDS_SEGMENT.match(name) or not lock_path.is_file():
            continue
        try:
            made = lock_path.stat().st_mtime
            if made < since or made > time.time() - min_age_s:
                continue
            with open(lock_path, 'ab') as lock:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                segment.unlink(missing_ok=True)
                lock_path.unlink(missing_ok=True)
            removed.append(name)
        except OSError:        # locked: its participant is alive (or the file just went)
            continue
    return removed


def pytest_sessionfinish(session, exitstatus):
    """Leave no shared memory behind from the processes this session killed."""
    remove_zombie_dds_segments(since=_SESSION_START - 1)


def pytest_collection_modifyitems(config, items):
    """
    Run the slow tests first.

    Under pytest-xdist the long tests then start at once, on every worker, and the short ones fill
    in around them, instead of one worker finishing a long test alone at the end. A worker then
    moves between modules often, so the tests' data fixtures are session-scoped (made once per
    worker), not module-scoped (made again on every return to the module).
    """
    items.sort(key=lambda item: item.get_closest_marker('slow') is None)
    # The slow tests that take turns on the machine's real-time slot (realtime_slot) go out
    # spread among the other slow ones, so a worker seldom waits for the slot while the other
    # holds it: slot, other, other, slot, ...
    slow = [item for item in items if item.get_closest_marker('slow') is not None]
    slot = [item for item in slow if 'realtime_slot' in getattr(item, 'fixturenames', ())]
    other = [item for item in slow if item not in slot]
    spread = []
    while slot or other:
        spread += slot[:1] + other[:2]
        slot, other = slot[1:], other[2:]
    items[:len(slow)] = spread


@pytest.fixture
def realtime_slot():
    """
    Hold the machine's one slot for a test that measures the live graph's rate.

    The tests that need the graph to keep real time (rates under launch, rviz2 drawing a
    skeleton, a real ``ros2 bag record`` of N frames) take it in turn across pytest-xdist
    workers (an flock on a file in the temp folder), so two of them never share two cores,
    each with a software renderer or a 10 Hz simulation. The other tests run beside them.
    """
    import fcntl
    import tempfile
    path = pathlib.Path(tempfile.gettempdir()) / f'hupr_ros_realtime_{os.getuid()}.lock'
    with open(path, 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
