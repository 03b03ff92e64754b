# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""rosbag2 bags written without ROS: contents, rclpy compatibility, bad bags."""

from conftest import requires_ros
from hupr_ros.bags import BagError, BagWriter, read_messages
from hupr_ros.tools import sim as sim_tool
import numpy as np
import pytest


def test_sim_bag_holds_every_topic_of_every_frame(tmp_path):
    out = tmp_path / 'ds'
    assert sim_tool.main([str(out), '--sequences', '1', '--frames', '3', '--workers', '1',
                          '--bags']) == 0
    messages = list(read_messages(out / 'bags' / 'single_1'))
    topics = [t for t, _, _ in messages]
    assert {t: topics.count(t) for t in set(topics)} == {
        '/radar/hori/raw': 3, '/radar/vert/raw': 3, '/camera/image_raw': 3,
        '/sim/ground_truth': 3}       # fully qualified, as rosbag2 stores them
    stamps = sorted({ts for _, ts, _ in messages})
    assert np.diff(stamps).tolist() == [100_000_000, 100_000_000]
    from hupr_ros.radar.dca1000 import load_adc_file
    raw = load_adc_file(out / 'single_1' / 'vert' / 'adc_data.bin')
    vert = [m for t, _, m in messages if t == '/radar/vert/raw']
    for k, msg in enumerate(vert):
        iq = msg.data.reshape(192, 4, 256, 2)
        np.testing.assert_array_equal(iq[..., 0] + 1j * iq[..., 1], raw[k])
        assert msg.orientation == 'vertical' and msg.frame_number == k
        assert msg.config.num_chirps == 192


@requires_ros
def test_bag_bytes_deserialize_with_rclpy(tmp_path):
    from hupr_msgs.msg import RadarFrame, Skeleton2D
    from hupr_ros.bags import typestore
    from hupr_ros.messages.ros import msg_to_frame, msg_to_skeleton
    from hupr_ros.radar.config import HUPR_CHIRP_CONFIG
    from rclpy.serialization import deserialize_message
    from rosbags.highlevel import AnyReader
    rng = np.random.default_rng(0)
    frame = (rng.integers(-900, 900, (192, 4, 256)) +
             1j * rng.integers(-900, 900, (192, 4, 256))).astype(np.complex64)
    keypoints = rng.uniform(0, 256, (14, 2)).astype(np.float32)
    with BagWriter(tmp_path / 'bag', storage='sqlite3') as bag:
        bag.write_radar_frame('horizontal', frame, HUPR_CHIRP_CONFIG, stamp_ns=7,
                              frame_number=4, bytes_zero_filled=10)
        bag.write_skeleton('labels/skeleton', keypoints, None, stamp_ns=7,
                           source='hrnet_labeller')
    with AnyReader([tmp_path / 'bag'], default_typestore=typestore()) as reader:
        raws = {c.topic: raw for c, _, raw in reader.messages()}
    radar = deserialize_message(raws['/radar/hori/raw'], RadarFrame)
    np.testing.assert_array_equal(msg_to_frame(radar), frame)
    assert radar.zero_filled and radar.frame_number == 4
    skeleton = deserialize_message(raws['/labels/skeleton'], Skeleton2D)
    np.testing.assert_array_equal(msg_to_skeleton(skeleton)[0], keypoints)


def test_bad_bags(tmp_path):
    with pytest.raises(BagError, match='bag not found'):
        list(read_messages(tmp_path / 'nope'))
    (tmp_path / 'broken').mkdir()
    (tmp_path / 'broken' / 'metadata.yaml').write_text('rosbag2_bagfile_information: [')
    with pytest.raises(BagError, match='cannot read bag'):
        list(read_messages(tmp_path / 'broken'))
    with BagWriter(tmp_path / 'bag') as bag:
        bag.write_image(np.zeros((4, 4, 3), np.uint8), stamp_ns=1)
    with pytest.raises(BagError, match='never overwrites'):
        BagWriter(tmp_path / 'bag')
    with pytest.raises(ValueError, match='storage'):
        BagWriter(tmp_path / 'other', storage='db3')


def test_mono8_images_round_trip_through_our_own_bags(tmp_path):
    from hupr_ros.bags import typestore
    from hupr_ros.messages.ros import msg_to_image
    from rclpy.serialization import deserialize_message
    from rosbags.highlevel import AnyReader
    from sensor_msgs.msg import Image
    gray = np.arange(12 * 10, dtype=np.uint8).reshape(12, 10)
    with BagWriter(tmp_path / 'bag', storage='sqlite3') as bag:
        bag.write_image(gray, stamp_ns=3, encoding='mono8')
        with pytest.raises(ValueError, match=r'mono8 needs uint8 \(H, W\)'):
            bag.write_image(np.zeros((4, 4, 3), np.uint8), stamp_ns=4, encoding='mono8')
    with AnyReader([tmp_path / 'bag'], default_typestore=typestore()) as reader:
        raw = next(raw for _, _, raw in reader.messages())
    image = deserialize_message(raw, Image)
    assert image.step == 10
    np.testing.assert_array_equal(msg_to_image(image), gray)


