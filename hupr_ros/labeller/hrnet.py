# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
HRNet-W32, the 2-D pose network whose keypoints supervise HuPR (the paper's labeller).

The module tree and parameter names follow the official top-down pose HRNet ("Deep
High-Resolution Representation Learning for Human Pose Estimation", Sun et al. 2019), so its
published checkpoints (``pose_hrnet_w32_256x256.pth`` for MPII with 16 joints,
``pose_hrnet_w32_256x192.pth`` / ``_384x288`` for COCO with 17) load with strict keys.
docs/labelling.md describes the network and the processing around it:

* :func:`load_hrnet_checkpoint` - a local checkpoint -> the network in eval mode.
* :func:`box_transform` / :func:`crop` - the single-person crop: a person box padded by 1.25,
  widened to the input's aspect ratio, mapped onto the input by an affine warp.
* :func:`decode` - arg-max with the official quarter-pixel shift towards the higher
  neighbour, mapped back to image pixels through the inverse of the crop.
* :class:`HRNetLabeller` - all of it: image (+ box) -> joints in image pixels and scores.

Nothing is downloaded: weights come from a local path.
"""

import os
import pathlib
from typing import List, Optional, Sequence, Tuple, Union

from hupr_ros.model.checkpoint import CheckpointError, load_tensors
from hupr_ros.model.decode import decode as decode_heatmaps
import numpy as np
import torch
from torch import nn

BN_MOMENTUM = 0.1
#: ImageNet normalisation of the RGB input, as the official models were trained.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
#: Stages 2-4 of W32: (modules, branches, blocks per branch, channels per branch).
W32_STAGES = ((1, 2, 4, (32, 64)), (4, 3, 4, (32, 64, 128)), (3, 4, 4, (32, 64, 128, 256)))
#: Joint sets by the number of heat maps, and their left/right pairs for the flip test.
JOINT_SETS = {16: 'mpii', 17: 'coco'}
FLIP_PAIRS = {
    'mpii': ((0, 5), (1, 4), (2, 3), (10, 15), (11, 14), (12, 13)),
    'coco': ((1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16)),
}
#: The official box padding and its scale unit (pixels per unit of "scale").
BOX_PADDING = 1.25
PIXEL_STD = 200.0


def _conv3x3(cin: int, cout: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, momentum=BN_MOMENTUM)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, cin: int, planes: int, stride: int = 1,
                 downsample: Optional[nn.Module] = None) -> None:
        super().__init__()
        self.conv1 = _conv3x3(cin, planes, stride)
        self.bn1 = _bn(planes)
        self.conv2 = _conv3x3(planes, planes)
        self.bn2 = _bn(planes)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + residual)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin: int, planes: int, stride: int = 1,
                 downsample: Optional[nn.Module] = None) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = _bn(planes)
        self.conv2 = _conv3x3(planes, planes, stride)
        self.bn2 = _bn(planes)
        self.conv3 = nn.Conv2d(planes, planes * self.expansion, 1, bias=False)
        self.bn3 = _bn(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.relu(self.bn3(self.conv3(out)) + residual)


def _residual_layer(block, cin: int, planes: int, blocks: int) -> nn.Sequential:
    """``blocks`` blocks; the first gets a 1x1 projection when the channels change."""
    cout = planes * block.expansion
    downsample = None
    if cin != cout:
        downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, bias=False), _bn(cout))
    layers = [block(cin, planes, 1, downsample)]
    layers += [block(cout, planes) for _ in range(1, blocks)]
    return nn.Sequential(*layers)


class HighResolutionModule(nn.Module):
    """Parallel branches at 1/2^k resolution, then every output fuses every branch."""

    def __init__(self, channels: Sequence[int], blocks: int, multi_scale_output: bool) -> None:
        super().__init__()
        n = len(channels)
        self.num_branches = n
        self.branches = nn.ModuleList(
            [_residual_layer(BasicBlock, c, c, blocks) for c in channels])
        self.fuse_layers = None
        if n > 1:
            self.fuse_layers = nn.ModuleList(
                [nn.ModuleList([self._fuse(channels, i, j) for j in range(n)])
                 for i in range(n if multi_scale_output else 1)])
        self.relu = nn.ReLU(inplace=True)

    @staticmethod
    def _fuse(channels: Sequence[int], i: int, j: int) -> Optional[nn.Module]:
        """Branch j -> resolution and width of branch i."""
        if j == i:
            return None
        if j > i:      # lower resolution: 1x1 to the width, nearest-neighbour upsampling
            return nn.Sequential(nn.Conv2d(channels[j], channels[i], 1, bias=False),
                                 _bn(channels[i]),
                                 nn.Upsample(scale_factor=2 ** (j - i), mode='nearest'))
        steps = []     # higher resolution: i - j strided 3x3 convolutions
        for k in range(i - j):
            last = k == i - j - 1
            cout = channels[i] if last else channels[j]
            layers = [_conv3x3(channels[j], cout, 2), _bn(cout)]
            if not last:
                layers.append(nn.ReLU(inplace=True))
            steps.append(nn.Sequential(*layers))
        return nn.Sequential(*steps)

    def forward(self, x: List[torch.Tensor]) -> List[torch.Tensor]:
        x = [branch(xi) for branch, xi in zip(self.branches, x)]
        if self.fuse_layers is None:
            return x
        fused = []
        for i, layers in enumerate(self.fuse_layers):
            y = x[0] if i == 0 else layers[0](x[0])
            for j in range(1, self.num_branches):
                y = y + (x[j] if i == j else layers[j](x[j]))
            fused.append(self.relu(y))
        return fused


def _transition(before: Sequence[int], after: Sequence[int]) -> nn.ModuleList:
    """Adapts the branches of one stage to the next, adding a half-resolution branch."""
    layers: List[Optional[nn.Module]] = []
    for i, cout in enumerate(after):
        if i < len(before):
            layers.append(None if cout == before[i] else nn.Sequential(
                _conv3x3(before[i], cout), _bn(cout), nn.ReLU(inplace=True)))
            continue
        steps = []
        for k in range(i + 1 - len(before)):
            out = cout if k == i - len(before) else before[-1]
            steps.append(nn.Sequential(_conv3x3(before[-1], out, 2), _bn(out),
                                       nn.ReLU(inplace=True)))
        layers.append(nn.Sequential(*steps))
    return nn.ModuleList(layers)


class PoseHighResolutionNet(nn.Module):
    """
    HRNet-W32 for top-down pose: (B, 3, H, W) normalised RGB -> (B, J, H/4, W/4) heat maps.

    Attribute names are those of the official model, so its state dicts load strictly.
    """

    def __init__(self, num_joints: int = 16, stages=W32_STAGES) -> None:
        super().__init__()
        self.num_joints = num_joints
        self.conv1 = nn.Conv2d(3, 64, 3, stride=2, padding=1, bias=False)
        self.bn1 = _bn(64)
        self.conv2 = nn.Conv2d(64, 64, 3, stride=2, padding=1, bias=False)
        self.bn2 = _bn(64)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = _residual_layer(Bottleneck, 64, 64, 4)
        before: Tuple[int, ...] = (64 * Bottleneck.expansion,)
        for number, (modules, branches, blocks, channels) in enumerate(stages, start=2):
            assert len(channels) == branches
            setattr(self, f'transition{number - 1}', _transition(before, channels))
            last_stage = number == len(stages) + 1
            setattr(self, f'stage{number}', nn.Sequential(*[
                HighResolutionModule(channels, blocks,
                                     multi_scale_output=not (last_stage and m == modules - 1))
                for m in range(modules)]))
            before = tuple(channels)
        self.num_stages = len(stages)
        self.final_layer = nn.Conv2d(before[0], num_joints, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.relu(self.bn2(self.conv2(x)))
        y = [self.layer1(x)]
        for number in range(2, self.num_stages + 2):
            transition = getattr(self, f'transition{number - 1}')
            x = [y[i] if layer is None and i < len(y) else layer(y[-1])
                 for i, layer in enumerate(transition)]
            y = getattr(self, f'stage{number}')(x)
        return self.final_layer(y[0])


def _state_dict_of(loaded) -> dict:
    """
    Return the tensors of a loaded checkpoint.

    A plain state dict (the official files), a ``{'state_dict': ...}`` training checkpoint, and
    ``module.`` prefixes (DataParallel).
    """
    if isinstance(loaded, dict) and 'state_dict' in loaded and isinstance(
            loaded['state_dict'], dict):
        loaded = loaded['state_dict']
    if not isinstance(loaded, dict) or not all(torch.is_tensor(v) for v in loaded.values()):
        raise CheckpointError('not a state dict of tensors')
    if loaded and all(k.startswith('module.') for k in loaded):
        loaded = {k[len('module.'):]: v for k, v in loaded.items()}
    return loaded


def load_hrnet_checkpoint(path: Union[str, os.PathLike],
                          device: Union[str, torch.device] = 'cpu') -> PoseHighResolutionNet:
    """
    Return an official-format HRNet-W32 pose checkpoint -> the network in eval mode on ``device``.

    The joint set (16 MPII or 17 COCO) comes from the head. Keys must match exactly
    (strict), and the file is unpickled with ``weights_only=True``: a checkpoint that is
    missing, not a state dict, or of another architecture raises :class:`CheckpointError`
    naming the file and the first differing keys.
    """
    path = pathlib.Path(path)
    loaded = load_tensors(path, 'HRNet weights', 'HRNet-W32 pose checkpoint')
    try:
        state = _state_dict_of(loaded)
    except CheckpointError as error:
        raise CheckpointError(f'HRNet weights {path}: {error}') from None
    head = state.get('final_layer.weight')
    if head is None or head.ndim != 4 or head.shape[0] not in JOINT_SETS:
        raise CheckpointError(f'HRNet weights {path}: no final_layer with 16 (MPII) or 17 '
                              '(COCO) joints; not an HRNet pose checkpoint')
    model = PoseHighResolutionNet(num_joints=int(head.shape[0]))
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    wrong = sorted(k for k in set(expected) & set(state) if expected[k].shape != state[k].shape)
    if missing or unexpected or wrong:
        parts = [f'{name}: {", ".join(keys[:3])}{" ..." if len(keys) > 3 else ""}'
                 for name, keys in (('missing', missing), ('unexpected', unexpected),
                                    ('wrong shape', wrong)) if keys]
        raise CheckpointError(f'HRNet weights {path}: not an HRNet-W32 pose checkpoint '
                              f'({"; ".join(parts)})')
    model.load_state_dict(state, strict=True)
    return model.to(device).eval()


def joint_set(model: PoseHighResolutionNet) -> str:
    """'mpii' or 'coco'."""
    return JOINT_SETS[model.num_joints]


# ---------------------------------------------------------------------------- crop and decode

def box_transform(box: Sequence[float], input_size: Tuple[int, int],
                  padding: float = BOX_PADDING) -> Tuple[np.ndarray, np.ndarray]:
    """
    Return the official (centre, scale) of a person box.

    Person box (x0, y0, x1, y1) in image pixels -> (centre, scale) as the official code
    defines them: the box widened to the input's aspect ratio (W/H), padded (1.25 for a
    detected person), in units of 200 px.
    """
    x0, y0, x1, y1 = (float(v) for v in box)
    width, height = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    aspect = input_size[0] / input_size[1]
    if width > aspect * height:
        height = width / aspect
    else:
        width = height * aspect
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    scale = np.array([width, height]) / PIXEL_STD * padding
    return centre, scale


def affine(centre: np.ndarray, scale: np.ndarray, output_size: Tuple[int, int],
           inverse: bool = False) -> np.ndarray:
    """
    Return the 2x3 affine matrix of a crop.

    2x3 matrix mapping the box (centre, scale) onto an image of ``output_size`` (W, H), or
    back with ``inverse``: the centre to the centre, the box width to the output width, no
    rotation (the official transform with rotation 0).
    """
    width = scale[0] * PIXEL_STD
    out_w, out_h = output_size
    s = out_w / width
    forward = np.array([[s, 0.0, out_w * 0.5 - s * centre[0]],
                        [0.0, s * 1.0, out_h * 0.5 - s * centre[1]]])
    if not inverse:
        return forward
    return np.array([[1 / s, 0.0, centre[0] - out_w * 0.5 / s],
                     [0.0, 1 / s, centre[1] - out_h * 0.5 / s]])


def crop(image_rgb: np.ndarray, centre: np.ndarray, scale: np.ndarray,
         input_size: Tuple[int, int]) -> np.ndarray:
    """Return the network's input for one person: (3, H, W) float32, ImageNet-normalised RGB."""
    import cv2
    warped = cv2.warpAffine(image_rgb, affine(centre, scale, input_size), input_size,
                            flags=cv2.INTER_LINEAR)
    x = warped.astype(np.float32) / 255.0
    x = (x - np.array(IMAGENET_MEAN, np.float32)) / np.array(IMAGENET_STD, np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1))


