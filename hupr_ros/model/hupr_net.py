# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""HuPRNet: CSAM + PRGCN (paper section 4; docs/published_model.md section 4) and its variants."""

from dataclasses import asdict, dataclass, field
from typing import NamedTuple, Optional, Tuple

from hupr_ros.model.layers import Conv3d, Decoder, Encoder3D, FUSIONS, MNet
from hupr_ros.skeleton import NUM_JOINTS, prgcn_adjacency
import torch
from torch import nn


@dataclass(frozen=True)
class ModelConfig:
    """
    Hyper-parameters of a HuPRNet variant (published values as defaults).

    :ivar variant: 'csam_prgcn' (paper), 'csam', 'ca', 'sa', 'baseline' (Table 3 ablation), or
        'realtime' (ours: csam_prgcn with attention only at the two coarse scales).
    :ivar num_filters: F (published 32).
    :ivar num_frames: N, radar frames in the temporal window (8).
    :ivar num_doppler: K, Doppler bins per frame (8).
    :ivar fast: fused attention and channels-last convolutions; False runs the published operation
        order (for benchmarks; same outputs).
    """

    variant: str = 'csam_prgcn'
    num_filters: int = 32
    num_frames: int = 8
    num_doppler: int = 8
    num_keypoints: int = NUM_JOINTS
    range_bins: int = 64
    azimuth_bins: int = 64
    elevation_bins: int = 8
    attention_scales: Tuple[int, ...] = field(default=(0, 1, 2))
    fast: bool = True

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f'variant must be one of {sorted(VARIANTS)}, got {self.variant!r}')
        if self.num_frames % 4 or self.num_frames < 4:
            raise ValueError(f'num_frames must be a multiple of 4, got {self.num_frames}')
        if self.num_doppler % 2 or self.num_doppler < 2:
            raise ValueError(f'num_doppler must be even, got {self.num_doppler}')
        if self.num_filters < 1:
            raise ValueError(f'num_filters must be >= 1, got {self.num_filters}')

    @property
    def input_shape(self) -> Tuple[int, ...]:
        """One radar's input without batch: (N, K, 2, R, A, E)."""
        return (self.num_frames, self.num_doppler, 2, self.range_bins, self.azimuth_bins,
                self.elevation_bins)


class Variant(NamedTuple):
    """A network variant: decoder fusion, whether PRGCN refines, default attention scales."""

    fusion: str
    prgcn: bool
    attention_scales: Tuple[int, ...]


VARIANTS = {
    'baseline': Variant('baseline', prgcn=False, attention_scales=()),
    'ca': Variant('ca', prgcn=False, attention_scales=(0, 1, 2)),
    'sa': Variant('sa', prgcn=False, attention_scales=(0, 1, 2)),
    'csam': Variant('csam', prgcn=False, attention_scales=(0, 1, 2)),
    'csam_prgcn': Variant('csam', prgcn=True, attention_scales=(0, 1, 2)),
    'realtime': Variant('csam', prgcn=True, attention_scales=(0, 1)),
}


PUBLISHED_FILTERS = 32
REALTIME_FILTERS = 8