@requires_ros
def test_bags_and_nodes_build_messages_in_one_place():
    """
    One builder fills both rclpy and rosbags messages.

    The same builder (hupr_ros.messages) fills the rclpy messages the nodes publish and the
    rosbags messages the bag writer stores: the same message for the same input (compared
    decoded: the two serialisers may differ in padding bytes), and the same validation (a bad
    orientation or a NaN joint is refused by both).
    """
    from hupr_ros import messages
    from hupr_ros.messages import ros as conv
    from hupr_ros.bags import rosbags_backend, typestore
    from hupr_ros.radar.config import HUPR_CHIRP_CONFIG as config
    from rclpy.serialization import deserialize_message
    store = typestore()
    bag = rosbags_backend(store)
    rng = np.random.default_rng(0)
    shape = (config.num_chirps, config.num_rx, config.num_samples)
    frame = (rng.integers(-40000, 40000, shape) + 1j * rng.integers(-99, 99, shape))
    kw = {'stamp_ns': 1_700_000_000_123_456_789, 'frame_id': 'radar_vert', 'frame_number': 7,
          'orientation': 'vertical', 'packets_expected': 10, 'packets_received': 9,
          'bytes_zero_filled': 1456}
    cases = [
        ('hupr_msgs/msg/RadarFrame', lambda b: messages.radar_frame(b, frame, config, **kw)),
        ('sensor_msgs/msg/Image', lambda b: messages.image(
            b, rng.integers(0, 255, (5, 7), dtype=np.uint8), stamp_ns=5, frame_id='cam',
            encoding='mono8')),
        ('hupr_msgs/msg/Skeleton2D', lambda b: messages.skeleton(
            b, np.arange(28, dtype=np.float32).reshape(14, 2), None, stamp_ns=9,
            frame_id='cam', source='radar_model', model_name='m', image_size=(256, 256))),
    ]
    for name, build in cases:
        state = rng.bit_generator.state
        ours = build(conv.RCLPY)
        rng.bit_generator.state = state                 # the same random input again
        cdr = store.serialize_cdr(build(bag), name).tobytes()
        assert deserialize_message(cdr, type(ours)) == ours, name
    for backend in (conv.RCLPY, bag):
        with pytest.raises(messages.ConversionError, match='orientation'):
            messages.radar_frame(backend, frame, config, **{**kw, 'orientation': 'diagonal'})
        with pytest.raises(messages.ConversionError, match='NaN'):
            messages.skeleton(backend, np.full((14, 2), np.nan), None, stamp_ns=1,
                              frame_id='', source='')


def test_topics_without_a_decodable_definition_are_skipped_with_one_line(tmp_path, caplog):
    """
    A bag with a service-event topic (``ros2 bag record --all-services``) reads the rest.

    rosbag2 0.32 stores such a topic's type (``rcl_interfaces/srv/GetParameters_Event``) with
    an empty definition encoding; that made rosbags refuse the whole sqlite3 bag. The row
    below is what rosbag2 wrote, as seen in a bag it recorded.
    """
    import logging
    import sqlite3

    from hupr_ros.bags import BagError, open_reader
    from hupr_ros.radar.config import HUPR_CHIRP_CONFIG
    frame = np.zeros((192, 4, 256), np.complex64)
    with BagWriter(tmp_path / 'bag', storage='sqlite3') as bag:
        for k in range(3):
            bag.write_radar_frame('horizontal', frame, HUPR_CHIRP_CONFIG, stamp_ns=k,
                                  frame_number=k)
    database = next((tmp_path / 'bag').glob('*.db3'))
    with sqlite3.connect(database) as db:
        db.execute('INSERT INTO message_definitions (topic_type, encoding, '
                   'encoded_message_definition, type_description_hash) VALUES (?, ?, ?, ?)',
                   ('rcl_interfaces/srv/GetParameters_Event', '', '', ''))
        db.execute('INSERT INTO topics VALUES (?, ?, ?, ?, ?, ?)',
                   (9, '/hupr_pose/get_parameters/_service_event',
                    'rcl_interfaces/srv/GetParameters_Event', 'cdr', '', ''))
        db.execute('INSERT INTO messages (topic_id, timestamp, data) VALUES (?, ?, ?)',
                   (9, 5, b'\x00\x01'))
    import yaml
    meta_path = tmp_path / 'bag' / 'metadata.yaml'
    meta = yaml.safe_load(meta_path.read_text())
    info = meta['rosbag2_bagfile_information']
    info['topics_with_message_count'].append({'message_count': 1, 'topic_metadata': {
        'name': '/hupr_pose/get_parameters/_service_event',
        'type': 'rcl_interfaces/srv/GetParameters_Event', 'serialization_format': 'cdr',
        'offered_qos_profiles': [], 'type_description_hash': ''}})
    info['message_count'] += 1
    meta_path.write_text(yaml.safe_dump(meta))
    with caplog.at_level(logging.WARNING, logger='hupr_ros.bags'):
        messages = list(read_messages(tmp_path / 'bag'))
    assert [t for t, _, _ in messages] == ['/radar/hori/raw'] * 3
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and '/hupr_pose/get_parameters/_service_event' in warnings[0]
    reader = open_reader(tmp_path / 'bag')
    try:
        assert len(list(reader.messages())) == 3        # the default: decodable topics only
        assert [c.topic for c in reader.skipped] == ['/hupr_pose/get_parameters/_service_event']
    finally:
        reader.close()
    # a bag of nothing but undecodable topics says so
    info['topics_with_message_count'] = info['topics_with_message_count'][-1:]
    meta_path.write_text(yaml.safe_dump(meta))
    with pytest.raises(BagError, match='no topic of this bag can be decoded'):
        open_reader(tmp_path / 'bag')
