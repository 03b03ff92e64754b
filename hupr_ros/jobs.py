# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Jobs in worker processes that stop on Ctrl-C (the offline tools' parallel work).

Ctrl-C stops within a second, leaving completed work in place for a re-run to resume and no
partial file that looks complete (docs/robustness.md).
"""

from concurrent.futures import as_completed, Future, ProcessPoolExecutor
import contextlib
import multiprocessing
import signal
from typing import Any, Callable, Hashable, Iterable, Iterator, Tuple


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """
    Return a process pool whose workers leave Ctrl-C to the parent.

    Workers start from a fork server, so a parent with threads is safe to use it.

    On KeyboardInterrupt in the ``with`` body the workers are terminated at once (their unfinished
    output is left as partial files that the tools never mistake for complete ones) and the
    interrupt goes on.
    """
    # forkserver, not fork: a fork copies a parent's threads' locks but not the threads (rclpy,
    # DDS and torch keep threads), and a worker could then crash or hang in a finaliser.
    pool = ProcessPoolExecutor(max(1, workers), initializer=_ignore_sigint,
                               mp_context=multiprocessing.get_context('forkserver'))
    try:
        yield pool
    except (KeyboardInterrupt, GeneratorExit):   # GeneratorExit: run_jobs' caller stopped
        processes = list((getattr(pool, '_processes', None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=1.0)
        raise
    else:
        pool.shutdown(wait=True)


def run_jobs(function: Callable[..., Any], jobs: Iterable[Tuple[Hashable, tuple]],
             workers: int) -> Iterator[Tuple[Hashable, Future]]:
    """
    Run ``function(*args)`` for each ``(key, args)`` of ``jobs``, yielding ``(key, future)``.

    Each pair comes as its job ends. With more than one worker the jobs run in a
    :func:`worker_pool`, in completion order. With one, they run here, in order: no pool to
    start, whose start-up would outweigh a small job. Either way an exception of a job is in its
    future (``future.result()`` raises it), and Ctrl-C stops.
    """
    if workers <= 1:
        for key, args in jobs:
            future: Future = Future()
            try:
                future.set_result(function(*args))
            except Exception as error:      # noqa: B902  (handed to the caller, as a pool does)
                future.set_exception(error)
            yield key, future
        return
    with worker_pool(workers) as pool:
        futures = {pool.submit(function, *args): key for key, args in jobs}
        for future in as_completed(futures):
            yield futures[future], future
