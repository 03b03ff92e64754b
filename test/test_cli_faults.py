# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The offline CLIs under bad arguments, unusable paths, old data and Ctrl-C.

One clear line, the documented exit status, nothing complete-looking left half-written.
"""

import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

from conftest import REPO
from hupr_ros.cli import output_dir_problem
from hupr_ros.tools import preprocess, sim
import pytest


def run_tool(module, *args, timeout=120):
    return subprocess.run([sys.executable, '-m', f'hupr_ros.tools.{module}', *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)


@pytest.fixture(scope='session')
def small_set(tmp_path_factory):
    out = tmp_path_factory.mktemp('cli') / 'data'
    assert sim.main([str(out), '--sequences', '2', '--frames', '3', '--workers', '1']) == 0
    return out


def test_sim_refuses_bad_values_with_one_line():
    for args, message in ((['--brightness', '-3'], '--brightness must be a number > 0'),
                          (['--brightness', 'nan'], '--brightness must be a number > 0'),
                          (['--workers', '0'], '--workers must be >= 1'),
                          (['--frames', '0'], '--frames must be >= 1')):
        result = run_tool('sim', '/tmp/never_written', *args)
        assert result.returncode == 2 and message in result.stderr, result.stderr
        assert 'Traceback' not in result.stderr
    assert not pathlib.Path('/tmp/never_written').exists()


def test_sim_help_explains_every_option():
    text = run_tool('sim', '--help').stdout
    for option in ('--sequences', '--frames', '--seed', '--brightness', '--workers', '--bags',
                   '--overwrite'):
        line = next(line for line in text.splitlines() if line.strip().startswith(option))
        index = text.index(line)
        assert len(text[index:index + 200].split(None, 3)) > 3, option   # has help text


@pytest.mark.parametrize('kind', ['file', 'file_parent', 'unwritable'])
def test_sim_and_preprocess_name_an_unusable_output_path(tmp_path, small_set, kind):
    blocker = tmp_path / 'a_file'
    blocker.write_text('x')
    out = {'file': blocker, 'file_parent': blocker / 'sub' / 'out',
           'unwritable': pathlib.Path('/proc/hupr_out')}[kind]
    assert output_dir_problem(out)
    for result in (run_tool('sim', out, '--sequences', '1', '--frames', '1'),
                   run_tool('preprocess', small_set, out)):
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2, result.stderr
        assert any(line.startswith('hupr-') and 'cannot write to' in line
                   and str(out) in line for line in lines), result.stderr
        assert 'Traceback' not in result.stderr


def test_sim_refuses_to_mix_datasets_and_overwrites_on_request(tmp_path):
    out = tmp_path / 'data'
    assert sim.main([str(out), '--sequences', '2', '--frames', '3', '--workers', '1']) == 0
    before = (out / 'sim_meta.json').read_text()
    result = run_tool('sim', out, '--sequences', '2', '--frames', '4', '--workers', '1')
    assert result.returncode == 2
    assert 'holds a HuPR-Sim set made with --plan generative --sequences 2 --frames 3 --seed 0' \
        in result.stderr
    assert '--overwrite' in result.stderr
    assert (out / 'sim_meta.json').read_text() == before            # metadata still true
    assert sim.main([str(out), '--sequences', '2', '--frames', '4', '--workers', '1',
                     '--overwrite']) == 0
    meta = json.loads((out / 'sim_meta.json').read_text())
    assert meta['frames'] == 4 and meta['complete'] is True
    size = (out / 'single_1' / 'hori' / 'adc_data.bin').stat().st_size
    assert size == 4 * 192 * 4 * 256 * 4
    annotations = json.loads((out / 'hrnet_annot_train.json').read_text())
    assert all(len(block) == 4 for block in annotations)


@pytest.mark.slow
def test_sim_ctrl_c_stops_at_once_and_resumes(tmp_path):
    out = tmp_path / 'data'
    process = subprocess.Popen(
        [sys.executable, '-m', 'hupr_ros.tools.sim', str(out), '--sequences', '6',
         '--frames', '12', '--workers', '2'], stderr=subprocess.PIPE, text=True, cwd=REPO,
        # a suite started in the background (`cmd &`) has SIGINT ignored, and a Python child
        # that starts with SIGINT ignored never raises KeyboardInterrupt: restore it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 90
    while not list(out.glob('single_*/sim_done.json')) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(out.glob('single_*/sim_done.json')), 'no sequence finished'
    process.send_signal(signal.SIGINT)
    start = time.monotonic()
    _, stderr = process.communicate(timeout=30)
    assert time.monotonic() - start < 2.0
    assert process.returncode == 130
    lines = [line for line in re.split(r'[\r\n]', stderr) if line.strip() and '%|' not in line]
    assert len(lines) == 1 and 'interrupted:' in lines[0] and 'run the same command' in \
        lines[0], stderr
    meta = json.loads((out / 'sim_meta.json').read_text())
    assert meta['complete'] is False                  # never claims data it didn't write
    for capture in out.glob('single_*/*/adc_data.bin'):   # a complete name: a whole capture
        assert (capture.parent.parent / 'sim_done.json').is_file()
        assert capture.stat().st_size == 12 * 192 * 4 * 256 * 4
    finished = {p.parent.name for p in out.glob('single_*/sim_done.json')}
    stamps = {name: (out / name / 'sim_done.json').stat().st_mtime_ns for name in finished}
    assert sim.main([str(out), '--sequences', '6', '--frames', '12', '--workers', '2']) == 0
    assert json.loads((out / 'sim_meta.json').read_text())['complete'] is True
    assert all((out / n / 'sim_done.json').stat().st_mtime_ns == t for n, t in stamps.items())
    assert not list(out.glob('single_*/*/*.partial'))


def test_preprocess_names_an_unknown_sequence(small_set, tmp_path):
    result = run_tool('preprocess', small_set, tmp_path / 'cache', '--sequences', 'single_99')
    assert result.returncode == 2
    assert 'no such sequence' in result.stderr and 'single_99' in result.stderr
    assert 'single_1 .. single_2' in result.stderr


def test_preprocess_warns_when_the_radars_disagree(small_set, tmp_path, caplog):
    import shutil
    data = tmp_path / 'data'
    shutil.copytree(small_set, data)
    capture = data / 'single_1' / 'hori' / 'adc_data.bin'
    with open(capture, 'r+b') as f:
        f.truncate(capture.stat().st_size - 1)
    with caplog.at_level('WARNING'):
        assert preprocess.main([str(data), str(tmp_path / 'cache'), '--output', 'input',
                                '--workers', '1', '--sequences', 'single_1']) == 0
    assert any('single_1: the radars have different frame counts (hori 2, vert 3)'
               in r.getMessage() for r in caplog.records), caplog.text


def test_offline_tools_are_on_path_after_setup():
    """The README's commands work as written after its set-up (scripts/setup.sh)."""
    if not (REPO / 'install' / 'setup.bash').is_file():
        pytest.skip('scripts/setup.sh has not run in this checkout')
    names = re.findall(r"'(hupr-[a-z-]+)': 'hupr_ros\.tools\.", (REPO / 'setup.py').read_text())
    assert 'hupr-sim' in names and 'hupr-preprocess' in names
    script = ('source .venv/bin/activate && set +u && source install/setup.bash && '
              + ' && '.join(f'command -v {name} >/dev/null' for name in names)
              + ' && hupr-sim --help && hupr-preprocess --help')
    env = {k: v for k, v in os.environ.items() if k not in ('VIRTUAL_ENV', 'AMENT_PREFIX_PATH')}
    env['PATH'] = '/usr/local/bin:/usr/bin:/bin'
    result = subprocess.run(['bash', '-c', script], capture_output=True, text=True, env=env,
                            cwd=REPO, timeout=120)
    assert result.returncode == 0 and result.stdout.count('usage:') == 2, result.stderr
