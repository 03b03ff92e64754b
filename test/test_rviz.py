# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
rviz/hupr.rviz in the real rviz2, against the simulator graph, with and without a namespace.

``ros2 launch hupr_ros bringup.launch.py rviz:=true`` under a headless X server (Xvfb, Mesa's
software renderer). rviz2 has no screenshot command: the test grabs the display, keeps the
picture (``out/test_artifacts/rviz_*.png``) and reads it: the skeleton markers must be drawn in
the 3-D view, both image panels must show an image (not "No Image"), and the Displays tree must
show no warning or error (a missing fixed frame, a topic of the wrong type).

Runs where rviz2 is installed: on a ROS install, or with the rviz2 prefix that ``.ci/run``
unpacks (scripts/setup.sh, HUPR_RVIZ_PREFIX); there a missing rviz2 is a failure, not a skip.
"""

import os
import shutil
import signal
import subprocess
import time

from conftest import REPO, requires_ros
import numpy as np
import pytest
import yaml

pytestmark = [requires_ros, pytest.mark.slow]

ARTIFACTS = REPO / 'out' / 'test_artifacts'
RVIZ_PREFIX = REPO / '.venv' / 'ros2_prefixes' / 'rviz_prefix'
ROSBAG2_PREFIX = REPO / '.venv' / 'ros2_prefixes' / 'rosbag2_prefix'


def _rviz_shell_prefix() -> str:
    """Return the shell words that give a command rviz2's environment, or '' if none."""
    if (RVIZ_PREFIX / 'rviz_env.sh').is_file():
        return (f'RVIZ_VENV="$VIRTUAL_ENV" RVIZ_UNDERLAY={ROSBAG2_PREFIX} '
                f'source {RVIZ_PREFIX}/rviz_env.sh && ')
    if shutil.which('rviz2'):
        return ''
    if os.environ.get('HUPR_RVIZ_PREFIX'):
        pytest.fail('HUPR_RVIZ_PREFIX is set but no rviz2 prefix was unpacked (scripts/setup.sh)')
    pytest.skip('rviz2 is not installed here')


# The layout of the window as rviz/hupr.rviz sets it up (1280 x 900 screen).
VIEW_3D = (slice(70, 860), slice(370, 1270))          # rows, columns of the 3-D view
GLOBAL_STATUS_ICON = (slice(549, 568), slice(22, 42))  # green tick, orange "!" or red cross
DISPLAY_LABELS = (slice(530, 760), slice(44, 170))    # names turn orange / red on a problem
IMAGE_PANELS = [(slice(90, 270), slice(80, 262)), (slice(312, 492), slice(80, 262))]


def marker_pixels(image: np.ndarray) -> int:
    """Count the pixels of the skeleton's colours (red .. yellow .. green) in the 3-D view."""
    view = image[VIEW_3D].astype(int)
    r, g, b = view[..., 0], view[..., 1], view[..., 2]
    return int(np.sum((np.maximum(r, g) > 170) & (b < 90) & (np.abs(r - g) > 10)))


def status_problems(image: np.ndarray) -> int:
    """
    Count what the Displays tree shows of warnings and errors.

    The global status icon not green (a missing fixed frame) and orange or red labels (a
    display's own warning or error) each count.
    """
    icon = image[GLOBAL_STATUS_ICON].astype(int)
    green = np.sum((icon[..., 1] > 110) & (icon[..., 0] < 100) & (icon[..., 2] < 100))
    labels = image[DISPLAY_LABELS].astype(int)
    r, g, b = labels[..., 0], labels[..., 1], labels[..., 2]
    coloured = int(np.sum((r > 170) & (g < 170) & (b < 90)))
    return int(green < 5) + int(coloured > 20)


def empty_image_panels(image: np.ndarray) -> int:
    """Image panels that show rviz's white "No Image" page instead of an image."""
    return sum(float(np.mean(image[panel].min(axis=-1) > 245)) > 0.7 for panel in IMAGE_PANELS)


def run_rviz(tmp_path, name: str, *launch_args: str, seconds: float = 75.0) -> dict:
    """
    Start the graph with rviz2 on a fresh X display until rviz2 draws a skeleton.

    Return the last grab's readings; the grab is kept in ARTIFACTS.
    """
    from PIL import ImageGrab
    if not shutil.which('Xvfb'):
        pytest.skip('Xvfb is not installed (apt-get install xvfb)')
    shell = _rviz_shell_prefix()
    # A robot's skeleton flickers while presence decides; here the subject is the display.
    params = yaml.safe_load((REPO / 'config' / 'hupr.yaml').read_text())
    params['/**/hupr_pose']['ros__parameters']['presence'] = False
    params_file = tmp_path / f'{name}_params.yaml'
    params_file.write_text(yaml.safe_dump(params))
    # Xvfb picks a free display itself and says which (no clash between workers, or with a
    # display an earlier crash left locked)
    xvfb = subprocess.Popen(['Xvfb', '-displayfd', '1', '-screen', '0', '1280x900x24',
                             '-nolisten', 'tcp'], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    display = ':' + xvfb.stdout.readline().strip()
    assert display != ':', 'Xvfb did not start'
    env = dict(os.environ, DISPLAY=display, LIBGL_ALWAYS_SOFTWARE='1', QT_X11_NO_MITSHM='1')
    log = open(tmp_path / f'{name}_launch.log', 'w')
    launch = subprocess.Popen(
        ['bash', '-c', shell + 'exec ros2 launch hupr_ros bringup.launch.py rviz:=true '
         f'params_file:={params_file} ' + ' '.join(launch_args)],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    readings = {}
    try:
        deadline = time.monotonic() + seconds
        time.sleep(10.0)
        while time.monotonic() < deadline:
            image = np.asarray(ImageGrab.grab(xdisplay=display).convert('RGB'))
            readings = {'markers': marker_pixels(image), 'errors': status_problems(image),
                        'empty_panels': empty_image_panels(image), 'image': image}
            if readings['markers'] > 300 and not readings['empty_panels'] \
                    and not readings['errors']:
                break
            time.sleep(2.0)
    finally:
        if readings:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            from PIL import Image
            Image.fromarray(readings['image']).save(ARTIFACTS / f'rviz_{name}.png')
        os.killpg(launch.pid, signal.SIGINT)
        try:
            launch.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(launch.pid, signal.SIGKILL)
            launch.wait(10)
        xvfb.terminate()
        xvfb.wait(10)
        log.close()
    assert readings, (tmp_path / f'{name}_launch.log').read_text()[-3000:]
    return readings


@pytest.mark.parametrize('name, args', [('default', ()), ('namespaced', ('namespace:=rig_a',))])
def test_rviz_shows_the_skeleton_and_both_images_with_no_error(
        tmp_path, name, args, realtime_slot):
    readings = run_rviz(tmp_path, name, *args)
    log = (tmp_path / f'{name}_launch.log').read_text()[-3000:]
    assert readings['errors'] == 0, f'a display reports an error (see {ARTIFACTS})\n{log}'
    assert readings['empty_panels'] == 0, f'an image panel shows "No Image"\n{log}'
    assert readings['markers'] > 300, f'no skeleton drawn in the 3-D view\n{log}'
