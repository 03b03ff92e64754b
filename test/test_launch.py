# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
``ros2 launch hupr_ros bringup.launch.py source:=sim`` under launch_testing, from the suite.

launch_testing's pytest plugin does not load under this pytest (pytest.ini disables it), so
the launch test runs through its own runner, ``launch_test``, in a subprocess. Where the
launch tools are absent (no ROS install, set-up without ``--ros2-tools``) the test is skipped
with that reason; CI builds them, so there it always runs.
"""

import json
import os
import re
import shutil
import subprocess

from conftest import REPO
import pytest


@pytest.mark.slow
def test_bringup_sim_under_launch_testing(tmp_path, realtime_slot):
    launch_test = shutil.which('launch_test')
    if launch_test is None:
        if os.environ.get('HUPR_ROS2_TOOLS'):
            pytest.fail('HUPR_ROS2_TOOLS is set but launch_test is not on PATH: '
                        'source install/setup.bash after scripts/setup.sh')
        pytest.skip('launch_testing is not installed (scripts/setup.sh --ros2-tools SRC)')
    env = dict(os.environ, HUPR_LAUNCH_TEST_BAGS=str(tmp_path))     # labeller:=true too
    result = subprocess.run([launch_test, str(REPO / 'test' / 'launch' / 'bringup_sim.py')],
                            capture_output=True, text=True, timeout=300, cwd=REPO, env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    rates = json.loads(re.search(r'LAUNCH_TEST_RATES (\{.*\})', output).group(1))
    assert rates['skeletons'] >= 2.0, rates      # bounds: see bringup_sim.py
    # Both test classes ran and passed (the live one and the post-shutdown exit codes).
    assert len(re.findall(r'^Ran 1 test', output, re.M)) == 2, output[-3000:]
    assert 'process has finished cleanly' in output
    # the labeller recorded the simulator's ground truth with the radars, and closed the bag
    from hupr_ros.bags.recording import bag_summary
    bags = [p for p in tmp_path.iterdir() if (p / 'metadata.yaml').is_file()]
    assert len(bags) == 1, list(tmp_path.iterdir())
    counts = bag_summary(bags[0])
    assert counts.get('/rig_a/labels/skeleton', 0) >= 30, counts
    assert counts.get('/rig_a/radar/hori/raw', 0) >= 30, counts
