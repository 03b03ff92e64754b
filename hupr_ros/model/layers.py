# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Building blocks of HuPRNet (docs/published_model.md section 4), top-down.

Blocks, encoder, CSAM, PRGCN, decoder. Attribute names inside modules follow the published
checkpoint's keys (``main``, ``downsample``, ``temporalConvWx1x1``, ...) because strict loading
needs them.

Shapes use B batch, F filters, N frames in the window, K Doppler bins, R range, A azimuth.
"""

from typing import List, Sequence, Tuple, Type

import torch
from torch import nn
import torch.nn.functional as F


class Conv3d(nn.Conv3d):
    """
    nn.Conv3d that can always take oneDNN (mkldnn) on the CPU.

    PyTorch's CPU heuristic sends batch-1 3-D convolutions with ``C * D * H <= 20480`` to a
    native path 2-5x slower than oneDNN: most of the encoder at inference
    (bench/bench_model.py). With ``use_onednn`` the oneDNN op is called directly (same
    numbers to float rounding, autograd supported). Parameters are those of nn.Conv3d, so
    checkpoints are unchanged.
    """

    use_onednn: bool = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.use_onednn and x.device.type == 'cpu' and x.dtype == torch.float32 \
                and self.padding_mode == 'zeros' and torch.backends.mkldnn.is_available():
            return torch.ops.aten.mkldnn_convolution(
                x, self.weight, self.bias, list(self.padding), list(self.stride),
                list(self.dilation), self.groups)
        return super().forward(x)


class BasicBlock(nn.Module):
    """
    conv3-(BN)-act-conv3-(BN) plus a 3x3 conv (+BN) shortcut, then act; 2-D or 3-D.

    :param dims: 2 or 3 (Conv2d / Conv3d).
    :param batchnorm: encoders use BN + ReLU, the decoder no BN and PReLU.
    """

    def __init__(self, in_channels: int, out_channels: int, dims: int = 3,
                 batchnorm: bool = True, activation: Type[nn.Module] = nn.ReLU) -> None:
        super().__init__()
        conv = Conv3d if dims == 3 else nn.Conv2d
        norm = nn.BatchNorm3d if dims == 3 else nn.BatchNorm2d

        def conv3(cin: int, cout: int) -> nn.Module:
            return conv(cin, cout, 3, 1, 1, bias=False)
        if batchnorm:
            self.main = nn.Sequential(conv3(in_channels, out_channels), norm(out_channels),
                                      activation(), conv3(out_channels, out_channels),
                                      norm(out_channels))
            self.downsample = nn.Sequential(conv3(in_channels, out_channels), norm(out_channels))
        else:
            self.main = nn.Sequential(conv3(in_channels, out_channels), activation(),
                                      conv3(out_channels, out_channels))
            self.downsample = nn.Sequential(conv3(in_channels, out_channels))
        self.relu = activation()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.main(x) + self.downsample(x))


class MNet(nn.Module):
    """
    Per-frame Doppler merge: Conv3d over (re/im, Doppler) then max over Doppler.

    Input (B*N, 2, K, R, A) -> output (B*N, F, 1, R, A).

    With ``fast``, at inference on the CPU, the (2, 1, 1)-stride-2 convolution runs as the
    weighted sum it is over 4 values (re/im x the two Doppler bins of each pair), one einsum, and
    the bias is added after the max over Doppler (adding one constant commutes with the max, also
    in floating point): the same numbers, 2-4x faster than the strided 2-channel form, which
    oneDNN handles poorly, and faster than a 1x1x1 convolution, which torch runs on its slow path
    with the bias written over the whole output first. Training keeps the strided form, which is
    no slower there with gradients.
    """

    fast: bool = False

    def __init__(self, num_filters: int, num_doppler: int = 8) -> None:
        super().__init__()
        self.temporalConvWx1x1 = Conv3d(2, num_filters, (2, 1, 1), (2, 1, 1))
        self.temporalMaxpool = nn.MaxPool3d((num_doppler // 2, 1, 1), (num_doppler // 2, 1, 1))

    def pointwise(self, x: torch.Tensor) -> torch.Tensor:
        """
        Run the convolution then the max over Doppler as one einsum and a max, bias last.

        (B*N, 2, K, R, A) -> (B*N, F, 1, R, A); only when the pool covers the whole Doppler
        depth (the published K = 8).
        """
        n, c, k, r, a = x.shape
        conv = self.temporalConvWx1x1
        weight = conv.weight.reshape(conv.out_channels, c, 2)      # (F, re/im, bin in pair)
        sums = torch.einsum('fcp,nckpx->nfkx', weight, x.reshape(n, c, k // 2, 2, r * a))
        return (sums.amax(dim=2) + conv.bias[:, None]).reshape(n, -1, 1, r, a)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Inference only: with gradients the strided form trained as fast (bench: batch 4, F = 4).
        if self.fast and not torch.is_grad_enabled() and x.device.type == 'cpu' \
                and x.dtype == torch.float32 \
                and x.shape[2] // 2 == self.temporalMaxpool.kernel_size[0]:
            return self.pointwise(x)
        x = self.temporalConvWx1x1(x)
        if x.shape[2] == self.temporalMaxpool.kernel_size[0]:
            # The pool covers the whole Doppler depth: a plain max, ~20x faster than MaxPool3d.
            return x.amax(dim=2, keepdim=True)
        return self.temporalMaxpool(x)


class Encoder3D(nn.Module):
    """
    Spatio-temporal encoder of one radar: three scales, each merged over time.

    Input (B, F, N, R, A); outputs (B, 2F, R, A), (B, 4F, R/2, A/2), (B, 8F, R/4, A/4).
    """

    def __init__(self, num_filters: int, num_frames: int = 8) -> None:
        super().__init__()
        f = num_filters
        half = {'scale_factor': 0.5, 'mode': 'trilinear', 'align_corners': True}
        self.layer1 = nn.Sequential(Conv3d(f, 2 * f, 3, 1, 1), BasicBlock(2 * f, 2 * f))
        self.layer2 = nn.Sequential(nn.Upsample(**half), BasicBlock(2 * f, 4 * f),
                                    BasicBlock(4 * f, 4 * f))
        self.layer3 = nn.Sequential(nn.Upsample(**half), BasicBlock(4 * f, 8 * f),
                                    BasicBlock(8 * f, 8 * f))
        self.l1temporalMerge = Conv3d(2 * f, 2 * f, (num_frames, 1, 1), bias=False)
        self.l2temporalMerge = Conv3d(4 * f, 4 * f, (num_frames // 2, 1, 1), bias=False)
        self.temporalMerge = Conv3d(8 * f, 8 * f, (num_frames // 4, 1, 1), bias=False)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        l1 = self.layer1(x)
        l2 = self.layer2(l1)
        l3 = self.layer3(l2)
        return (self.l1temporalMerge(l1).squeeze(2), self.l2temporalMerge(l2).squeeze(2),
                self.temporalMerge(l3).squeeze(2))


def spatial_attention(key: torch.Tensor, query: torch.Tensor, values: torch.Tensor,
                      fast: bool = True) -> torch.Tensor:
    """
    CSAM attention.

    ``S[j, l] = sum_c key[c, j] query[c, l]``, softmax over ``j``, ``out[c, l] = sum_j values[c, j]
    S[j, l]``.

    :param key, query, values: (B, C, H, W).
    :param fast: scaled_dot_product_attention (softmax along a contiguous axis, fused kernel);
        False runs the published einsum form (softmax over a strided axis), same result.
    :return: (B, C, H, W).
    """
    b, c, h, w = values.shape
    k, q, v = key.reshape(b, c, h * w), query.reshape(b, c, h * w), values.reshape(b, c, h * w)
    if fast:
        # Contiguous (B, 1, HW, C) operands select the fused flash kernel (strided ones fall
        # back to the math kernel, ~8x slower at 64x64).
        def tokens(t: torch.Tensor) -> torch.Tensor:
            return t.transpose(1, 2).contiguous().unsqueeze(1)
        out = F.scaled_dot_product_attention(tokens(q), tokens(k), tokens(v), scale=1.0)
        return out.squeeze(1).transpose(1, 2).reshape(b, c, h, w)
    weights = F.softmax(torch.einsum('bij,bik->bjk', k, q), dim=1)
    return torch.einsum('bci,bik->bck', v, weights).reshape(b, c, h, w)


class PRGCN(nn.Module):
    """
    Pose refinement GCN on the heat-map logits.

    Nodes are joints, features the pixels of the half-resolution map. Three layers ``W @ (X @ A) +
    b``, ReLU after the first two.

    Input (B, C=14, H, W) logits -> output (B, 14, H, W) probabilities.
    """

    def __init__(self, adjacency: torch.Tensor, heatmap_size: int = 64) -> None:
        super().__init__()
        nodes = adjacency.shape[0]
        features = (heatmap_size // 2) ** 2
        self.register_buffer('adjacency', adjacency.float(), persistent=False)
        self.L1 = GraphLayer(features, nodes)
        self.L2 = GraphLayer(features, nodes)
        self.L3 = GraphLayer(features, nodes)

    def forward(self, logits: torch.Tensor) -> torch.Tensor:
        b, c, h, w = logits.shape
        x = F.interpolate(logits, scale_factor=0.5, mode='bilinear', align_corners=True)
        x = x.reshape(b, c, -1).transpose(1, 2)                 # (B, H/2 * W/2, C)
        x = torch.relu(self.L1(x, self.adjacency))
        x = torch.relu(self.L2(x, self.adjacency))
        x = self.L3(x, self.adjacency).transpose(1, 2).reshape(b, c, h // 2, w // 2)
        x = F.interpolate(x, scale_factor=2.0, mode='bilinear', align_corners=True)
        return torch.sigmoid(x)


class GraphLayer(nn.Module):
    """``W @ (X @ A) + b`` with W (features, features) and b (features, nodes)."""

    def __init__(self, features: int, nodes: int) -> None:
        super().__init__()
        bound = features ** -0.5
        self.weight = nn.Parameter(torch.empty(features, features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(features, nodes).uniform_(-bound, bound))

    def forward(self, x: torch.Tensor, adjacency: torch.Tensor) -> torch.Tensor:
        return torch.matmul(self.weight, torch.matmul(x, adjacency)) + self.bias


#: Which maps each variant feeds the decoder at every scale (paper Table 3 ablation).
FUSIONS = {
    'baseline': ('hori', 'vert'),
    'ca': ('hori_cross', 'vert_cross'),
    'sa': ('hori_self', 'vert_self'),
    'csam': ('hori_cross', 'hori_self', 'vert_cross', 'vert_self'),
}


class Decoder(nn.Module):
    """
    Fuse both radars and decode to heat-map logits.

    Multi-scale fusion of both radars' features (CSAM or plain concatenation) and decoding
    to 14 heat-map logits, optionally refined by PRGCN.

    Scales are coarse to fine: index 0 is 8F @ R/4, 1 is 4F @ R/2, 2 is 2F @ R (the published
    ``phi_*[i]`` / ``decoderLayer{3,2,1}`` numbering).
    """

    def __init__(self, num_filters: int, fusion: Sequence[str], adjacency: torch.Tensor,
                 use_prgcn: bool, num_keypoints: int = 14, heatmap_size: int = 64,
                 attention_scales: Sequence[int] = (0, 1, 2), fast: bool = True) -> None:
        super().__init__()
        f, m = num_filters, len(fusion)
        self.fusion = tuple(fusion)
        self.fast = fast
        self.attention_scales = tuple(attention_scales)
        act = {'dims': 2, 'batchnorm': False, 'activation': nn.PReLU}
        up = nn.Upsample(scale_factor=2.0, mode='bilinear', align_corners=True)
        self.decoderLayer3 = nn.Sequential(BasicBlock(m * 8 * f, 8 * f, **act),
                                           BasicBlock(8 * f, 4 * f, **act), up)
        self.decoderLayer2 = nn.Sequential(BasicBlock((m + 1) * 4 * f, 4 * f, **act),
                                           BasicBlock(4 * f, 2 * f, **act), up)
        self.decoderLayer1 = nn.Sequential(BasicBlock((m + 1) * 2 * f, 2 * f, **act),
                                           BasicBlock(2 * f, f, **act),
                                           nn.Conv2d(f, num_keypoints, 1, 1, 0, bias=False))
        self.gcn = PRGCN(adjacency, heatmap_size) if use_prgcn else None
        widths = [8 * f, 4 * f, 2 * f]
        needs = {name.split('_')[1] for name in self.fusion if '_' in name}  # cross / self
        for kind in sorted(needs):
            for side in ('hori', 'vert'):
                for role in ('phi', 'theta'):
                    # Scales without attention hold a parameter-free placeholder, so that
                    # indices keep the published meaning (0 coarse .. 2 fine).
                    setattr(self, f'{role}_{kind}_{side}', nn.ModuleList(
                        [nn.Conv2d(c, c, 1, 1, 0, bias=False) if i in self.attention_scales
                         else nn.Identity() for i, c in enumerate(widths)]))

    def fuse(self, scale: int, hori: torch.Tensor, vert: torch.Tensor) -> List[torch.Tensor]:
        """Return the maps the decoder concatenates at one scale, in the published order."""
        fast, i = self.fast, scale
        maps = {'hori': hori, 'vert': vert}
        if scale not in self.attention_scales:
            # Real-time variants skip attention at costly fine scales: pass features through.
            return [maps[name.split('_')[0]] for name in self.fusion]
        for name in self.fusion:
            if name == 'hori_cross':
                maps[name] = hori + spatial_attention(
                    self.phi_cross_hori[i](hori), self.theta_cross_vert[i](vert), hori, fast)
            elif name == 'hori_self':
                maps[name] = spatial_attention(
                    self.phi_self_hori[i](hori), self.theta_self_hori[i](hori), hori, fast)
            elif name == 'vert_cross':
                maps[name] = vert + spatial_attention(
                    self.phi_cross_vert[i](vert), self.theta_cross_hori[i](hori), vert, fast)
            elif name == 'vert_self':
                maps[name] = spatial_attention(
                    self.phi_self_vert[i](vert), self.theta_self_vert[i](vert), vert, fast)
        return [maps[name] for name in self.fusion]

    def forward(self, hori: Sequence[torch.Tensor], vert: Sequence[torch.Tensor]
                ) -> Tuple[torch.Tensor, torch.Tensor]:
        """
        hori, vert: fine-to-coarse encoder outputs (2F @ R, 4F @ R/2, 8F @ R/4).

        Returns (logits (B, 14, H, W), refined probabilities or None).
        """
        x = self.decoderLayer3(torch.cat(self.fuse(0, hori[2], vert[2]), 1))
        x = self.decoderLayer2(torch.cat([x] + self.fuse(1, hori[1], vert[1]), 1))
        logits = self.decoderLayer1(torch.cat([x] + self.fuse(2, hori[0], vert[0]), 1))
        return logits, (self.gcn(logits) if self.gcn is not None else None)
