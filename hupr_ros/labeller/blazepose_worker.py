# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
BlazePose in a separate Python.

Mediapipe 0.10.21 needs numpy < 2, the rest of hupr_ros runs with numpy 2, so the labeller talks to
this script over pipes when they cannot share a venv. It imports only numpy and mediapipe (not
hupr_ros), so any Python with those runs it.

Protocol, all little-endian. Request: uint32 height, uint32 width, then height*width*3
bytes of RGB. Reply: uint8 found (0: no person), then 33 x (x, y, visibility) float32, x and
y in pixels. At start the worker writes one reply-sized ready record (found = 255).
"""

import struct
import sys

import numpy as np

LANDMARKS = 33
REPLY_BYTES = 1 + LANDMARKS * 3 * 4


class BlazePose:
    """mediapipe's BlazePose-full, one person per image, no tracking between images."""

    def __init__(self) -> None:
        import mediapipe as mp
        self._pose = mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1)

    def __call__(self, rgb: np.ndarray):
        result = self._pose.process(rgb)
        if result.pose_landmarks is None:
            return None
        h, w = rgb.shape[:2]
        return np.array([(p.x * w, p.y * h, p.visibility)
                         for p in result.pose_landmarks.landmark], np.float32)


def _read(stream, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError
    return data


def serve(stdin=None, stdout=None) -> None:
    stdin = stdin or sys.stdin.buffer
    stdout = stdout or sys.stdout.buffer
    pose = BlazePose()
    stdout.write(bytes([255]) + bytes(REPLY_BYTES - 1))
    stdout.flush()
    while True:
        try:
            height, width = struct.unpack('<II', _read(stdin, 8))
            rgb = np.frombuffer(_read(stdin, height * width * 3), np.uint8)
        except EOFError:
            return
        landmarks = pose(rgb.reshape(height, width, 3))
        if landmarks is None:
            stdout.write(bytes(REPLY_BYTES))
        else:
            stdout.write(bytes([1]) + landmarks.astype('<f4').tobytes())
        stdout.flush()


if __name__ == '__main__':
    serve()
