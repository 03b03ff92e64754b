# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
The labeller node over real DDS.

Sim -> labeller (ground truth) -> bag -> training -> evaluation, a SIGKILLed labeller's bag, and
start-up refusals.
"""

import json
import signal
import subprocess
import sys
import time

from conftest import REPO, requires_ros
from conftest import spawn_module as _spawn
import pytest

pytestmark = requires_ros


def _has_cuda() -> bool:
    import torch
    return torch.cuda.is_available()


def _labeller(tmp_path, name, *params):
    args = ['-p', f'output_dir:={tmp_path}', '-p', f'bag_name:={name}', '-p', 'flush_s:=0.5']
    for p in params:
        args += ['-p', p]
    return _spawn('hupr_ros.nodes', 'labeller_node', '--ros-args', '-r', f'__node:={name}', *args)


@pytest.mark.slow
def test_record_with_the_labeller_then_train_and_evaluate_from_the_bags(tmp_path):
    from hupr_ros import topics
    from hupr_ros.bags.recording import bag_summary, recorded_counts
    from hupr_ros.tools import evaluate
    from hupr_ros.training.config import TrainConfig
    from hupr_ros.training.trainer import Trainer
    sim = _spawn('hupr_ros.nodes', 'sim_node', '--ros-args', '-p', 'motion:=wave_one',
                 '-p', 'seed:=4')
    train = _labeller(tmp_path, 'walk_a')
    killed = _labeller(tmp_path, 'walk_b', 'split_duration_s:=1.5')
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            time.sleep(0.25)
            counts = [recorded_counts(tmp_path / n) for n in ('walk_a', 'walk_b')]
            if all(c.get('/' + topics.LABEL_SKELETON, 0) >= 20 for c in counts):
                break
        assert killed.poll() is None, killed.stdout.read()
        killed.send_signal(signal.SIGKILL)           # no chance to close the bag
        killed.wait(10)
        train.send_signal(signal.SIGINT)
        assert train.wait(30) == 0
        log = train.stdout.read()
    finally:
        for process in (sim, train, killed):
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
    assert 'frames not labelled' in log and 'Traceback' not in log, log
    kept = bag_summary(tmp_path / 'walk_b')          # the killed one reads back
    assert kept['/' + topics.LABEL_SKELETON] >= 15, kept
    assert min(kept['/' + t] for t in (topics.RADAR_HORI_RAW, topics.RADAR_VERT_RAW)) >= 15
    assert len(list((tmp_path / 'walk_b').glob('*.db3'))) >= 2      # split by time
    # train from the closed bag, validate and evaluate on the killed one
    config = TrainConfig(bags={'train': [str(tmp_path / 'walk_a')],
                               'val': [str(tmp_path / 'walk_b')]},
                         out_dir=str(tmp_path / 'run'), variant='realtime', num_filters=2,
                         batch_size=2, threads=1, max_steps=3, save_every=3, eval_every=3,
                         log_every=1, val_max_frames=4)
    progress = Trainer(config, show_progress=False).run()
    assert progress.step == 3
    out = tmp_path / 'eval'
    assert evaluate.main([str(tmp_path / 'run' / 'last.pth'), str(tmp_path / 'walk_b'),
                          '--cache', str(tmp_path / 'eval_data'), '--split', 'test',
                          '--out', str(out)]) == 0
    metrics = json.loads((out / 'metrics.json').read_text())
    assert metrics['frames'] >= 15 and 0.0 <= metrics['ap'] <= 100.0


@pytest.mark.parametrize('params, needle', [
    (['backend:=hrnet'], 'needs weights'),
    (['backend:=hrnet', 'weights:=/no/such.pth'], 'no such file'),
    (['backend:=blazepose', 'blazepose_python:=/no/python'], 'no such file'),
    pytest.param(['backend:=hrnet', 'weights:=/no/such.pth', 'device:=cuda'], 'no CUDA GPU',
                 marks=pytest.mark.skipif(_has_cuda(), reason='this machine has a GPU')),
    (['backend:=openpose'], 'backend must be one of'),
    (['output_dir:=/no/such/dir'], 'is not a folder'),
    (['storage:=rosbag1'], 'storage'),
])
def test_labeller_refuses_with_one_line(tmp_path, params, needle):
    args = ['--ros-args', '-p', f'output_dir:={tmp_path}']
    for p in params:
        args += ['-p', p]
    result = subprocess.run([sys.executable, '-m', 'hupr_ros.nodes', 'labeller_node', *args],
                            capture_output=True, text=True, timeout=60, cwd=REPO)
    assert result.returncode == 1, result.stderr
    assert needle in result.stderr and 'Traceback' not in result.stderr, result.stderr


@pytest.mark.slow
def test_hrnet_labeller_live_accounts_for_every_frame(tmp_path):
    """
    Label the simulator's camera live with HRNet and account for every frame.

    HRNet has random weights in the official format. With a queue of one image it falls behind
    on 2 cores: every image is then either labelled or counted as not labelled, never lost.
    """
    import re

    from hupr_ros import topics
    from hupr_ros.labeller.hrnet import PoseHighResolutionNet
    from hupr_ros.bags.recording import bag_summary, recorded_counts
    import torch
    weights = tmp_path / 'hrnet.pth'
    torch.save(PoseHighResolutionNet(16).state_dict(), weights)
    sim = _spawn('hupr_ros.nodes', 'sim_node', '--ros-args', '-p', 'seed:=2')
    labeller = _labeller(tmp_path, 'hr', f'weights:={weights}', 'queue_size:=1',
                         'jpeg_quality:=85')
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            time.sleep(0.25)
            if recorded_counts(tmp_path / 'hr').get('/' + topics.LABEL_SKELETON, 0) >= 10:
                break
        labeller.send_signal(signal.SIGINT)
        assert labeller.wait(60) == 0
        log = labeller.stdout.read()
    finally:
        for process in (sim, labeller):
            if process.poll() is None:
                process.kill()
                process.wait()
    found = re.search(r'(\d+) labels, (\d+) images, \d+ radar frames, (\d+) frames not '
                      r'labelled', log)
    assert found, log[-3000:]
    labels, images, not_labelled = map(int, found.groups())
    assert labels >= 10 and labels + not_labelled == images, log[-3000:]
    counts = bag_summary(tmp_path / 'hr')
    assert counts['/' + topics.LABEL_SKELETON] == labels
    assert counts['/' + topics.CAMERA_IMAGE_COMPRESSED] == images