def decode(heatmaps: np.ndarray, centre: np.ndarray, scale: np.ndarray
           ) -> Tuple[np.ndarray, np.ndarray]:
    """
    (J, h, w) heat maps -> (J, 2) joints in image pixels and (J,) peak scores.

    Arg-max, then a quarter pixel towards the higher neighbour on each axis (the official
    sub-pixel step, :func:`hupr_ros.model.decode.decode` with ``subpixel``), then the inverse
    crop transform (heat map pixel -> image pixel).
    """
    _, h, w = heatmaps.shape
    keypoints, peaks = decode_heatmaps(torch.from_numpy(np.ascontiguousarray(heatmaps))[None]
                                       .float(), subpixel=True, stride=1)
    coords = keypoints[0].double().numpy()
    scores = peaks[0].numpy()
    coords[scores <= 0] = 0.0      # no peak: the official code zeroes such joints as well
    back = affine(centre, scale, (w, h), inverse=True)
    image_xy = coords @ back[:, :2].T + back[:, 2]
    return image_xy.astype(np.float32), scores.astype(np.float32)


def flip_back(heatmaps: torch.Tensor, pairs: Sequence[Tuple[int, int]]) -> torch.Tensor:
    """
    Heat maps of a mirrored input -> heat maps of the original.

    Mirror, swap left/right, and shift one pixel right (the official ``SHIFT_HEATMAP``).
    """
    out = heatmaps.flip(-1).clone()
    for a, b in pairs:
        out[:, [a, b]] = out[:, [b, a]]
    out[..., 1:] = out[..., :-1].clone()
    return out


