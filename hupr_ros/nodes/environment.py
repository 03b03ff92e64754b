# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Process defaults for the node executables, set before numpy, torch or DDS start.

:func:`apply_process_defaults` sets (an explicit environment setting always wins):

- ``FASTDDS_DEFAULT_PROFILES_FILE`` -> hupr_msgs' ``config/fastdds_large_data.xml``: raw frames
  (768 KiB) and cube pairs (8 MiB) exceed Fast DDS's default shared-memory segment; without
  the profile most of them are lost between processes (docs/benchmarks.md). Not where the user
  chose a transport set-up (a profile, or ``FASTDDS_BUILTIN_TRANSPORTS``): every process must
  use the same one, and a sourced workspace already sets this one (hupr_msgs' hook).
- ``OPENBLAS_NUM_THREADS`` / ``OMP_NUM_THREADS`` = 1: the per-frame matrix products are small;
  BLAS worker threads only spin against the DDS threads (4.3 vs ~10 ms per VRDAEMap measured).
- ``OMP_WAIT_POLICY`` = PASSIVE: OpenMP threads (torch's, when a node uses more than one)
  sleep instead of spinning between operations, so they don't take CPU from the other nodes.

The node executables (:mod:`hupr_ros.nodes.launcher`) call it before importing a node's module;
importing a module of this package changes nothing. This module imports only the standard
library (and hupr_ros.shipped, which does the same), so it can run first.
"""

import os

from hupr_ros.shipped import shipped_file

PROFILE_NAME = 'fastdds_large_data.xml'
#: The variable that points Fast DDS at a profiles file (set to the profile above).
PROFILE_VARIABLE = 'FASTDDS_DEFAULT_PROFILES_FILE'

#: Environment variables that mean the user chose how Fast DDS transports data.
TRANSPORT_VARIABLES = (PROFILE_VARIABLE, 'FASTRTPS_DEFAULT_PROFILES_FILE',
                       'FASTDDS_BUILTIN_TRANSPORTS')


def fastdds_profile() -> str:
    """Return the large-data profile's path: the source tree's, else hupr_msgs' installed one."""
    return str(shipped_file('hupr_msgs', 'config', PROFILE_NAME) or '')


def transport_chosen() -> bool:
    """Whether the environment already says how Fast DDS transports data."""
    return any(os.environ.get(name) for name in TRANSPORT_VARIABLES)


def apply_process_defaults() -> None:
    """Set this process's defaults (above) where the environment does not set them."""
    if not transport_chosen():
        profile = fastdds_profile()
        if profile:
            os.environ[PROFILE_VARIABLE] = profile
    for variable in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS'):
        os.environ.setdefault(variable, '1')
    os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
