# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Benchmark: HuPRNet inference on the CPU, batch 1, torch threads = 2.

For every variant: median ms/inference, parameters and MACs (counted on the published-order
path, whose convolutions torch's FLOP counter sees). For the published variant also the
straightforward implementation of docs/published_model.md section 4 (``fast=False``: the published
operation order -- einsum attention with softmax along a strided axis, torch's default batch-1
conv3d path), with the same weights, measured in the same run, and the largest output
difference between the two.

    python bench/bench_model.py [--threads 2] [--repeat 5]
"""

import argparse

from hupr_ros.model import build_model, VARIANTS
from timing import time_ms
import torch
from torch.utils.flop_counter import FlopCounterMode


def median_ms(model, x, y, repeat: int) -> float:
    with torch.inference_mode():
        return time_ms(lambda: model(x, y), repeat)


def gmacs(variant: str, num_filters: int, x, y) -> float:
    model = build_model(variant, num_filters, fast=False).eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(x, y)
    return counter.get_total_flops() / 2e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().split('\n')[0])
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--repeat', type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = torch.randn(1, 8, 8, 2, 64, 64, 8)
    y = torch.randn(1, 8, 8, 2, 64, 64, 8)
    print(f'torch {torch.__version__}, threads {torch.get_num_threads()}, batch 1')
    fast = build_model('csam_prgcn').eval()
    plain = build_model('csam_prgcn', fast=False).eval()
    plain.load_state_dict(fast.state_dict())
    ours_ms = median_ms(fast, x, y, args.repeat)
    plain_ms = median_ms(plain, x, y, max(3, args.repeat // 2))
    with torch.inference_mode():
        diff = max((a - b).abs().max().item() for a, b in zip(fast(x, y), plain(x, y)))
    print(f'published variant (csam_prgcn, F=32): ours {ours_ms:.0f} ms, straightforward '
          f'{plain_ms:.0f} ms, speed-up {plain_ms / ours_ms:.2f}x, max output difference '
          f'{diff:.1e}')
    print(f'{"variant":12s} {"F":>3s} {"ms":>8s} {"inf/s":>7s} {"params M":>9s} {"GMAC":>7s}')
    for variant in sorted(VARIANTS):
        model = fast if variant == 'csam_prgcn' else build_model(variant).eval()
        f = model.config.num_filters
        ms = ours_ms if variant == 'csam_prgcn' else median_ms(model, x, y, args.repeat)
        params = sum(p.numel() for p in model.parameters()) / 1e6
        print(f'{variant:12s} {f:3d} {ms:8.1f} {1e3 / ms:7.1f} {params:9.2f} '
              f'{gmacs(variant, f, x, y):7.2f}')
    for f in (4, 6):
        model = build_model('realtime', f).eval()
        ms = median_ms(model, x, y, args.repeat)
        params = sum(p.numel() for p in model.parameters()) / 1e6
        print(f'{"realtime":12s} {f:3d} {ms:8.1f} {1e3 / ms:7.1f} {params:9.2f} '
              f'{gmacs("realtime", f, x, y):7.2f}')


if __name__ == '__main__':
    main()
