# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""Heat maps -> keypoints: the published decoding (argmax x 4) and an optional sub-pixel step."""

from typing import Tuple

import torch

#: Heat-map cells per image pixel: 64x64 maps for 256x256 images.
HEATMAP_STRIDE = 4


def decode(heatmaps: torch.Tensor, subpixel: bool = False,
           stride: int = HEATMAP_STRIDE) -> Tuple[torch.Tensor, torch.Tensor]:
    """
    Return keypoints and per-joint confidence from heat maps.

    :param heatmaps: (B, C, H, W) probabilities.
    :param subpixel: move each peak a quarter cell towards its higher neighbour on each axis, as
        the official HRNet code does (only peaks with 1 < x < W - 1 and 1 < y < H - 1); off by
        default so that published numbers reproduce. HRNet's labeller decodes with it.
    :param stride: image pixels per heat-map cell (4: 64x64 maps for 256x256 images).
    :return: keypoints (B, C, 2) float, (x, y) image pixels = argmax cell * stride;
    :return: confidence (B, C) float, the peak value.
    """
    if heatmaps.dim() != 4:
        raise ValueError(f'heatmaps must be (B, C, H, W), got {tuple(heatmaps.shape)}')
    b, c, h, w = heatmaps.shape
    flat = heatmaps.reshape(b, c, h * w)
    confidence, index = flat.max(dim=-1)
    xy = torch.stack([index % w, index // w], dim=-1).to(heatmaps.dtype)
    if subpixel:
        x, y = (index % w), (index // w)
        maps = heatmaps.reshape(b * c, h, w)
        n = torch.arange(b * c)
        xf, yf = x.reshape(-1), y.reshape(-1)
        right = maps[n, yf, (xf + 1).clamp(max=w - 1)]
        left = maps[n, yf, (xf - 1).clamp(min=0)]
        down = maps[n, (yf + 1).clamp(max=h - 1), xf]
        up = maps[n, (yf - 1).clamp(min=0), xf]
        inside = (xf > 1) & (xf < w - 1) & (yf > 1) & (yf < h - 1)
        dx = torch.sign(right - left) * 0.25 * inside
        dy = torch.sign(down - up) * 0.25 * inside
        xy = xy + torch.stack([dx, dy], -1).reshape(b, c, 2).to(xy.dtype)
    return xy * stride, confidence
