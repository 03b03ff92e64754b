# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""Pictures for people: range-azimuth maps, skeleton overlays, confidence colours (no ROS)."""

from typing import Optional, Tuple

from hupr_ros.skeleton import EDGES
import numpy as np


def confidence_colour(confidence: np.ndarray) -> np.ndarray:
    """RGB in [0, 1] per joint: red (0) through yellow to green (1). float32 (n, 3)."""
    c = np.clip(np.asarray(confidence, dtype=np.float32), 0, 1)
    return np.stack([np.clip(2 - 2 * c, 0, 1), np.clip(2 * c, 0, 1), np.zeros_like(c)], -1)


def range_azimuth_image(cube: np.ndarray, size: int = 256, dynamic_range_db: float = 25.0,
                        skip_dc: bool = True) -> np.ndarray:
    """
    Range-azimuth power map of a VRDAEMap as a uint8 (size, size) image.

    Rows are range bins in the stored order (far at the top, near at the bottom), columns
    azimuth bins (left to right). Power is summed over Doppler (without the zero-Doppler
    clutter bin) and elevation, shown in dB over ``dynamic_range_db``. ``cube`` may also be
    that sum already, a real (range, azimuth) map (:func:`hupr_ros.presence.motion_map`).
    """
    if cube.ndim == 2 and not np.iscomplexobj(cube):
        ra = np.asarray(cube, dtype=np.float64)
    else:
        power = np.abs(cube) ** 2
        if skip_dc:
            power[power.shape[0] // 2] = 0
        ra = power.sum(axis=(0, 3))
    db = 10 * np.log10(ra + 1e-12)
    top = db.max()
    image = np.clip((db - (top - dynamic_range_db)) / dynamic_range_db, 0, 1)
    reps = (size // image.shape[0], size // image.shape[1])
    return (np.kron(image, np.ones(reps)) * 255).astype(np.uint8)


def draw_skeleton(image: np.ndarray, keypoints: np.ndarray,
                  confidence: Optional[np.ndarray] = None,
                  colour: Optional[Tuple[int, int, int]] = None, radius: int = 3) -> np.ndarray:
    """
    Draw bones and joints on a copy of an image.

    :param image: uint8 (H, W) or (H, W, 3).
    :param keypoints: (14, 2) pixel x, y.
    :param confidence: (14,) colours joints red..green; or give one ``colour`` for everything.
    :return: uint8 (H, W, 3).
    """
    from PIL import Image, ImageDraw
    rgb = np.asarray(image)
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[..., None], 3, axis=2)
    canvas = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8))
    draw = ImageDraw.Draw(canvas)
    if colour is not None:
        joint_colours = [tuple(colour)] * len(keypoints)
    else:
        conf = np.ones(len(keypoints)) if confidence is None else confidence
        joint_colours = [tuple(int(255 * v) for v in c) for c in confidence_colour(conf)]
    for i, j in EDGES:
        draw.line([tuple(map(float, keypoints[i])), tuple(map(float, keypoints[j]))],
                  fill=joint_colours[j] if colour is None else tuple(colour), width=2)
    for (x, y), c in zip(keypoints, joint_colours):
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=c)
    return np.asarray(canvas)


def sensor_panel(camera: np.ndarray, hori_cube: np.ndarray, vert_cube: np.ndarray,
                 truth: Optional[np.ndarray] = None,
                 predicted: Optional[Tuple[np.ndarray, np.ndarray]] = None) -> np.ndarray:
    """
    uint8 (256, 768, 3).

    Camera (+ ground truth in green, + prediction by confidence) | horizontal range-azimuth map |
    vertical radar's map shown as elevation (up) x range.

    :param camera: uint8 (256, 256, 3).
    :param hori_cube, vert_cube: complex VRDAEMaps (16, 64, 64, 8).
    :param truth: (14, 2) pixels; predicted: ((14, 2) pixels, (14,) confidence).
    """
    from PIL import Image, ImageDraw
    left = camera
    if truth is not None:
        left = draw_skeleton(left, truth, colour=(40, 220, 60))
    if predicted is not None:
        left = draw_skeleton(left, predicted[0], predicted[1])
    hori = range_azimuth_image(hori_cube)
    # The vertical radar's azimuth axis is world elevation (increasing with the bin): show it
    # upwards, range across.
    vert = range_azimuth_image(vert_cube).T[::-1]
    maps = [np.stack([m] * 3, -1) for m in (hori, vert)]
    image = Image.fromarray(np.concatenate([left] + maps, axis=1))
    draw = ImageDraw.Draw(image)
    label = 'camera, truth green' + (', radar skeleton' if predicted is not None else '')
    draw.text((4, 4), label, fill=(255, 255, 255))
    draw.text((260, 4), 'hori: range (far at top) x azimuth', fill=(255, 255, 0))
    draw.text((516, 4), 'vert: elevation (up) x range (far left)', fill=(255, 255, 0))
    return np.asarray(image)
