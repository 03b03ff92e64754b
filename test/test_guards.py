# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Bounded memory whatever arrives; topic names in any namespace."""

from hupr_ros.guards import BoundedDict
from hupr_ros.topics import is_topic, RADAR_HORI_RAW
import pytest


def test_bounded_dict_forgets_the_oldest_inserted():
    seen = BoundedDict(3)
    for key in range(10):
        seen[key] = key * key
    assert list(seen.items()) == [(7, 49), (8, 64), (9, 81)]
    seen[8] = -1                          # an update is not a new insertion
    seen[10] = 100
    assert list(seen) == [8, 9, 10] and seen[8] == -1
    with pytest.raises(ValueError, match='maxlen'):
        BoundedDict(0)


@pytest.mark.parametrize('stored, expected', [
    ('/radar/hori/raw', True),
    ('radar/hori/raw', True),
    ('/rig_a/radar/hori/raw', True),
    ('/xradar/hori/raw', False),              # a suffix of the name is not the name
    ('/radar/hori/raw/extra', False),
    ('/radar/vert/raw', False),
])
def test_is_topic_matches_whole_names_in_any_namespace(stored, expected):
    assert is_topic(stored, RADAR_HORI_RAW) is expected
    assert is_topic(stored, '/' + RADAR_HORI_RAW) is expected
