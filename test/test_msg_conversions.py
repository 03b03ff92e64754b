# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""NumPy <-> message round trips are bit-exact; bad arrays and messages raise clear errors."""

from conftest import requires_ros
import numpy as np
import pytest

pytestmark = requires_ros


@pytest.fixture(scope='session')
def conv():
    from hupr_ros.messages import ros as msg_conversions
    return msg_conversions


def test_frame_round_trip_bit_exact(conv):
    from hupr_ros.radar.config import HUPR_CHIRP_CONFIG as cfg
    rng = np.random.default_rng(0)
    iq = rng.integers(-32768, 32768, (192, 4, 256, 2), dtype=np.int16)
    msg = conv.frame_to_msg(iq, cfg, stamp_ns=12, frame_id='radar_hori', frame_number=3,
                            orientation='horizontal')
    frame = conv.msg_to_frame(msg)
    assert frame.dtype == np.complex64 and frame.shape == (192, 4, 256)
    np.testing.assert_array_equal(frame.real, iq[..., 0])
    np.testing.assert_array_equal(frame.imag, iq[..., 1])
    # complex input gives the same message
    msg2 = conv.frame_to_msg(frame, cfg, stamp_ns=12, frame_id='radar_hori', frame_number=3,
                             orientation='horizontal')
    assert msg2.data == msg.data
    assert conv.chirp_config_from_msg(msg.config) == cfg
    assert not msg.zero_filled


def test_frame_errors_name_the_problem(conv):
    from hupr_ros.radar.config import HUPR_CHIRP_CONFIG as cfg
    with pytest.raises(conv.ConversionError, match=r'\(192, 4, 256\)'):
        conv.frame_to_msg(np.zeros((192, 4, 255), np.complex64), cfg, stamp_ns=0,
                          frame_id='r', frame_number=0, orientation='horizontal')
    msg = conv.frame_to_msg(np.zeros((192, 4, 256), np.complex64), cfg, stamp_ns=0,
                            frame_id='r', frame_number=9, orientation='horizontal')
    del msg.data[-10:]
    with pytest.raises(conv.ConversionError, match='RadarFrame 9: 393206 int16 values'):
        conv.msg_to_frame(msg)


@pytest.mark.parametrize('dtype', [np.complex64, np.float32])
def test_cube_round_trip_bit_exact(conv, dtype):
    from msg_samples import cube_axes
    rng = np.random.default_rng(1)
    cube = rng.standard_normal((16, 64, 64, 8)).astype(np.float32)
    if dtype == np.complex64:
        cube = (cube + 1j * rng.standard_normal(cube.shape)).astype(np.complex64)
    cube[0, 0, 0, 0] = np.float32(1e-38)  # denormal-ish and extremes survive unchanged
    cube[1, 2, 3, 4] = np.float32(3.4e38)
    msg = conv.cube_to_msg(cube, cube_axes(), stamp_ns=5, frame_id='radar_vert',
                           frame_number=8, orientation='vertical', zero_filled=True)
    back = conv.msg_to_cube(msg)
    assert back.dtype == dtype and back.shape == cube.shape
    assert back.tobytes() == cube.tobytes()
    names = [a.name for a in conv.msg_to_axes(msg)]
    assert names == ['doppler', 'range', 'azimuth', 'elevation'] + (
        ['complex'] if dtype == np.complex64 else [])
    assert msg.zero_filled and msg.orientation == 'vertical'
    np.testing.assert_allclose(conv.msg_to_axes(msg)[1].values,
                               np.linspace(4.0, 1.3, 64), rtol=1e-6)


def test_cube_errors(conv):
    axes = (conv.AxisSpec('range', 4), conv.AxisSpec('azimuth', 3))
    with pytest.raises(conv.ConversionError, match=r'cube shape \(4, 4\) != axes \(4, 3\)'):
        conv.cube_to_msg(np.zeros((4, 4), np.float32), axes, stamp_ns=0, frame_id='r',
                         frame_number=0, orientation='horizontal')
    with pytest.raises(conv.ConversionError, match="axis 'range': 2 values for 4 bins"):
        conv.axis_to_msg(conv.AxisSpec('range', 4, 'm', (1.0, 2.0)))
    msg = conv.cube_to_msg(np.zeros((4, 3), np.float32), axes, stamp_ns=0, frame_id='r',
                           frame_number=2, orientation='horizontal')
    msg.data.append(1.0)
    with pytest.raises(conv.ConversionError, match='13 values do not fill'):
        conv.msg_to_cube(msg)


def test_skeleton_round_trip(conv):
    rng = np.random.default_rng(2)
    kp = rng.uniform(0, 256, (14, 2)).astype(np.float32)
    confidence = rng.uniform(0, 1, 14).astype(np.float32)
    msg = conv.skeleton_to_msg(kp, confidence, stamp_ns=1_500_000_000, frame_id='camera',
                               source='simulator_ground_truth', model_name='hupr_sim')
    kp2, c2 = conv.msg_to_skeleton(msg)
    assert kp2.tobytes() == kp.tobytes() and c2.tobytes() == confidence.tobytes()
    assert (msg.header.stamp.sec, msg.header.stamp.nanosec) == (1, 500_000_000)
    assert conv.ns_from_stamp(msg.header.stamp) == 1_500_000_000
    _, ones = conv.msg_to_skeleton(conv.skeleton_to_msg(kp, None, stamp_ns=0, frame_id='c',
                                                        source='radar_model'))
    assert (ones == 1).all()
    with pytest.raises(conv.ConversionError, match=r'keypoints shape \(13, 2\)'):
        conv.skeleton_to_msg(kp[:13], None, stamp_ns=0, frame_id='c', source='radar_model')
    kp[3, 0] = np.nan
    with pytest.raises(conv.ConversionError, match='NaN'):
        conv.skeleton_to_msg(kp, None, stamp_ns=0, frame_id='c', source='radar_model')


@pytest.mark.parametrize('encoding,shape', [('rgb8', (5, 7, 3)), ('bgr8', (4, 4, 3)),
                                            ('mono8', (3, 9))])
def test_image_round_trip(conv, encoding, shape):
    img = np.random.default_rng(3).integers(0, 256, shape, dtype=np.uint8)
    msg = conv.image_to_msg(img, stamp_ns=1, frame_id='camera', encoding=encoding)
    assert (msg.width, msg.height) == (shape[1], shape[0])
    np.testing.assert_array_equal(conv.msg_to_image(msg), img)
    with pytest.raises(conv.ConversionError, match='needs uint8'):
        conv.image_to_msg(img.astype(np.float32), stamp_ns=1, frame_id='c', encoding=encoding)


def test_serialization_round_trip_every_type():
    """
    Round-trip each sample message through rclpy's CDR serialisation.

    (CDR padding bytes are not initialised, so raw bytes may differ between serialisations.)
    """
    from msg_samples import make_samples, message_class
    from rclpy.serialization import deserialize_message, serialize_message
    for name, msg in make_samples().items():
        raw = serialize_message(msg)
        back = deserialize_message(raw, message_class(name))
        assert back == msg, name
        assert deserialize_message(serialize_message(back), message_class(name)) == msg, name
