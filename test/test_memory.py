# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""hupr_ros.memory: large buffers reuse their pages instead of faulting them in again."""

import os
import subprocess
import sys

from conftest import REPO
import pytest

CHILD = """
import resource, sys
import numpy as np
from hupr_ros.memory import keep_freed_memory
applied = keep_freed_memory() if sys.argv[1] == 'keep' else False
def cycle():       # a cube pair taken off DDS: the 8 MiB message and its two 4 MiB cubes
    buffers = [np.empty(n << 20, np.uint8) for n in (8, 4, 4, 8)]
    for b in buffers:
        b.fill(1)                        # touch every page
    del buffers
cycle()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    cycle()
print(applied, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def faults(mode: str, env=None) -> tuple:
    out = subprocess.run([sys.executable, '-c', CHILD, mode], cwd=REPO, capture_output=True,
                         text=True, timeout=60, env=env, check=True).stdout.split()
    return out[0] == 'True', int(out[1])


@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='glibc mallopt')
def test_freed_buffers_keep_their_pages():
    env = {k: v for k, v in os.environ.items() if not k.startswith('MALLOC_')}
    applied, kept = faults('keep', env)
    _, default = faults('default', env)
    assert applied
    # 20 cycles of 24 MiB: with glibc's defaults part of the heap is trimmed after each, and
    # faults in again (about 40,000 faults: 8 MiB a cycle); kept, the pages are reused.
    assert default > 20 * 1024, default
    assert kept < default / 10, (kept, default)


def test_a_users_malloc_setting_wins():
    env = dict(os.environ, MALLOC_TRIM_THRESHOLD_='131072')
    applied, _ = faults('keep', env)
    assert not applied