class HRNetLabeller:
    """Single-person HRNet labelling of RGB images, optionally with the flip test."""

    def __init__(self, weights: Union[str, os.PathLike], device: str = 'cpu',
                 input_size: Optional[Tuple[int, int]] = None, flip_test: bool = False) -> None:
        self.model = load_hrnet_checkpoint(weights, device)
        self.device = device
        self.joint_set = joint_set(self.model)
        #: (W, H): 256x256 for MPII, 192x256 for COCO, as the official models.
        self.input_size = input_size or ((256, 256) if self.joint_set == 'mpii' else (192, 256))
        self.flip_test = flip_test

    @torch.no_grad()
    def heatmaps(self, batch: np.ndarray) -> np.ndarray:
        """Run the network: (B, 3, H, W) normalised input -> (B, J, H/4, W/4) heat maps."""
        x = torch.from_numpy(batch).to(self.device)
        out = self.model(x)
        if self.flip_test:
            out = (out + flip_back(self.model(x.flip(-1)), FLIP_PAIRS[self.joint_set])) / 2
        return out.float().cpu().numpy()

    def __call__(self, image_rgb: np.ndarray, box: Optional[Sequence[float]] = None
                 ) -> Tuple[np.ndarray, np.ndarray]:
        """
        Label one image.

        One RGB uint8 image (H, W, 3) and the person's box -> (J, 2) joints in image pixels
        and (J,) scores, in the model's joint set. Without a box the whole image is the crop
        (unpadded), as for the paper's 256x256 single-person frames.
        """
        if image_rgb.ndim != 3 or image_rgb.shape[2] != 3 or image_rgb.dtype != np.uint8:
            raise ValueError(f'HRNet labeller: expected an (H, W, 3) uint8 RGB image, got '
                             f'{image_rgb.shape} {image_rgb.dtype}')
        if box is None:
            centre, scale = box_transform((0, 0, image_rgb.shape[1], image_rgb.shape[0]),
                                          self.input_size, padding=1.0)
        else:
            centre, scale = box_transform(box, self.input_size)
        hm = self.heatmaps(crop(image_rgb, centre, scale, self.input_size)[None])[0]
        return decode(hm, centre, scale)