class HuPRNet(nn.Module):
    """
    Two radar branches (MNet + Encoder3D each) fused by the CSAM decoder, refined by PRGCN.

    ``forward(hori, vert)``: each float32 (B, N=8, K=8, 2, R=64, A=64, E=8), the published
    network input of ``hupr_ros.dsp.model_input`` over a window of N frames, or with E = 1 when
    the input was already averaged over elevation (the network's first step; the training
    cache stores it so, see ``hupr-preprocess --output input``). Returns
    ``(initial, refined)``, each (B, 14, 64, 64) probabilities; variants without PRGCN return
    the initial heat maps twice.
    """

    def __init__(self, config: ModelConfig = ModelConfig()) -> None:
        super().__init__()
        self.config = config
        #: Window the weights were trained with ('centered' or 'causal') and what the trainer
        #: stored about them; set by the checkpoint loaders.
        self.alignment = 'centered'
        self.training_metadata: dict = {}
        #: int8 activation ranges of the encoders (hupr_ros.model.quantize), or None and why.
        self.int8_calibration = None
        self.int8_problem = 'a model not loaded from a checkpoint has no int8 calibration'
        fusion, use_prgcn = VARIANTS[config.variant].fusion, VARIANTS[config.variant].prgcn
        f = config.num_filters
        self.RAchirpNet = MNet(f, config.num_doppler)
        self.REchirpNet = MNet(f, config.num_doppler)
        self.RAradarEncoder = Encoder3D(f, config.num_frames)
        self.REradarEncoder = Encoder3D(f, config.num_frames)
        self.radarDecoder = Decoder(
            f, FUSIONS[fusion], torch.from_numpy(prgcn_adjacency()), use_prgcn,
            config.num_keypoints, config.range_bins, config.attention_scales, config.fast)
        for module in self.modules():
            if isinstance(module, Conv3d):
                module.use_onednn = config.fast
            if isinstance(module, MNet):
                module.fast = config.fast

    def merge_doppler(self, chirp_net: MNet, maps: torch.Tensor) -> torch.Tensor:
        """
        (M, K, 2, R, A, E) frames -> (M, F, R, A): MNet's per-frame Doppler merge.

        Each frame on its own, so a live window can merge every frame once, when it arrives
        (:meth:`forward_merged`).
        """
        c = self.config
        m = maps.shape[0]
        # Already averaged over elevation (E = 1): the mean of one value is that value, and a
        # view costs nothing where mean() would read and write the whole window.
        maps = maps.squeeze(-1) if maps.shape[-1] == 1 else maps.mean(dim=-1)
        # The published code *views* the (K, 2) memory order as (2, K): kept for the weights.
        maps = maps.reshape(m, 2, c.num_doppler, c.range_bins, c.azimuth_bins)
        return chirp_net(maps).squeeze(2)

    def branch(self, chirp_net: MNet, maps: torch.Tensor) -> torch.Tensor:
        """(B, N, K, 2, R, A, E) -> (B, F, N, R, A) for one radar."""
        c = self.config
        b = maps.shape[0]
        merged = self.merge_doppler(chirp_net, maps.reshape((b * c.num_frames,)
                                                            + maps.shape[2:]))
        return self._encoder_layout(merged.reshape(b, c.num_frames, -1, c.range_bins,
                                                   c.azimuth_bins))

    def _encoder_layout(self, merged: torch.Tensor) -> torch.Tensor:
        """(B, N, F, R, A) merged frames -> the encoder's (B, F, N, R, A)."""
        maps = merged.permute(0, 2, 1, 3, 4)
        if self.config.fast:
            maps = maps.contiguous(memory_format=torch.channels_last_3d)
        return maps

    def forward(self, hori: torch.Tensor, vert: torch.Tensor
                ) -> Tuple[torch.Tensor, torch.Tensor]:
        check_input(hori, self.config, 'hori')
        check_input(vert, self.config, 'vert')
        hori_feats = self.RAradarEncoder(self.branch(self.RAchirpNet, hori))
        vert_feats = self.REradarEncoder(self.branch(self.REchirpNet, vert))
        return self._decode(hori_feats, vert_feats)

    def forward_merged(self, hori: torch.Tensor, vert: torch.Tensor
                       ) -> Tuple[torch.Tensor, torch.Tensor]:
        """
        :meth:`forward` on windows whose frames went through :meth:`merge_doppler` already.

        :param hori, vert: each (B, N, F, R, A), the merged frames of a window in time order.
        """
        c = self.config
        for x, name in ((hori, 'hori'), (vert, 'vert')):
            if x.dim() != 5 or tuple(x.shape[1:]) != (c.num_frames, c.num_filters,
                                                      c.range_bins, c.azimuth_bins):
                raise InputShapeError(
                    f'{name} merged input has shape {tuple(x.shape)}, expected (B, '
                    f'{c.num_frames}, {c.num_filters}, {c.range_bins}, {c.azimuth_bins}) = '
                    '(B, N, F, R, A)')
        return self._decode(self.RAradarEncoder(self._encoder_layout(hori)),
                            self.REradarEncoder(self._encoder_layout(vert)))

    def _decode(self, hori_feats, vert_feats) -> Tuple[torch.Tensor, torch.Tensor]:
        logits, refined = self.radarDecoder(hori_feats, vert_feats)
        initial = torch.sigmoid(logits)
        return initial, (refined if refined is not None else initial)


class InputShapeError(ValueError):
    """Network input of the wrong shape or dtype."""


def check_input(x: torch.Tensor, config: ModelConfig, name: str) -> None:
    expected = config.input_shape
    if x.dim() != 7 or tuple(x.shape[1:-1]) != expected[:-1] \
            or x.shape[-1] not in (expected[-1], 1):
        raise InputShapeError(f'{name} input has shape {tuple(x.shape)}, expected '
                              f'(B, {", ".join(map(str, expected))}) = (B, N, K, 2, R, A, E) '
                              '(or E = 1: already averaged over elevation)')
    if not x.is_floating_point():
        raise InputShapeError(f'{name} input must be floating point, got {x.dtype}')


def default_num_filters(variant: str) -> int:
    """F of a variant when none is given: 8 for 'realtime', else the published 32."""
    return REALTIME_FILTERS if variant == 'realtime' else PUBLISHED_FILTERS


def build_model(variant: str = 'csam_prgcn', num_filters: Optional[int] = None,
                **kwargs) -> HuPRNet:
    """
    Build a HuPRNet variant with fresh weights.

    :param variant: see :data:`VARIANTS`.
    :param num_filters: F; None means the variant's default: 32 (published) for all but 'realtime',
        which uses 8 (~20 inferences/s on 2 CPU threads, bench/bench_model.py).
    :param **kwargs: other :class:`ModelConfig` fields (num_frames, num_doppler, fast, ...).
    """
    if variant not in VARIANTS:
        raise ValueError(f'variant must be one of {sorted(VARIANTS)}, got {variant!r}')
    if num_filters is None:
        num_filters = default_num_filters(variant)
    kwargs.setdefault('attention_scales', VARIANTS[variant].attention_scales)
    return HuPRNet(ModelConfig(variant=variant, num_filters=num_filters, **kwargs))


def config_dict(model: HuPRNet) -> dict:
    """Return the model's config as plain data (stored in our checkpoints)."""
    data = asdict(model.config)
    data['attention_scales'] = list(data['attention_scales'])
    return data
