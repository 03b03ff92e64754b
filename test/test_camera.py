# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Camera capture and the camera node.

Sources, calibration, square crop, image encodings checked against rosbags-image, and the node over
DDS (Image + CameraInfo, no duplicates).
"""

import subprocess
import sys

from conftest import REPO, requires_ros
from hupr_ros import camera
import numpy as np
import pytest

cv2 = pytest.importorskip('cv2')

CALIBRATION = """image_width: 640
image_height: 480
camera_name: test
camera_matrix: {rows: 3, cols: 3, data: [500.0, 0.0, 320.0, 0.0, 502.0, 241.0, 0.0, 0.0, 1.0]}
distortion_model: plumb_bob
distortion_coefficients: {rows: 1, cols: 5, data: [0.1, -0.2, 0.001, 0.002, 0.0]}
rectification_matrix: {rows: 3, cols: 3, data: [1, 0, 0, 0, 1, 0, 0, 0, 1]}
projection_matrix: {rows: 3, cols: 4, data: [500.0, 0, 320.0, 0, 0, 502.0, 241.0, 0, 0, 0, 1, 0]}
"""


def frames(n=5, shape=(480, 640, 3)):
    rng = np.random.default_rng(0)
    return [rng.integers(0, 255, shape, dtype=np.uint8) for _ in range(n)]


@pytest.fixture
def folder(tmp_path):
    for i, frame in enumerate(frames()):
        cv2.imwrite(str(tmp_path / f'{i:03d}.png'), frame)
    return tmp_path


def test_folder_and_video_sources(folder, tmp_path):
    source = camera.open_source(str(folder))
    got = [source.read() for _ in range(6)]
    for want, frame in zip(frames(), got):
        np.testing.assert_array_equal(frame, want)       # PNG: lossless, in name order
    assert got[5] is None                                # the end: no repeated frame
    video = tmp_path / 'clip.avi'
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*'MJPG'), 10, (64, 48))
    for i in range(4):
        writer.write(np.full((48, 64, 3), 40 * i, np.uint8))
    writer.release()
    source = camera.open_source(str(video), loop=True)
    read = [source.read() for _ in range(6)]
    assert all(f is not None and f.shape == (48, 64, 3) for f in read)
    assert abs(int(read[4].mean()) - 0) < 8              # looped back to the first frame
    source.close()
    with pytest.raises(camera.CameraError, match='no such device or file'):
        camera.open_source('/dev/video99')
    with pytest.raises(camera.CameraError, match='no images'):
        camera.open_source(str(tmp_path / 'empty')) if (tmp_path / 'empty').mkdir() is None \
            else None
    with pytest.raises(camera.CameraError, match='source is empty'):
        camera.open_source('')


def test_calibration_and_square_crop(tmp_path):
    path = tmp_path / 'cam.yaml'
    path.write_text(CALIBRATION)
    cal = camera.load_calibration(path)
    assert cal.k[0, 0] == 500.0 and cal.k[1, 2] == 241.0 and cal.d.tolist()[1] == -0.2
    image = np.zeros((480, 640, 3), np.uint8)
    image[241, 320] = 255                                # the principal point
    out, moved = camera.crop_square(image, 240, cal)
    assert out.shape == (240, 240, 3) and (moved.width, moved.height) == (240, 240)
    # crop 480x480 from x = 80, then scale by 0.5: cx 320 -> 120, cy 241 -> 120.5, f halves
    np.testing.assert_allclose(moved.k, [[250, 0, 120], [0, 251, 120.5], [0, 0, 1]])
    np.testing.assert_allclose(moved.p[:, :3], moved.k)
    (tmp_path / 'bad.yaml').write_text(CALIBRATION.replace('rows: 3, cols: 3, data: [500.0',
                                                           'rows: 2, cols: 3, data: [500.0'))
    with pytest.raises(camera.CameraError, match='camera_matrix'):
        camera.load_calibration(tmp_path / 'bad.yaml')


@pytest.mark.parametrize('encoding', ['bgr8', 'rgb8', 'mono8', '16UC1'])
def test_our_image_messages_match_rosbags_image(encoding):
    """
    Check our image conversion with rosbags-image.

    Our image conversion (what the nodes publish and the bags store) decoded by the
    independent rosbags-image: the same pixels.
    """
    from hupr_ros import messages
    from hupr_ros.bags import rosbags_backend, typestore
    from rosbags.image import message_to_cvimage
    bgr = frames(1, (6, 9, 3))[0]
    pixels = np.arange(54, dtype=np.uint16).reshape(6, 9) * 1000 if encoding == '16UC1' \
        else camera.to_encoding(bgr, encoding)
    msg = messages.image(rosbags_backend(typestore()), pixels, stamp_ns=1, frame_id='c',
                         encoding=encoding)
    decoded = message_to_cvimage(msg)
    np.testing.assert_array_equal(decoded.reshape(pixels.shape), pixels)
    if encoding in ('bgr8', 'rgb8'):
        np.testing.assert_array_equal(message_to_cvimage(msg, 'bgr8'), bgr)


@requires_ros
@pytest.mark.slow
def test_camera_node_publishes_images_and_camera_info(folder, tmp_path, monkeypatch):
    from hupr_ros.messages import ros as conv
    from hupr_ros import topics
    from hupr_ros.nodes.camera_node import CAMERA_INFO, CameraNode
    from hupr_ros.nodes.qos import SENSOR_QOS
    from rclpy.node import Node
    from rclpy.parameter import Parameter
    from ros_harness import harness
    from sensor_msgs.msg import CameraInfo, Image
    (tmp_path / 'cam.yaml').write_text(CALIBRATION)
    crops = [camera.crop_square(f, 256)[0][..., ::-1] for f in frames()]
    with harness() as h:
        got = {'image': [], 'info': []}
        tester = h.add(Node, node_name='camera_tester')
        tester.create_subscription(Image, topics.CAMERA_IMAGE, got['image'].append, SENSOR_QOS)
        tester.create_subscription(CameraInfo, CAMERA_INFO, got['info'].append, SENSOR_QOS)
        # The five frames take 0.25 s at 20 fps: on a loaded machine discovery can take longer,
        # and best-effort frames published before the tester's subscription matched are gone.
        # The node's clock ticks only once both of its publishers have matched.
        tick, matched = CameraNode.tick, []
        monkeypatch.setattr(CameraNode, 'tick', lambda self: tick(self) if matched else None)
        node = h.add(CameraNode, parameter_overrides=[
            Parameter('source', value=str(folder)), Parameter('fps', value=20.0),
            Parameter('crop_square', value=True), Parameter('encoding', value='rgb8'),
            Parameter('calibration_file', value=str(tmp_path / 'cam.yaml')),
            Parameter('reconnect', value=False)])
        assert h.spin_until(lambda: node.image_pub.get_subscription_count() > 0 and
                            node.info_pub.get_subscription_count() > 0, 30)
        matched.append(True)
        assert h.spin_until(lambda: node.counts['frames'] == 5 and node.counts['stalls'] > 2,
                            20), node.counts

        def last_frame_arrived():      # best effort: an earlier frame may be lost, not waited for
            return got['image'] and got['info'] and \
                got['info'][-1].header.stamp == got['image'][-1].header.stamp and \
                np.array_equal(conv.msg_to_image(got['image'][-1]), crops[4])
        h.spin_until(last_frame_arrived, 5)
    assert node.counts['frames'] == 5                     # the folder ended: no repeats
    image = conv.msg_to_image(got['image'][-1])
    matches = [i for i, want in enumerate(crops) if np.array_equal(image, want)]
    errors = [float(np.abs(image.astype(int) - c).mean()) for c in crops]
    assert matches == [4], (len(got['image']), errors)
    info = got['info'][-1]
    assert info.header.stamp == got['image'][-1].header.stamp
    assert (info.width, info.height) == (256, 256) and info.header.frame_id == 'camera_optical'
    np.testing.assert_allclose(np.asarray(info.k).reshape(3, 3)[0], [500 * 256 / 480, 0,
                                                                     (320 - 80) * 256 / 480])


@requires_ros
def test_camera_node_missing_source_one_line():
    result = subprocess.run([sys.executable, '-m', 'hupr_ros.nodes', 'camera_node', '--ros-args',
                             '-p', 'source:=/dev/video99'], capture_output=True, text=True,
                            timeout=60, cwd=REPO)
    output = result.stdout + result.stderr
    assert result.returncode == 1 and 'Traceback' not in output, output
    assert 'camera source /dev/video99: no such device or file' in output
