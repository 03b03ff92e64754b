# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Evaluation pictures (no ROS).

Per-joint AP bar chart, a contact sheet of predicted vs ground-truth skeletons over the camera
frames, and a training run's learning curves.
"""

import pathlib
from typing import Dict, Mapping, Optional, Sequence

from hupr_ros.visualization import draw_skeleton
import numpy as np

TRUTH_COLOUR = (40, 220, 60)
PREDICTION_COLOUR = (235, 60, 40)


def joint_ap_chart(joint_ap: Dict[str, float], title: str = 'per-joint AP',
                   width: int = 640, height: int = 360) -> np.ndarray:
    """uint8 (height, width, 3): a bar per joint, AP 0..100."""
    from PIL import Image, ImageDraw
    image = Image.new('RGB', (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    left, bottom, top = 40, height - 70, 30
    draw.text((left, 8), title, fill=(0, 0, 0))
    for ap in range(0, 101, 20):
        y = bottom - (bottom - top) * ap / 100
        draw.line([(left, y), (width - 10, y)], fill=(225, 225, 225))
        draw.text((8, y - 6), f'{ap:3d}', fill=(80, 80, 80))
    slot = (width - left - 10) / max(len(joint_ap), 1)
    for i, (name, ap) in enumerate(joint_ap.items()):
        x0 = left + i * slot + slot * 0.15
        y = bottom - (bottom - top) * float(np.clip(ap, 0, 100)) / 100
        draw.rectangle([x0, y, x0 + slot * 0.7, bottom], fill=(70, 110, 200))
        draw.text((x0, y - 12), f'{ap:.0f}', fill=(0, 0, 0))
        label = Image.new('RGB', (64, 12), (255, 255, 255))
        ImageDraw.Draw(label).text((0, 0), name, fill=(0, 0, 0))
        label = label.rotate(60, expand=True, fillcolor=(255, 255, 255))
        image.paste(label, (int(x0 - 8), bottom + 4))
    return np.asarray(image)


#: (key in a metrics.jsonl record, label, colour, scale to the panel's units) per panel.
CURVE_PANELS = (
    ('validation AP (OKS, %)', (('AP', 'AP', (70, 110, 200), 1.0),
                                ('AP50', 'AP50', (235, 140, 40), 1.0))),
    ('validation joint error (px) and PCK@0.2 (%)',
     (('mean_error_px', 'error px', (200, 50, 50), 1.0),
      ('pck', 'PCK@0.2 %', (40, 160, 70), 100.0))),
)


def learning_curves(records: Sequence[Mapping[str, float]], title: str = '',
                    width: int = 720, height: int = 520) -> np.ndarray:
    """
    uint8 (height, width, 3): validation AP / AP50 and error / PCK against the training step.

    :param records: the lines of a run's ``metrics.jsonl`` (``step`` and the keys above); a
        record missing a key leaves that point out.
    """
    from PIL import Image, ImageDraw
    image = Image.new('RGB', (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.text((10, 6), title, fill=(0, 0, 0))
    steps = [float(r['step']) for r in records if 'step' in r]
    last = max(steps) if steps else 1.0
    panel_height = (height - 30) // len(CURVE_PANELS)
    left, right = 50, width - 12
    for index, (name, series) in enumerate(CURVE_PANELS):
        top = 30 + index * panel_height + 16
        bottom = 30 + (index + 1) * panel_height - 24
        values = [float(r[key]) * scale for r in records for key, _, _, scale in series
                  if key in r and np.isfinite(float(r[key]))]
        high = max(values + [1.0]) * 1.1
        draw.text((left, top - 14), name, fill=(0, 0, 0))
        for tick in np.linspace(0, high, 5):
            y = bottom - (bottom - top) * tick / high
            draw.line([(left, y), (right, y)], fill=(228, 228, 228))
            draw.text((4, y - 6), f'{tick:5.1f}', fill=(90, 90, 90))
        draw.text((right - 60, bottom + 4), f'step {last:,.0f}', fill=(90, 90, 90))
        for slot, (key, label, colour, scale) in enumerate(series):
            points = [(left + (right - left) * float(r['step']) / last,
                       bottom - (bottom - top) * float(r[key]) * scale / high)
                      for r in records if 'step' in r and key in r
                      and np.isfinite(float(r[key]))]
            if len(points) > 1:
                draw.line(points, fill=colour, width=2)
            for x, y in points[-1:]:
                draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=colour)
            draw.text((left + 10 + 110 * slot, bottom + 4), label, fill=colour)
    return np.asarray(image)


def contact_sheet(images: Sequence[Optional[np.ndarray]], truths: np.ndarray,
                  predictions: np.ndarray, captions: Sequence[str] = (),
                  columns: int = 6, size: int = 256) -> np.ndarray:
    """
    uint8 grid of frames with the ground truth (green) and the prediction (red).

    :param images: uint8 (size, size, 3) camera frames (None: a grey frame).
    :param truths, predictions: (M, 14, 2) pixels.
    """
    from PIL import Image, ImageDraw
    tiles = []
    for i, image in enumerate(images):
        base = np.full((size, size, 3), 60, np.uint8) if image is None else image
        tile = draw_skeleton(base, truths[i], colour=TRUTH_COLOUR)
        tile = draw_skeleton(tile, predictions[i], colour=PREDICTION_COLOUR)
        if i < len(captions):
            canvas = Image.fromarray(tile)
            ImageDraw.Draw(canvas).text((4, 4), captions[i], fill=(255, 255, 255))
            tile = np.asarray(canvas)
        tiles.append(tile)
    rows = -(-len(tiles) // columns)
    sheet = np.full((rows * size, columns * size, 3), 255, np.uint8)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, columns)
        sheet[r * size:(r + 1) * size, c * size:(c + 1) * size] = tile[:size, :size]
    return sheet


def load_image(path: pathlib.Path) -> Optional[np.ndarray]:
    """RGB uint8 image, or None when the file is missing."""
    from PIL import Image
    if not path.is_file():
        return None
    return np.asarray(Image.open(path).convert('RGB'))
