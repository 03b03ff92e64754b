# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
What a training process needs around the loop (no ROS).

:func:`interrupt_on_signals` turns SIGTERM and SIGINT into KeyboardInterrupt, so the loop
saves a resumable checkpoint however it is stopped; :func:`git_commit` is the code's commit,
recorded in every run folder and checkpoint.
"""

import contextlib
import functools
import pathlib
import signal
import subprocess
import threading


@functools.lru_cache(maxsize=1)
def git_commit() -> str:
    try:
        return subprocess.run(['git', 'rev-parse', 'HEAD'], capture_output=True, text=True,
                              cwd=pathlib.Path(__file__).parent, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ''


@contextlib.contextmanager
def interrupt_on_signals():
    """
    Turn SIGTERM (schedulers, ``kill``) and SIGINT into KeyboardInterrupt.

    SIGINT too where a background shell ignored it, so that the loop saves a resumable
    checkpoint whichever way it is stopped.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)
    previous = {s: signal.signal(s, interrupt) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
