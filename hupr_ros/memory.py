# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Keep freed memory in the process instead of handing it back to the kernel after every message.

The nodes allocate and free buffers of 0.75-8 MiB ten times a second (a raw frame, a cube pair,
the network input, the message copies DDS makes). glibc serves blocks of that size with a fresh
``mmap`` and returns them with ``munmap`` (its mmap threshold starts at 128 KiB), and trims the
heap above 128 KiB of free space, so each new buffer page-faults again: on a virtual machine a
page fault costs microseconds, and 8 MiB is 2,048 of them. Raising both thresholds keeps the
pages for the next message. Measured with ``bench/bench_graph.py`` (docs/benchmarks.md): CPU per
cube pair in the preprocessing node about halved, and more skeletons per second from the same
cores.

The cost is memory: a process keeps its peak heap (the pose node: tens of MiB more).
"""

import ctypes
import os

#: glibc ``mallopt`` parameters (malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
#: The largest mmap threshold glibc accepts on 64-bit machines (HEAP_MAX_SIZE / 2).
MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 256 * 1024 * 1024


def keep_freed_memory() -> bool:
    """
    Serve buffers up to 32 MiB from the heap and keep up to 256 MiB freed there.

    Does nothing where the C library has no ``mallopt`` (not glibc) or where the user set
    glibc's own ``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_``. Return whether it
    applied.
    """
    if os.environ.get('MALLOC_MMAP_THRESHOLD_') or os.environ.get('MALLOC_TRIM_THRESHOLD_'):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and \
        bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
